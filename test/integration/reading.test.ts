import { expect } from 'chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import type { FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import { canvasGrey, cleanup, describeEachDataset, mountViewer, nextEvent, pacsInfo, readyOrError, until, viewerCanvas } from '../support/browser.js';

describeEachDataset('reading a brain MR series', (use) => {
  afterEach(cleanup);

  it('resolves and displays the slices from the middle, with anatomy on the canvas', async () => {
    const pacs = await pacsInfo();
    const { mr, accessions } = use();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.mr });
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.patientID).to.equal(mr.patientID);
    expect(resolved.detail.series.map((s) => s.imageCount).sort((a, b) => a - b)).to.deep.equal(mr.seriesCounts);
    expect(resolved.detail.series.find((s) => s.imageCount === mr.main.count)).to.include({ modality: 'MR', description: mr.main.description });
    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    expect(ready.type).to.equal('filmless-ready');
    expect(viewer.getViewState()).to.include({ imageIndex: mr.main.middleIndex, imageCount: mr.main.count });

    // The mid-sagittal slice shows a head: the centre of the image is bright tissue, the corners dark air.
    const canvas = viewerCanvas(viewer);
    const side = Math.min(canvas.width, canvas.height);
    expect(canvasGrey(canvas, canvas.width / 2, canvas.height / 2, 10)).to.be.greaterThan(40);
    expect(canvasGrey(canvas, (canvas.width - side) / 2 + 6, (canvas.height - side) / 2 + 6, 3)).to.be.lessThan(15);
    // The overlay tells the reader where they are.
    const overlay = viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent!.replace(/\s+/g, ' ');
    expect(overlay).to.contain(mr.patientID).and.to.contain(mr.main.description).and.to.contain(`Image ${mr.main.middleIndex + 1} / ${mr.main.count}`);
  });

  it('scrolls with arrow keys, PageUp/PageDown and the wheel, and adjusts window/level by dragging', async () => {
    const pacs = await pacsInfo();
    const { mr, accessions } = use();
    const middle = mr.main.middleIndex;
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.mrTools });
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;
    viewport.focus();

    await sendKeys({ press: 'ArrowDown' });
    await until(() => viewer.getViewState().imageIndex === middle + 1, 'ArrowDown to move one slice');
    await sendKeys({ press: 'PageUp' });
    await until(() => viewer.getViewState().imageIndex === middle - 9, 'PageUp to move ten slices back');
    const canvas = viewerCanvas(viewer);
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true, clientX: 10, clientY: 10 }));
    await until(() => viewer.getViewState().imageIndex === middle - 8, 'the wheel to move one slice');

    const before = viewer.getViewState();
    const box = canvas.getBoundingClientRect();
    const [x, y] = [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
    await sendMouse({ type: 'move', position: [x, y] });
    await sendMouse({ type: 'down', button: 'left' });
    await sendMouse({ type: 'move', position: [x + 60, y + 40] });
    await sendMouse({ type: 'move', position: [x + 120, y + 80] });
    await sendMouse({ type: 'up', button: 'left' });
    await until(() => viewer.getViewState().windowWidth !== before.windowWidth, 'a drag to change window/level');
    const after = viewer.getViewState();
    expect(after.windowWidth).to.not.equal(before.windowWidth);
    expect(after.windowCenter).to.not.equal(before.windowCenter);
    expect(after.imageIndex, 'a window/level drag does not scroll').to.equal(middle - 8);

    viewport.focus();
    await sendKeys({ press: 'r' });
    await until(() => viewer.getViewState().windowWidth === before.windowWidth, 'reset to restore window/level');
  });
});
