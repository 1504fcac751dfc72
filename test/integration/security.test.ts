import { expect } from 'chai';
import { executeServerCommand, setViewport } from '@web/test-runner-commands';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, until } from '../support/browser.js';

/** Opens a page in a same-origin frame filling the test page (so a screenshot of the page is the frame's). */
async function openFrame(src: string): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'position: fixed; inset: 0; width: 100vw; height: 100vh; border: 0; background: #000';
  frame.src = src;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return frame;
}

const viewerIn = (frame: HTMLIFrameElement) => frame.contentDocument!.querySelector('filmless-viewer') as FilmlessViewer;
const errorText = (viewer: FilmlessViewer) => viewer.shadowRoot?.querySelector('[part="error"] p')?.textContent ?? '';

/** The same test gateway under a host name the configuration does not list: only the origin differs. */
function unlistedTwin(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return url.href.replace(/\/$/, '');
}

describe('the standalone page talks only to the sources its deployment allows', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));
  after(() => setViewport({ width: 800, height: 600 }));

  const refusals = [
    { lang: 'en', text: 'This viewer may not open images from' },
    { lang: 'tr', text: 'Bu görüntüleyici' },
    { lang: 'vi', text: 'Trình xem này không được phép mở ảnh từ' },
  ];
  for (const { lang, text } of refusals) {
    it(`refuses a link to an unlisted server with a message in ${lang}, and asks that server for nothing`, async () => {
      const pacs = await pacsInfo();
      const unlisted = unlistedTwin(pacs.gatewayUrl);
      const before = (await gatewayRequests()).length;
      for (const [width, height] of [[800, 600], [360, 640]] as const) {
        await setViewport({ width, height });
        const frame = await openFrame(`/viewer.html?requestType=STUDY&accessionNumber=${pacs.accessions.iid}&lang=${lang}&dicomweb=${encodeURIComponent(unlisted)}#token=${pacs.token}`);
        const viewer = viewerIn(frame);
        await until(() => viewer.status === 'error', 'the refusal');
        await viewer.updateComplete;
        const shown = errorText(viewer);
        expect(shown).to.contain(text);
        expect(shown).to.contain(new URL(unlisted).origin);
        // A refusal offers no retry: the link itself is what is wrong.
        expect(viewer.shadowRoot!.querySelector('[part="error"] button')).to.equal(null);
        await executeServerCommand('screenshot', { name: `security-refused-${lang}-${width}x${height}` });
        frame.remove();
      }
      expect((await gatewayRequests()).slice(before).filter((r) => r.url.includes(pacs.accessions.iid!))).to.deep.equal([]);
    });
  }
});

describe('the element with allowedSources', () => {
  afterEach(cleanup);

  it('refuses a dicomweb-url outside the list with a fatal source-not-allowed error, before any request', async () => {
    const pacs = await pacsInfo();
    const requested: string[] = [];
    const viewer = mountViewer({
      allowedSources: ['https://pacs.hospital.example/dicom-web'],
      dicomwebUrl: pacs.gatewayUrl,
      token: pacs.token,
      fetch: (input: RequestInfo | URL, init?: RequestInit) => (requested.push(String(input)), fetch(input, init)),
      accessionNumber: pacs.accessions.iid!,
    });
    const error = await nextEvent<{ code: string; message: string }>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('source-not-allowed');
    expect(error.detail.message).to.contain(new URL(pacs.gatewayUrl).origin);
    expect(viewer.status).to.equal('error');
    expect(requested).to.deep.equal([]);
  });

  it('opens a study from a listed source, and refuses a sources list naming one that is not', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ allowedSources: [pacs.gatewayUrl], dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.iid! });
    await until(() => viewer.status === 'ready', 'the study from the listed source', 45_000);
    const refused = nextEvent<{ code: string }>(viewer, 'filmless-error');
    viewer.sources = [
      { name: 'A', dicomwebUrl: pacs.gatewayUrl, token: pacs.token },
      { name: 'B', dicomwebUrl: pacs.hospitalBUrl, token: pacs.token },
    ];
    expect((await refused).detail.code).to.equal('source-not-allowed');
  });
});
