import { expect } from 'chai';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { gatewayRequests, pacsInfo, until } from '../support/browser.js';

/** Opens the standalone page in a same-origin frame, as a browser would open the launch link. */
async function openPage(query: string, fragment = ''): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width: 640px; height: 520px; border: 0';
  frame.src = `/viewer.html?${query}${fragment}`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return frame;
}

const viewerIn = (frame: HTMLIFrameElement) => frame.contentDocument!.querySelector('filmless-viewer') as FilmlessViewer | null;
const textOf = (frame: HTMLIFrameElement) => frame.contentDocument!.querySelector('#messages')!.textContent ?? '';

describe('the standalone page, launched with IHE IID parameters', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

  it('opens the study of an accession number, with the fragment token used only in headers and then erased', async () => {
    const pacs = await pacsInfo();
    const token = `test-token-${crypto.randomUUID()}`;
    const before = (await gatewayRequests()).length;
    const dicomweb = encodeURIComponent(pacs.gatewayUrl);
    const frame = await openPage(`requestType=STUDY&accessionNumber=${pacs.accessions.iid}&dicomweb=${dicomweb}`, `#token=${token}`);
    expect(frame.contentWindow!.location.href).not.to.contain(token);
    expect(frame.contentWindow!.location.hash).to.equal('');
    const viewer = viewerIn(frame)!;
    await until(() => viewer.status === 'ready', 'the study to be on screen', 45_000);
    expect(viewer.getViewState().studyInstanceUID).to.equal(pacs.studies[pacs.accessions.iid!]![0]);
    const requests = (await gatewayRequests()).slice(before);
    expect(requests.length).to.be.greaterThan(2);
    for (const request of requests) expect(request.url).not.to.contain(token);
    for (const request of requests.filter((r) => r.method === 'GET')) expect(request.authorization).to.equal(`Bearer ${token}`);
    expect(frame.contentDocument!.documentElement.outerHTML).not.to.contain(token);
  });

  it('offers each study of a studyUID list in turn, never two in one view', async () => {
    const pacs = await pacsInfo();
    const [first, second] = [pacs.studies[pacs.accessions.iid!]![0]!, pacs.studies[pacs.accessions.iidSecond!]![0]!];
    const frame = await openPage(`requestType=STUDY&studyUID=${first},${second}&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}`, `#token=${pacs.token}`);
    const viewer = viewerIn(frame)!;
    await until(() => viewer.status === 'ready', 'the first study', 45_000);
    expect(viewer.getViewState().studyInstanceUID).to.equal(first);
    const buttons = [...frame.contentDocument!.querySelectorAll<HTMLButtonElement>('#studies button')];
    expect(buttons.map((b) => b.textContent)).to.deep.equal([first, second]);
    buttons[1]!.click();
    await until(() => viewer.getViewState().studyInstanceUID === second && viewer.status === 'ready', 'the second study', 45_000);
    expect(viewer.getViewState().imageCount).to.equal(pacs.data.ct.main.count);
  });

  it("lists a patient's most recent studies for a PATIENT request", async () => {
    const pacs = await pacsInfo();
    const frame = await openPage(`requestType=PATIENT&patientID=${encodeURIComponent(pacs.data.mr.patientID)}&modalitiesInStudy=MR&mostRecentResults=3&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}`, `#token=${pacs.token}`);
    const viewer = viewerIn(frame)!;
    await until(() => viewer.shadowRoot?.querySelector('[part="chooser"]') !== null && viewer.shadowRoot?.querySelector('[part="chooser"]') !== undefined, 'the chooser', 45_000);
    expect(viewer.shadowRoot!.querySelectorAll('[part="chooser"] tbody tr').length).to.equal(3);
  });

  it('states plainly what it does not support', async () => {
    const pacs = await pacsInfo();
    const frame = await openPage(
      `requestType=STUDY&accessionNumber=${pacs.accessions.iid}&keyImagesOnly=true&viewerType=VENDOR_X&diagnosticQuality=true&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}`,
      `#token=${pacs.token}`,
    );
    const text = textOf(frame);
    expect(text).to.contain('Showing key images only is not supported');
    expect(text).to.contain('Viewer type VENDOR_X is not available');
    expect(text).to.contain('exactly as the PACS stores them');
    expect(viewerIn(frame)).to.not.equal(null);
  });

  it("opens patient mode for a patient's token, clinician mode for other tokens, and a mode parameter decides over both", async () => {
    const pacs = await pacsInfo();
    // The test gateway accepts any `test-token-…`; the page reads the JWT payload's purpose without verifying it.
    const payload = btoa(JSON.stringify({ purpose: 'patient', studies: pacs.studies[pacs.accessions.iidPatient!] })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const patientToken = `test-token-jwt.${payload}.signature`;
    const query = `requestType=STUDY&accessionNumber=${pacs.accessions.iidPatient}&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}`;
    const tools = (viewer: FilmlessViewer) => [...viewer.shadowRoot!.querySelectorAll('[part="toolbar"] button')].map((b) => b.getAttribute('aria-label'));
    const cases = [
      { query, token: patientToken, mode: 'patient' },
      { query: `${query}&mode=clinician`, token: patientToken, mode: 'clinician' },
      { query, token: pacs.token, mode: 'clinician' },
      { query: `${query}&mode=patient`, token: pacs.token, mode: 'patient' },
    ];
    for (const { query: search, token, mode } of cases) {
      const frame = await openPage(search, `#token=${token}`);
      const viewer = viewerIn(frame)!;
      await until(() => viewer.status === 'ready', 'the study to be on screen', 45_000);
      await viewer.updateComplete;
      expect(viewer.mode, search).to.equal(mode);
      expect(tools(viewer).includes('Window/level'), `${mode}: the window/level tool`).to.equal(mode === 'clinician');
      frame.remove();
    }
  });

  it('refuses unknown and malformed parameters with a clear message, and opens nothing', async () => {
    // Earlier tests' pages were removed with requests in flight (series thumbnails, prefetch); on a busy
    // machine the gateway logs some of them late. Wait until its log is quiet before opening this page.
    let logged = -1;
    for (let count = (await gatewayRequests()).length; count !== logged; count = (await gatewayRequests()).length) {
      logged = count;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const openedAt = Date.now();
    const frame = await openPage('requestType=SERIES&accessionNumber=A*&color=red&lang=tr&mode=admin&dicomweb=ftp://x');
    const text = textOf(frame);
    expect(text).to.contain('Bu bağlantı açılamıyor.');
    expect(text).to.contain('Bağlantıda bilinmeyen parametre: color');
    expect(text).to.contain('requestType değeri geçersiz');
    expect(text).to.contain('accessionNumber değeri geçersiz');
    expect(text).to.contain('dicomweb değeri geçersiz');
    expect(text).to.contain('mode değeri geçersiz');
    expect(viewerIn(frame)).to.equal(null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Earlier tests' abandoned downloads may still be logged now; nothing may have started since the page opened.
    expect((await gatewayRequests()).filter((r) => Date.parse(r.time) >= openedAt)).to.deep.equal([]);
  });
});
