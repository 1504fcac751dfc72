import { expect } from 'chai';
import { isSourceAllowed, parseAllowedSources } from '../../src/dicomweb/allowed-sources.js';
import { deploymentSources } from '../../src/standalone/deployment-sources.js';

const page = 'https://viewer.hospital.example/filmless/viewer.html?requestType=STUDY';

describe('allowed DICOMweb sources', () => {
  it('allows an origin entry anywhere on that origin, and nothing on another origin, port or scheme', () => {
    const allowed = ['https://pacs.hospital.example'];
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web', allowed, page)).to.equal(true);
    expect(isSourceAllowed('https://pacs.hospital.example:8443/dicom-web', allowed, page)).to.equal(false);
    expect(isSourceAllowed('http://pacs.hospital.example/dicom-web', allowed, page)).to.equal(false);
    expect(isSourceAllowed('https://pacs.hospital.example.evil.example/dicom-web', allowed, page)).to.equal(false);
    expect(isSourceAllowed('https://pacs.hospital.example@evil.example/dicom-web', allowed, page)).to.equal(false);
  });

  it('allows a URL prefix entry for its path and below, on whole segments, after dot segments are resolved', () => {
    const allowed = ['https://pacs.hospital.example/dicom-web/'];
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web', allowed, page)).to.equal(true);
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web/studies', allowed, page)).to.equal(true);
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web-admin', allowed, page)).to.equal(false);
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web/../admin', allowed, page)).to.equal(false);
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web/%2e%2e/admin', allowed, page)).to.equal(false);
    expect(isSourceAllowed('https://pacs.hospital.example/dicom-web/..%2fadmin', allowed, page)).to.equal(false);
  });

  it('resolves relative sources and entries against the page, and refuses credentials and other schemes', () => {
    expect(isSourceAllowed('/dicom-web', ['/dicom-web'], page)).to.equal(true);
    expect(isSourceAllowed('https://viewer.hospital.example/dicom-web', ['/dicom-web'], page)).to.equal(true);
    expect(isSourceAllowed('https://other.example/dicom-web', ['/dicom-web'], page)).to.equal(false);
    expect(isSourceAllowed('https://user:pw@viewer.hospital.example/dicom-web', ['/dicom-web'], page)).to.equal(false);
    expect(isSourceAllowed('javascript:alert(1)', ['/dicom-web'], page)).to.equal(false);
    expect(isSourceAllowed('https://viewer.hospital.example/dicom-web', [], page)).to.equal(false);
  });

  it('reads a configured list only when every entry is an http(s) URL or a path', () => {
    expect(parseAllowedSources(['https://pacs.example/dicom-web', '/dicom-web'], page)).to.deep.equal(['https://pacs.example/dicom-web', '/dicom-web']);
    expect(parseAllowedSources('https://pacs.example', page)).to.equal(undefined);
    expect(parseAllowedSources(['ftp://pacs.example'], page)).to.equal(undefined);
    expect(parseAllowedSources([''], page)).to.equal(undefined);
    expect(parseAllowedSources([42], page)).to.equal(undefined);
  });
});

describe("the standalone page's deployment sources", () => {
  const json = (body: unknown, type = 'application/json') => async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { headers: { 'Content-Type': type } });
  const emptyDocument = () => document.implementation.createHTMLDocument('viewer');

  it('takes the meta element first, without asking for the file', async () => {
    const doc = emptyDocument();
    doc.head.innerHTML = '<meta name="filmless-allowed-sources" content="https://a.example/dicom-web, https://b.example">';
    let asked = false;
    const result = await deploymentSources(doc, page, async () => ((asked = true), new Response('{}')));
    expect(result).to.deep.equal({ sources: ['https://a.example/dicom-web', 'https://b.example'], from: 'meta', invalid: false });
    expect(asked).to.equal(false);
  });

  it('reads viewer.config.json beside the page', async () => {
    let url = '';
    const result = await deploymentSources(emptyDocument(), page, async (input) => ((url = input), json({ allowedSources: ['https://pacs.example/dicom-web'] })()));
    expect(url).to.equal('https://viewer.hospital.example/filmless/viewer.config.json');
    expect(result).to.deep.equal({ sources: ['https://pacs.example/dicom-web'], from: 'config', invalid: false });
  });

  it("allows only the page's own origin without a meta or a file (404, an HTML fallback page, no answer)", async () => {
    const own = { sources: ['https://viewer.hospital.example'], from: 'own-origin', invalid: false };
    expect(await deploymentSources(emptyDocument(), page, async () => new Response('no', { status: 404 }))).to.deep.equal(own);
    expect(await deploymentSources(emptyDocument(), page, json('<!doctype html><title>app</title>', 'text/html'))).to.deep.equal(own);
    expect(await deploymentSources(emptyDocument(), page, async () => Promise.reject(new TypeError('Failed to fetch')))).to.deep.equal(own);
  });

  it('allows nothing when the file or the meta is there but invalid', async () => {
    const none = { sources: [], from: 'config', invalid: true };
    expect(await deploymentSources(emptyDocument(), page, json('{"allowedSources": ['))).to.deep.equal(none);
    expect(await deploymentSources(emptyDocument(), page, json({ allowedSources: 'https://pacs.example' }))).to.deep.equal(none);
    expect(await deploymentSources(emptyDocument(), page, json({ sources: ['https://pacs.example'] }))).to.deep.equal(none);
    const doc = emptyDocument();
    doc.head.innerHTML = '<meta name="filmless-allowed-sources" content="ftp://pacs.example">';
    expect(await deploymentSources(doc, page, json({}))).to.deep.equal({ sources: [], from: 'meta', invalid: true });
  });
});
