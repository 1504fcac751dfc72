/**
 * The demo's standalone page may use the demo's own DICOMweb gateways: the demo server serves the
 * page's viewer.config.json, and the sources it lists allow the links the demo makes (its own pages'
 * /dicom-web and share links' /shared/dicom-web), on whichever of its origins the page is opened, and
 * nothing elsewhere.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isSourceAllowed, parseAllowedSources } from '../../src/dicomweb/allowed-sources.js';
import { startDemoServer, type DemoServer } from '../../demo/server/demo-server.js';

let demo: DemoServer;
let folder: string;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'filmless-viewer-config-'));
  demo = await startDemoServer({ source: { folder }, pages: false, log: () => {} });
});

after(async () => {
  await demo?.close();
  await rm(folder, { recursive: true, force: true });
});

test("the demo serves viewer.config.json allowing its two gateways on the page's own origin only", async () => {
  const response = await fetch(`${demo.url}/viewer.config.json`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const page = `${demo.url}/viewer.html?requestType=STUDY`;
  const allowed = parseAllowedSources(((await response.json()) as { allowedSources: unknown }).allowedSources, page);
  assert.ok(allowed, 'a valid list');
  for (const origin of demo.origins) {
    const here = `${origin}/viewer.html`;
    assert.ok(isSourceAllowed(`${origin}/dicom-web`, allowed, here), `${origin}/dicom-web`);
    assert.ok(isSourceAllowed(`${origin}/shared/dicom-web`, allowed, here), `${origin}/shared/dicom-web`);
  }
  assert.ok(!isSourceAllowed('https://pacs.elsewhere.example/dicom-web', allowed, page));
  assert.ok(!isSourceAllowed(`${demo.url}/demo/session`, allowed, page));
});
