import { expect } from 'chai';
import type { FetchLike, FilmlessCandidatesDetail, FilmlessErrorDetail, FilmlessReadyDetail, FilmlessResolvedDetail } from '../../src/index.js';
import {
  cleanup,
  gatewayRequests,
  mountViewer,
  nextEvent,
  pacsInfo,
  patientStudies,
  readyOrError,
  stopHospitalB,
  until,
} from '../support/browser.js';

/** Counts what the viewer asks for, and passes it on to the network. */
function countingFetch(): { fetch: FetchLike; urls: string[] } {
  const urls: string[] = [];
  return { urls, fetch: (input, init) => (urls.push(input), fetch(input, init)) };
}

describe("Turkey's SGK special accession numbers", () => {
  afterEach(cleanup);

  it('9999: says the exam was analog, with no network request at all', async () => {
    const pacs = await pacsInfo();
    const before = (await gatewayRequests()).length;
    const spy = countingFetch();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, fetch: spy.fetch, accessionNumber: '9999', lang: 'tr' });
    viewer.setAttribute('lang', 'tr');
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('no-digital-images');
    expect(viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('analog bir cihazda');
    expect(spy.urls).to.deep.equal([]);
    expect((await gatewayRequests()).length).to.equal(before);
  });

  it('9998 without a patient ID: explains that the images cannot be found by accession number', async () => {
    const pacs = await pacsInfo();
    const spy = countingFetch();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, fetch: spy.fetch, accessionNumber: '9998' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('no-accession-number');
    expect(error.detail.message).to.contain('patient ID is needed');
    expect(spy.urls).to.deep.equal([]);
  });

  it("9998 with a patient ID: offers exactly that patient's studies in the chooser", async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: '9998', patientId: pacs.data.mr.patientID, modality: 'MR' });
    const candidates = await nextEvent<FilmlessCandidatesDetail>(viewer, 'filmless-candidates');
    const expected = await patientStudies(pacs.data.mr.patientID, 'MR');
    expect(candidates.detail.studies.map((s) => s.studyInstanceUID).sort()).to.deep.equal([...expected].sort());
    const chooser = viewer.shadowRoot!.querySelector('[part="chooser"]')!;
    expect(chooser.textContent).to.contain('Studies of this patient');
    expect(chooser.querySelectorAll('tbody tr').length).to.equal(expected.length);
    // Picking one loads it, with its series fetched now.
    const resolved = nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    chooser.querySelector<HTMLButtonElement>('tbody button')!.click();
    expect((await resolved).detail.series.map((s) => s.imageCount).sort((a, b) => a - b)).to.deep.equal(pacs.data.mr.seriesCounts);
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
  });

  it('9998 with a patient ID and a date that matches nothing: not found', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: '9998', patientId: pacs.data.mr.patientID, studyDate: '19990101' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('not-found');
  });
});

describe('two hospitals, two PACS', () => {
  afterEach(cleanup);

  const sourcesFor = (pacs: Awaited<ReturnType<typeof pacsInfo>>) => [
    { name: 'Hastane A', dicomwebUrl: pacs.gatewayUrl, token: pacs.token },
    { name: 'Hastane B', dicomwebUrl: pacs.hospitalBUrl, token: pacs.token },
  ];

  it('shows a study held by both once, naming both hospitals', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ sources: sourcesFor(pacs), accessionNumber: pacs.accessions.multiShared });
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.studyInstanceUID).to.equal(pacs.studies[pacs.accessions.multiShared!]![0]);
    expect(resolved.detail.sources).to.deep.equal(['Hastane A', 'Hastane B']);
    expect(resolved.detail.unreachableSources).to.deep.equal([]);
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    expect(viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent).to.contain('Hastane A, Hastane B');
  });

  it('finds a study that only the second hospital holds', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ sources: sourcesFor(pacs), accessionNumber: pacs.accessions.multiOnlyB });
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.sources).to.deep.equal(['Hastane B']);
    const ready = (await readyOrError(viewer)) as CustomEvent<FilmlessReadyDetail>;
    expect(ready.detail.imageCount).to.equal(pacs.data.mr.main.count);
  });

  it('still shows the study when one hospital is down, and names the one that could not be reached', async () => {
    const pacs = await pacsInfo();
    await stopHospitalB();
    const viewer = mountViewer({ sources: sourcesFor(pacs), accessionNumber: pacs.accessions.multiShared, sourceTimeout: 5000 });
    const errors: FilmlessErrorDetail[] = [];
    viewer.addEventListener('filmless-error', (event) => errors.push((event as CustomEvent<FilmlessErrorDetail>).detail));
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.sources).to.deep.equal(['Hastane A']);
    expect(resolved.detail.unreachableSources).to.deep.equal(['Hastane B']);
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    // The hospital that did not answer is a non-fatal error: the status is ready.
    expect(errors.map((e) => ({ code: e.code, fatal: e.fatal, named: e.message.includes('Hastane B') }))).to.deep.equal([{ code: 'network', fatal: false, named: true }]);
    expect(viewer.status).to.equal('ready');
    await until(() => viewer.shadowRoot!.querySelector('[part="overlay"]')?.textContent?.includes('Could not reach: Hastane B') ?? false, 'the unreachable hospital named on screen');
  });
});
