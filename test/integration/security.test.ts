import { expect } from 'chai';
import { executeServerCommand, sendMouse, setViewport } from '@web/test-runner-commands';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, storedPixel, until } from '../support/browser.js';

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

interface SecurityStudies {
  csp: { accession: string; studyInstanceUIDs: string[] };
  xss: { accession: string; studyInstanceUIDs: string[]; dates: string[]; text: Record<'patientName' | 'patientID' | 'studyDescription' | 'institution' | 'seriesDescription', string> };
}
const securityStudies = () => executeServerCommand('security-studies') as Promise<SecurityStudies>;

describe('the built standalone page under a strict Content-Security-Policy', () => {
  let frame: HTMLIFrameElement;
  let viewer: FilmlessViewer;
  const violations: string[] = [];
  const root = () => viewer.shadowRoot!;

  before(async function () {
    this.timeout(120_000);
    const pacs = await pacsInfo();
    const { csp } = await securityStudies();
    await setViewport({ width: 800, height: 600 });
    frame = await openFrame(`/deployments/strict/viewer.html?requestType=STUDY&accessionNumber=${csp.accession}&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}#token=${pacs.token}`);
    frame.contentWindow!.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    viewer = viewerIn(frame);
    await until(() => viewer.status === 'ready' || viewer.status === 'error', 'the study under the strict policy', 90_000);
  });
  after(() => frame?.remove());

  it('is served with the policy, and shows the first image, ready, with the file\'s values', async () => {
    const pacs = await pacsInfo();
    const response = await fetch('/deployments/strict/viewer.html');
    const policy = response.headers.get('Content-Security-Policy')!;
    const sources = policy.split(/[;\s]+/);
    expect(sources).not.to.include("'unsafe-eval'");
    expect(sources).not.to.include("'unsafe-inline'");
    expect(policy.split(';').map((d) => d.trim()).filter((d) => d.startsWith('script-src'))).to.deep.equal(["script-src 'self' 'wasm-unsafe-eval'"]);
    expect(viewer.status).to.equal('ready');
    const { ct } = pacs.data;
    const state = viewer.getViewState();
    expect(state.imageCount).to.equal(ct.main.count);
    expect(state.imageIndex).to.equal(ct.main.middleIndex);
    const { columns, rows, middleFile } = ct.main;
    for (const [column, row] of [[columns >> 1, rows >> 1], [(columns * 3) >> 3, rows >> 2]] as [number, number][]) {
      expect(viewer.probe(column, row), `HU at ${column},${row}`).to.equal((await storedPixel(middleFile, column, row)).modalityValue);
    }
  });

  it('scrolls to the next image, whose values are the next file\'s, and changes window/level by dragging', async () => {
    const { ct } = (await pacsInfo()).data;
    const canvas = viewer.shadowRoot!.querySelector<HTMLCanvasElement>('[part="viewport"] canvas')!;
    const start = viewer.getViewState().imageIndex;
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true, composed: true, clientX: 10, clientY: 10 }));
    await until(() => viewer.getViewState().imageIndex !== start, 'the wheel to move one image');
    const index = viewer.getViewState().imageIndex;
    expect(Math.abs(index - start)).to.equal(1);
    await until(() => viewer.probe(ct.main.columns >> 1, ct.main.rows >> 1) !== undefined, 'the next image on screen');
    const [column, row] = [ct.main.columns >> 1, (ct.main.rows * 3) >> 3];
    expect(viewer.probe(column, row)).to.equal((await storedPixel(ct.main.files[index]!, column, row)).modalityValue);

    const before = viewer.getViewState();
    const box = canvas.getBoundingClientRect();
    const [x, y] = [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
    await sendMouse({ type: 'move', position: [x, y] });
    await sendMouse({ type: 'down', button: 'left' });
    await sendMouse({ type: 'move', position: [x + 60, y + 40] });
    await sendMouse({ type: 'move', position: [x + 120, y + 80] });
    await sendMouse({ type: 'up', button: 'left' });
    await until(() => viewer.getViewState().windowWidth !== before.windowWidth, 'a drag to change window/level');
    expect(viewer.getViewState().windowCenter).to.not.equal(before.windowCenter);
  });

  it('opens a toolbar menu where it belongs, positioned without a style attribute', async () => {
    root().querySelector<HTMLButtonElement>('[part="toolbar"] button[aria-haspopup="menu"]')!.click();
    await until(() => root().querySelector('[part="menu"]') !== null, 'the menu');
    const menu = root().querySelector<HTMLElement>('[part="menu"]')!;
    expect(menu.style.left || menu.style.right, 'its position').to.match(/^\d+px$/);
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
  });

  it('breaks no rule of the policy, in the page or in its workers', async () => {
    // Every image decoded (workers, WebAssembly), then the browser's reports (report-uri) are read.
    await until(() => viewer.getViewState().imageCount > 0 && viewer.status === 'ready', 'ready');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const reports = (await (await fetch('/deployments/csp-reports')).json()) as unknown[];
    expect(violations, 'securitypolicyviolation events').to.deep.equal([]);
    expect(reports, 'reports sent by the browser').to.deep.equal([]);
  });
});

