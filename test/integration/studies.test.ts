import { expect } from 'chai';
import type { FilmlessCandidatesDetail, FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import { canvasGrey, cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, readyOrError, until, viewerCanvas } from '../support/browser.js';

describe('which study is shown', () => {
  afterEach(cleanup);

  it('opens a chooser when two studies share one accession number, and shows only the chosen one', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.ambiguous });
    const candidates = await nextEvent<FilmlessCandidatesDetail>(viewer, 'filmless-candidates');
    expect(candidates.detail.studies).to.have.length(2);
    const chooser = viewer.shadowRoot!.querySelector('[part="chooser"]')!;
    const rows = [...chooser.querySelectorAll('tbody tr')].map((row) => row.textContent!.replace(/\s+/g, ' '));
    expect(rows).to.have.length(2);
    expect(rows.join('|')).to.contain('CT').and.to.contain('MR');
    expect(viewer.status).to.equal('resolving');

    const mrRow = [...chooser.querySelectorAll('tbody tr')].find((row) => row.textContent!.includes('MR'))!;
    const resolved = nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    mrRow.querySelector('button')!.click();
    const study = (await resolved).detail;
    expect(study.series.every((s) => s.modality === 'MR')).to.equal(true);
    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    expect(ready.detail.studyInstanceUID).to.equal(study.studyInstanceUID);
    expect(ready.detail.imageCount).to.equal(pacs.data.mr.main.count);
    expect(viewer.shadowRoot!.querySelector('[part="chooser"]')).to.equal(null);
  });

  it('aborts the first study when the accession number changes mid-load, and shows only the second', async () => {
    const pacs = await pacsInfo();
    const seen: string[] = [];
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.switchFirst });
    viewer.addEventListener('filmless-ready', (e) => seen.push((e as CustomEvent<FilmlessReadyDetail>).detail.studyInstanceUID));
    await nextEvent(viewer, 'filmless-resolved');
    viewer.accessionNumber = pacs.accessions.switchSecond!;
    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    const second = pacs.studies[pacs.accessions.switchSecond!]![0]!;
    expect(ready.detail.studyInstanceUID).to.equal(second);
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).to.deep.equal([second]);
    expect(viewer.getViewState().studyInstanceUID).to.equal(second);
    expect(viewer.getViewState().imageCount).to.equal(pacs.data.mr.main.count);
  });

  it('runs two viewers on one page, each with its own study', async () => {
    const pacs = await pacsInfo();
    const a = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.twoViewersA }, 'width: 400px; height: 400px');
    const b = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.twoViewersB }, 'width: 400px; height: 400px');
    const [readyA, readyB] = (await Promise.all([readyOrError(a), readyOrError(b)])) as CustomEvent<FilmlessReadyDetail>[];
    expect(readyA!.detail.imageCount).to.equal(pacs.data.mr.main.count);
    expect(readyB!.detail.imageCount).to.equal(pacs.data.ct.main.count);
    for (const viewer of [a, b]) {
      const canvas = viewerCanvas(viewer);
      expect(canvasGrey(canvas, canvas.width / 2, canvas.height / 2, 40), 'something is drawn').to.be.greaterThan(5);
    }
    a.scrollImages(3);
    await until(() => a.getViewState().imageIndex === pacs.data.mr.main.middleIndex + 3, 'the first viewer to scroll three slices');
    expect(b.getViewState().imageIndex, 'scrolling one viewer leaves the other alone').to.equal(pacs.data.ct.main.middleIndex);
  });

  it('stops sending requests once it is removed from the page', async () => {
    const pacs = await pacsInfo();
    const studyUID = pacs.studies[pacs.accessions.disconnect!]![0]!;
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.disconnect });
    await readyOrError(viewer);
    viewer.remove();
    const count = async () => (await gatewayRequests()).filter((r) => r.url.includes(studyUID)).length;
    await new Promise((r) => setTimeout(r, 300));
    const afterRemoval = await count();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count()).to.equal(afterRemoval);
    expect(viewer.status).to.not.equal('error');
  });
});
