// The contract every engine must keep, against the real PACS: resolve, first image, scroll, window/level,
// errors and token hygiene. npm test runs this folder in headless Firefox ESR and in Chromium with WebGL
// turned off (test/support/engine-launchers.ts): neither has WebGL, so the CPU renderer draws, the first
// image stays, every stack tool works and only MPR is turned off, with its reason.
import { expect } from 'chai';
import { sendMouse } from '@web/test-runner-commands';
import type { FilmlessErrorDetail, FilmlessReadyDetail } from '../../src/index.js';
import { en } from '../../src/i18n/messages.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { canvasGrey, cleanup, expectBonePresetGreys, gatewayRequests, imageToCanvas, mountViewer, nextEvent, pacsInfo, storedPixel, until, viewerCanvas } from '../support/browser.js';
import { ENGINE, hasWebgl2 } from '../support/engines.js';
import type { StudyFacts } from '../support/test-data.js';

/** A modality value through a window as the DICOM linear VOI function maps it (0-255). */
describe(`the core contract in ${ENGINE}${hasWebgl2() ? '' : ' without WebGL'}`, () => {
  const token = `test-token-${crypto.randomUUID()}`;
  let viewer: FilmlessViewer;
  let ct: StudyFacts;
  let accession: string;
  const events: string[] = [];
  let ready: FilmlessReadyDetail;
  let requestsBefore = 0;

  before(async function () {
    this.timeout(120_000);
    const pacs = await pacsInfo();
    ct = pacs.data.ct;
    accession = pacs.accessions.engines!;
    requestsBefore = (await gatewayRequests()).length;
    viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token, accessionNumber: accession });
    for (const type of ['filmless-resolved', 'filmless-first-image', 'filmless-ready', 'filmless-error']) viewer.addEventListener(type, () => events.push(type));
    ready = (await nextEvent<FilmlessReadyDetail>(viewer, 'filmless-ready', 90_000)).detail;
  });

  after(cleanup);

  it('resolves the accession number, shows the first image, then is ready, with no error on the way', () => {
    expect(events.filter((type) => type !== 'filmless-error')).to.deep.equal(['filmless-resolved', 'filmless-first-image', 'filmless-ready']);
    expect(events, 'the first image is never replaced by an error').not.to.include('filmless-error');
    expect(viewer.status).to.equal('ready');
    expect(ready.renderer).to.equal(hasWebgl2() ? ready.renderer : 'cpu');
  });

  it("draws the file's pixels: bone white, air black, and the probe answers the file's values", async () => {
    const canvas = viewerCanvas(viewer);
    const { columns, rows, middleFile } = ct.main;
    const { bone, outsideAir } = ct.landmarks!;
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...bone), 1)).to.be.greaterThan(200);
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...outsideAir))).to.be.lessThan(30);
    expect(viewer.probe(...bone)).to.equal((await storedPixel(middleFile, ...bone)).modalityValue);
  });

  it('scrolls to the next slice and shows its values', async () => {
    const start = viewer.getViewState().imageIndex;
    const next = start + 1 < ct.main.count ? start + 1 : start - 1;
    viewer.scrollImages(next - start);
    await until(() => viewer.getViewState().imageIndex === next, `slice ${next}`);
    const [column, row] = ct.landmarks!.bone;
    await until(() => viewer.probe(column, row) !== undefined, 'the slice drawn');
    expect(viewer.probe(column, row)).to.equal((await storedPixel(ct.main.files[next]!, column, row)).modalityValue);
    viewer.scrollImages(start - next);
    await until(() => viewer.getViewState().imageIndex === start, 'back to the first slice shown');
  });

  it('changes the window with a left drag, and draws a key preset with the greys the window gives', async () => {
    const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
    const box = viewport.getBoundingClientRect();
    const before = viewer.getViewState();
    const x = Math.round(box.left + box.width / 2);
    const y = Math.round(box.top + box.height / 2);
    await sendMouse({ type: 'move', position: [x, y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [x + 60, y + 40] });
    await sendMouse({ type: 'up' });
    await until(() => viewer.getViewState().windowWidth !== before.windowWidth || viewer.getViewState().windowCenter !== before.windowCenter, 'the window dragged');
    // The bone preset (key 8): 400 / 1800.
    await expectBonePresetGreys(viewer, ct);
  });

  it('offers MPR only with WebGL, and says why not without it', async () => {
    await viewer.updateComplete;
    const button = viewer.shadowRoot!.querySelector<HTMLElement>('[data-item="mpr"]');
    if (hasWebgl2()) {
      expect(viewer.getMprAvailability().available).to.equal(true);
      return;
    }
    expect(viewer.getMprAvailability()).to.deep.equal({ available: false, reason: 'no-webgl' });
    expect(button?.getAttribute('aria-disabled')).to.equal('true');
    expect(button?.title).to.contain(en['mprReason.no-webgl']);
  });

  it('sends the token only in the Authorization header, never in a URL or the DOM', async () => {
    const pacs = await pacsInfo();
    const studyUID = pacs.studies[accession]![0]!;
    const mine = (await gatewayRequests()).slice(requestsBefore).filter((r) => r.url.includes(accession) || r.url.includes(studyUID) || (r.authorization ?? '').includes(token));
    const gets = mine.filter((r) => r.method === 'GET');
    expect(gets.length).to.be.greaterThanOrEqual(3);
    for (const request of gets) expect(request.authorization, request.url).to.equal(`Bearer ${token}`);
    for (const request of mine) expect(request.url).not.to.contain(token);
    expect(viewer.outerHTML).not.to.contain(token);
    expect(viewer.shadowRoot!.innerHTML).not.to.contain(token);
  });

  it('reports an unknown accession number as not-found, in words, in the widget', async () => {
    const pacs = await pacsInfo();
    const other = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: 'FL-ENGINES-NOT-THERE' });
    const error = await nextEvent<FilmlessErrorDetail>(other, 'filmless-error');
    expect(error.detail.code).to.equal('not-found');
    expect(other.status).to.equal('error');
    expect(other.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain(en['error.not-found']);
    other.remove();
  });
});