describe('deployments of the built standalone page', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

  it('without a configuration, refuses a PACS elsewhere and opens the one under its own origin', async () => {
    const pacs = await pacsInfo();
    const { csp } = await securityStudies();
    const query = `requestType=STUDY&accessionNumber=${csp.accession}`;
    const refused = await openFrame(`/deployments/bare/viewer.html?${query}&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}#token=${pacs.token}`);
    await until(() => viewerIn(refused).status === 'error', 'the refusal');
    expect(errorText(viewerIn(refused))).to.contain(new URL(pacs.gatewayUrl).origin);
    refused.remove();
    const own = await openFrame(`/deployments/bare/viewer.html?${query}&dicomweb=${encodeURIComponent('/deployments/bare/dicom-web')}#token=${pacs.token}`);
    await until(() => viewerIn(own).status === 'ready', 'the study from its own origin', 60_000);
    expect(viewerIn(own).getViewState().studyInstanceUID).to.equal(csp.studyInstanceUIDs[0]);
  });

  it('with an invalid viewer.config.json, allows nothing and says so on the page', async () => {
    const pacs = await pacsInfo();
    const { csp } = await securityStudies();
    const frame = await openFrame(`/deployments/broken/viewer.html?requestType=STUDY&accessionNumber=${csp.accession}&lang=tr&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}#token=${pacs.token}`);
    await until(() => viewerIn(frame).status === 'error', 'the refusal');
    expect(frame.contentDocument!.querySelector('#messages')!.textContent).to.contain('viewer.config.json yapılandırma dosyası geçersiz');
    expect(errorText(viewerIn(frame))).to.contain('Bu görüntüleyici');
  });

  it('opens a PACS its meta element lists', async () => {
    const pacs = await pacsInfo();
    const { csp } = await securityStudies();
    const frame = await openFrame(`/deployments/meta/viewer.html?requestType=STUDY&accessionNumber=${csp.accession}&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}#token=${pacs.token}`);
    await until(() => viewerIn(frame).status === 'ready', 'the study from the listed PACS', 60_000);
    expect(viewerIn(frame).getViewState().studyInstanceUID).to.equal(csp.studyInstanceUIDs[0]);
  });
});

