import { expect } from 'chai';
import { setViewport } from '@web/test-runner-commands';
import { cleanup, mountViewer, pacsInfo, readyOrError, screenshot, touch, until } from '../support/browser.js';

/** Centre of an element in page coordinates, where a finger would land. */
function centreOf(element: Element): [number, number] {
  const box = element.getBoundingClientRect();
  return [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
}

describe('on a 360×640 phone, with touch', () => {
  before(() => setViewport({ width: 360, height: 640 }));
  after(() => setViewport({ width: 800, height: 600 }));
  afterEach(cleanup);

  it('folds the tools into a menu and the series into a drawer', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.phone }, 'width: 360px; height: 600px');
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    await screenshot('phone-ready');
    const root = viewer.shadowRoot!;
    const shown = (element: Element) => getComputedStyle(element).display !== 'none';
    await until(() => [...root.querySelectorAll('.bar-items > [data-item]')].some((item) => !shown(item)), 'tools folded away');
    const series = root.querySelector<HTMLElement>('[part="series-list"]')!;
    expect(shown(series)).to.equal(false);
    const menu = root.querySelector<HTMLButtonElement>('.more-button')!;
    const drawer = root.querySelector<HTMLButtonElement>('[aria-controls="series"]')!;
    expect(shown(menu)).to.equal(true);
    menu.click();
    await viewer.updateComplete;
    expect(root.querySelector('[part="menu"]')).to.not.equal(null);
    expect(menu.getAttribute('aria-expanded')).to.equal('true');
    await screenshot('phone-menu-open');
    menu.click();
    drawer.click();
    await viewer.updateComplete;
    expect(shown(series)).to.equal(true);
    expect(getComputedStyle(series).position, 'a drawer over the image').to.equal('absolute');
    await screenshot('phone-series-drawer');
  });

  it('scrolls with one finger, zooms with a pinch and resets with a double tap', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.phone }, 'width: 360px; height: 600px');
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    const [x, y] = centreOf(viewer.shadowRoot!.querySelector('[part="viewport"]')!);

    // One finger down 60 px: 12 px per slice → 5 slices forward.
    await touch([
      { type: 'touchStart', points: [[x, y - 30]] },
      { type: 'touchMove', points: [[x, y - 10]] },
      { type: 'touchMove', points: [[x, y + 10]] },
      { type: 'touchMove', points: [[x, y + 30]] },
      { type: 'touchEnd', points: [] },
    ]);
    await until(() => viewer.getViewState().imageIndex === pacs.data.mr.main.middleIndex + 5, 'a one-finger drag to scroll 5 slices');

    // Two fingers spreading from 40 px to 160 px apart: zoom in.
    await touch([
      { type: 'touchStart', points: [[x - 20, y], [x + 20, y]] },
      { type: 'touchMove', points: [[x - 40, y], [x + 40, y]] },
      { type: 'touchMove', points: [[x - 80, y], [x + 80, y]] },
      { type: 'touchEnd', points: [] },
    ]);
    await until(() => viewer.getViewState().zoom > 2.5, 'a pinch to zoom in');
    expect(viewer.getViewState().imageIndex, 'a pinch does not scroll').to.equal(pacs.data.mr.main.middleIndex + 5);
    await screenshot('phone-pinched');

    // Double tap: back to the fitted view.
    await touch([
      { type: 'touchStart', points: [[x, y]] },
      { type: 'touchEnd', points: [] },
      { type: 'touchStart', points: [[x, y]] },
      { type: 'touchEnd', points: [] },
    ]);
    await until(() => Math.abs(viewer.getViewState().zoom - 1) < 0.01, 'a double tap to reset the zoom');
  });

  it('adjusts window/level with one finger when the host switches touch-mode', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.phone }, 'width: 360px; height: 600px');
    viewer.setAttribute('touch-mode', 'windowLevel');
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    const before = viewer.getViewState();
    const [x, y] = centreOf(viewer.shadowRoot!.querySelector('[part="viewport"]')!);
    await touch([
      { type: 'touchStart', points: [[x, y]] },
      { type: 'touchMove', points: [[x + 30, y + 20]] },
      { type: 'touchEnd', points: [] },
    ]);
    await until(() => viewer.getViewState().windowWidth === before.windowWidth + 60, 'a drag to widen the window');
    expect(viewer.getViewState().windowCenter).to.equal(before.windowCenter + 40);
    expect(viewer.getViewState().imageIndex).to.equal(before.imageIndex);
  });
});
