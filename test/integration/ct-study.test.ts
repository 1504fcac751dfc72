import { expect } from 'chai';
import type { FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import {
  canvasGrey,
  cleanup,
  describeEachDataset,
  imageToCanvas,
  mountViewer,
  nextEvent,
  pacsInfo,
  readyOrError,
  storedPixel,
  until,
  viewerCanvas,
} from '../support/browser.js';

describeEachDataset('a head CT with a localizer, resolved by accession number from Orthanc', (use) => {
  afterEach(cleanup);

  it('resolves the study, skips the localizer and shows the middle of the axial series with the file\'s window', async () => {
    const pacs = await pacsInfo();
    const { ct, accessions } = use();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.ctPixels });
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.studyInstanceUID).to.equal(pacs.studies[accessions.ctPixels!]![0]);
    expect(resolved.detail.patientID).to.equal(ct.patientID);
    expect(resolved.detail.studyDate).to.equal(ct.studyDate);
    expect(resolved.detail.series.map((s) => s.imageCount).sort((a, b) => a - b)).to.deep.equal(ct.seriesCounts);

    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    expect(ready.type, JSON.stringify(ready.detail)).to.equal('filmless-ready');
    expect(ready.detail.imageCount).to.equal(ct.main.count);
    expect(ready.detail.timeToFirstImageMs).to.be.greaterThan(0);
    console.log(`CT: connected → filmless-ready in ${ready.detail.timeToInteractiveMs} ms`);
    expect(viewer.status).to.equal('ready');
    expect(viewer.getAttribute('status')).to.equal('ready');
    const state = viewer.getViewState();
    expect(state.imageIndex).to.equal(ct.main.middleIndex);
    expect(state.imageCount).to.equal(ct.main.count);
    expect(state.windowCenter).to.equal(ct.main.windowCenter);
    expect(state.windowWidth).to.equal(ct.main.windowWidth);

    // The series strip shows both series, with a preview image each, the axial series selected.
    await until(() => viewer.shadowRoot!.querySelectorAll('[part="series-list"] img').length === 2, 'two series previews');
    const tiles = [...viewer.shadowRoot!.querySelectorAll('[part="series-list"] button[data-series]')];
    expect(tiles.map((t) => t.getAttribute('aria-pressed'))).to.have.members(['true', 'false']);
    const images = [...viewer.shadowRoot!.querySelectorAll<HTMLImageElement>('[part="series-list"] img')];
    await Promise.all(images.map((img) => img.decode()));
    expect(images.every((img) => img.naturalWidth > 0)).to.equal(true);
  });

  it('draws bone bright and air dark where the file has them, and probes the file\'s own Hounsfield values', async () => {
    const pacs = await pacsInfo();
    const { ct, accessions } = use();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: accessions.ctPixels });
    const ready = await readyOrError(viewer);
    expect(ready.type).to.equal('filmless-ready');
    const file = ct.main.middleFile;
    const { columns, rows } = ct.main;
    const { bone, outsideAir, insideAir } = ct.landmarks!;
    const canvas = viewerCanvas(viewer);

    expect((await storedPixel(file, ...bone)).modalityValue, 'file: bone').to.be.greaterThan(300);
    expect((await storedPixel(file, ...outsideAir)).modalityValue, 'file: air outside').to.be.lessThan(-900);
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...bone), 1)).to.be.greaterThan(200);
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...outsideAir))).to.be.lessThan(30);
    if (insideAir) {
      expect((await storedPixel(file, ...insideAir)).modalityValue, 'file: air inside').to.be.lessThan(-900);
      expect(canvasGrey(canvas, ...imageToCanvas(canvas, columns, rows, ...insideAir), 1)).to.be.lessThan(30);
    }

    const points: [number, number][] = [bone, outsideAir, ...(insideAir ? [insideAir] : []), [columns >> 1, rows >> 1], [columns >> 2, rows >> 1], [columns >> 1, (rows * 3) >> 2]];
    for (const [column, row] of points) {
      const expected = await storedPixel(file, column, row);
      expect(viewer.probe(column, row), `HU at ${column},${row}`).to.equal(expected.modalityValue);
    }
  });
});
