import { expect } from 'chai';
import type { FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import {
  canvasGrey,
  cleanup,
  imageToCanvas,
  mountViewer,
  nextEvent,
  pacsInfo,
  readyOrError,
  storedPixel,
  until,
  viewerCanvas,
} from '../support/browser.js';

const CT_DIR = '../shared/dicom/ct-dcmqact-philips-head-phantom/S2020';

describe('the CT head phantom, resolved by accession number from Orthanc', () => {
  afterEach(cleanup);

  it('resolves the study, skips the localizer and shows the middle of the 140-slice axial series', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.ctPixels });
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.studyInstanceUID).to.equal(pacs.studies[pacs.accessions.ctPixels!]![0]);
    expect(resolved.detail.patientID).to.equal('PLASTIC');
    expect(resolved.detail.studyDate).to.equal('20150206');
    expect(resolved.detail.series.map((s) => s.imageCount).sort((a, b) => a - b)).to.deep.equal([1, 140]);

    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    expect(ready.type, JSON.stringify(ready.detail)).to.equal('filmless-ready');
    expect(ready.detail.imageCount).to.equal(140);
    expect(ready.detail.timeToFirstImageMs).to.be.greaterThan(0);
    console.log(`CT phantom: connected → filmless-ready in ${ready.detail.timeToFirstImageMs} ms`);
    expect(viewer.status).to.equal('ready');
    expect(viewer.getAttribute('status')).to.equal('ready');
    const state = viewer.getViewState();
    expect(state.imageIndex).to.equal(69);
    expect(state.imageCount).to.equal(140);
    // The file's own window (40/80) is applied.
    expect(state.windowCenter).to.equal(40);
    expect(state.windowWidth).to.equal(80);

    // The series strip shows both series, with a preview image each, the axial series selected.
    await until(() => viewer.shadowRoot!.querySelectorAll('[part="series-list"] img').length === 2, 'two series previews');
    const tiles = [...viewer.shadowRoot!.querySelectorAll('[part="series-list"] button')];
    expect(tiles.map((t) => t.getAttribute('aria-pressed'))).to.have.members(['true', 'false']);
    const images = [...viewer.shadowRoot!.querySelectorAll<HTMLImageElement>('[part="series-list"] img')];
    await Promise.all(images.map((img) => img.decode()));
    expect(images.every((img) => img.naturalWidth > 0)).to.equal(true);
  });

  it('draws bone bright and air dark where the file has them, and probes the file\'s own Hounsfield values', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.ctPixels });
    const ready = await readyOrError(viewer);
    expect(ready.type).to.equal('filmless-ready');
    // Index 69 of the slices ordered along the normal is InstanceNumber 70, stored as file I700.
    const file = `${CT_DIR}/I700`;
    const canvas = viewerCanvas(viewer);

    // Points chosen from the file: the skull's thick posterior band, the air outside the head, and air inside it.
    const bone = await storedPixel(file, 244, 428);
    const outside = await storedPixel(file, 20, 20);
    const inside = await storedPixel(file, 256, 330);
    expect(bone.modalityValue, 'file: skull is bone').to.be.greaterThan(300);
    expect(outside.modalityValue, 'file: outside is air').to.be.lessThan(-900);
    expect(inside.modalityValue, 'file: inside is air').to.be.lessThan(-900);

    expect(canvasGrey(canvas, ...imageToCanvas(canvas, 512, 512, 244, 428), 1)).to.be.greaterThan(200);
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, 512, 512, 20, 20))).to.be.lessThan(30);
    expect(canvasGrey(canvas, ...imageToCanvas(canvas, 512, 512, 256, 330))).to.be.lessThan(30);

    for (const [column, row] of [[244, 428], [20, 20], [256, 330], [290, 190], [100, 256]] as const) {
      const expected = await storedPixel(file, column, row);
      expect(viewer.probe(column, row), `HU at ${column},${row}`).to.equal(expected.modalityValue);
    }
  });
});