describe('text from the files is shown as text, isolated, wherever it appears', () => {
  const ran: unknown[] = [];
  let viewer: FilmlessViewer;
  let studies: SecurityStudies;
  const root = () => viewer.shadowRoot!;

  /** The element showing exactly `text`: it must be isolated (unicode-bidi: isolate, as <bdi>). */
  function expectShownIsolated(scope: Element, text: string, where: string): void {
    const holders = [...scope.querySelectorAll('*')].filter((e) => e.textContent === text);
    expect(holders.length, `${where}: an element whose text is ${JSON.stringify(text)}`).to.be.greaterThan(0);
    expect(holders.some((e) => getComputedStyle(e).unicodeBidi === 'isolate'), `${where}: isolated`).to.equal(true);
  }
  /** No element came from the files' markup. */
  function expectNoMarkup(scope: Element | ShadowRoot, where: string): void {
    // (The series thumbnails are <img> elements of blob: URLs: only the files' img, src=x, would be theirs.)
    // (The test runner adds its own web socket script to the pages it serves.)
    expect([...scope.querySelectorAll('script:not([src^="/__web-dev-server"]), iframe, b, img[src="x"]')].map((e) => e.outerHTML.slice(0, 80)), `${where}: elements from the text`).to.deep.equal([]);
    const handlers = [...scope.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name));
    expect(handlers, `${where}: event handler attributes`).to.deep.equal([]);
  }

  before(async function () {
    this.timeout(120_000);
    (window as unknown as { filmlessXss: (n: number) => void }).filmlessXss = (n) => ran.push(n);
    await setViewport({ width: 1280, height: 900 });
    const pacs = await pacsInfo();
    studies = await securityStudies();
    viewer = mountViewer(
      { dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: studies.xss.accession, lang: 'en', shareTokenProvider: async () => 'test-token-share' },
      'width: 1200px; height: 800px',
    );
    await until(() => root().querySelectorAll('[part="chooser"] tbody tr').length === 2, 'the chooser with both studies', 60_000);
  });
  after(async () => {
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('in the study chooser', () => {
    const { text } = studies.xss;
    const chooser = root().querySelector('[part="chooser"]')!;
    expectShownIsolated(chooser, text.studyDescription, 'chooser description');
    expectShownIsolated(chooser, text.institution, 'chooser institution');
    expectNoMarkup(chooser, 'chooser');
  });

  it('in the overlay, the series list and the priors list', async function () {
    this.timeout(150_000);
    const { text, studyInstanceUIDs } = studies.xss;
    // Open the first study the chooser lists, as a user does.
    root().querySelector<HTMLButtonElement>('[part="chooser"] tbody tr button')!.click();
    await until(() => viewer.status === 'ready', 'the chosen study', 60_000);
    const overlay = root().querySelector('[part="overlay"]')!;
    // No ^ in the name: shown as the literal string in every language's order.
    expectShownIsolated(overlay, text.patientName, 'overlay patient name');
    expectShownIsolated(overlay, text.patientID, 'overlay patient ID');
    expectShownIsolated(overlay, text.studyDescription, 'overlay study description');
    expectShownIsolated(overlay, text.institution, 'overlay institution');
    expectShownIsolated(overlay, text.seriesDescription, 'overlay series description');
    expectShownIsolated(root().querySelector('[part="series-list"]')!, text.seriesDescription, 'series list');
    // The priors list leaves out the open study: whichever of the two the chooser listed first, the other one.
    const listed = () => [...root().querySelectorAll<HTMLElement>('[part="priors"] li[data-study]')].some((li) => studyInstanceUIDs.includes(li.dataset.study!));
    await until(listed, 'the other study among the priors', 60_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${root().querySelector('[part="priors"]')?.textContent ?? 'no priors part'}`);
    });
    expectShownIsolated(root().querySelector('[part="priors"]')!, text.studyDescription, 'priors list');
    expectNoMarkup(root(), 'the whole viewer');
  });

  it('keeps what follows a bidi override in a name in its own order', async () => {
    const overlay = root().querySelector('[part="overlay"]')!;
    // The ID line follows the name in the same corner: the override inside the name does not reach it.
    const name = [...overlay.querySelectorAll('bdi')].find((b) => b.textContent === studies.xss.text.patientName)!;
    const id = [...overlay.querySelectorAll('bdi')].find((b) => b.textContent === studies.xss.text.patientID)!;
    expect(name.getBoundingClientRect().bottom).to.be.at.most(id.getBoundingClientRect().top + 1);
    // A name with components: each one is its own isolate, the separator ours, in reading order.
    const { personName } = await import('../../src/viewer/parts/dicom-text.js');
    const holder = document.createElement('div');
    const { render } = await import('lit');
    render(personName('\u202EEVIL^Ali', 'en'), holder);
    document.body.append(holder);
    const [family, given] = [...holder.querySelectorAll('bdi')];
    expect(holder.textContent).to.equal('\u202EEVIL, Ali');
    expect(family!.textContent).to.equal('\u202EEVIL');
    expect(given!.textContent).to.equal('Ali');
    expect(given!.getBoundingClientRect().left, 'the given name stays after the family name').to.be.greaterThan(family!.getBoundingClientRect().left);
    holder.remove();
  });

  it('in the share dialog', async () => {
    const share = root().querySelector<HTMLButtonElement>('[part="toolbar"] .share-button')!;
    expect(share, 'the Share button').to.not.equal(null);
    share.click();
    await until(() => root().querySelector('[part="share"]') !== null, 'the share dialog');
    expectNoMarkup(root().querySelector('[part="share"]')!, 'share dialog');
    expect(ran, 'scripts from the text').to.deep.equal([]);
  });

  it('in the standalone page, whose title stays its own', async () => {
    const pacs = await pacsInfo();
    const frame = await openFrame(`/viewer.html?requestType=STUDY&accessionNumber=${studies.xss.accession}&lang=en&dicomweb=${encodeURIComponent(pacs.gatewayUrl)}#token=${pacs.token}`);
    const page = viewerIn(frame);
    await until(() => (page.shadowRoot?.querySelectorAll('[part="chooser"] tbody tr').length ?? 0) === 2, 'the chooser', 60_000);
    page.shadowRoot!.querySelector<HTMLButtonElement>('[part="chooser"] tbody tr button')!.click();
    await until(() => page.status === 'ready', 'the study', 60_000);
    expect(frame.contentDocument!.title).to.equal('Filmless image viewer');
    expectNoMarkup(frame.contentDocument!.body, 'the page');
    expectNoMarkup(page.shadowRoot!, 'the page\'s viewer');
    frame.remove();
    expect(ran, 'scripts from the text').to.deep.equal([]);
  });
});
