import { expect } from 'chai';
import { DicomwebClient, type FetchLike } from '../../src/dicomweb/client.js';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { FilmlessError } from '../../src/errors.js';
import { resolveStudies } from '../../src/study/resolver.js';
import { chooseDefaultSeries } from '../../src/study/series-selection.js';
import type { SeriesSummary } from '../../src/study/types.js';

function series(study: string, uid: string, modality: string, count: number, accession = 'A1', description = ''): DicomJsonDataset {
  return {
    '0020000D': { vr: 'UI', Value: [study] },
    '0020000E': { vr: 'UI', Value: [uid] },
    '00080060': { vr: 'CS', Value: [modality] },
    '00080050': { vr: 'SH', Value: [accession] },
    '0008103E': { vr: 'LO', Value: [description] },
    '00201209': { vr: 'IS', Value: [count] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
  };
}

/** A scripted DICOMweb server: answers by path, records every request it saw. */
function server(routes: Record<string, { status?: number; body?: unknown }>) {
  const seen: { url: string; headers: Headers }[] = [];
  const fetch: FetchLike = async (input, init) => {
    seen.push({ url: input, headers: new Headers(init.headers) });
    const path = new URL(input).pathname.replace('/dicom-web', '');
    const route = routes[path];
    if (!route) return new Response('not found', { status: 404 });
    return new Response(route.body === undefined ? null : JSON.stringify(route.body), { status: route.status ?? 200 });
  };
  return { fetch, seen };
}

const signal = new AbortController().signal;
const clientFor = (fetch: FetchLike) => new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web/', fetch, getToken: () => 'secret' });

describe('resolving an accession number', () => {
  it('answers studies and series from ONE series-level search, with the token in the header only', async () => {
    const { fetch, seen } = server({ '/series': { body: [series('S1', 'se1', 'CT', 140), series('S1', 'se2', 'CT', 1)] } });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1' }, signal);
    expect(studies).to.have.length(1);
    expect(studies[0]!.series.map((s) => s.imageCount)).to.deep.equal([140, 1]);
    expect(seen).to.have.length(1);
    expect(seen[0]!.url).to.match(/\/series\?00080050=A1&includefield=/);
    expect(seen[0]!.headers.get('authorization')).to.equal('Bearer secret');
    expect(seen[0]!.url).not.to.contain('secret');
  });

  it('lists a series without images (SR, KO, PR, RTSTRUCT) as non-image, the others as image', async () => {
    const body = ['CT', 'SR', 'KO', 'PR', 'RTSTRUCT', 'US'].map((modality, i) => series('S1', `se${i}`, modality, 1));
    const { fetch } = server({ '/series': { body } });
    const [study] = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1' }, signal);
    expect(study!.series.map((s) => [s.modality, s.kind])).to.deep.equal([
      ['CT', 'image'],
      ['SR', 'non-image'],
      ['KO', 'non-image'],
      ['PR', 'non-image'],
      ['RTSTRUCT', 'non-image'],
      ['US', 'image'],
    ]);
  });

  it('reports not-found when no study matches', async () => {
    const { fetch } = server({ '/series': { body: [] } });
    const error = await resolveStudies(clientFor(fetch), { accessionNumber: 'NONE' }, signal).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(FilmlessError);
    expect((error as FilmlessError).code).to.equal('not-found');
  });

  it('keeps two studies under one accession apart', async () => {
    const { fetch } = server({ '/series': { body: [series('S1', 'a', 'CT', 10), series('S2', 'b', 'MR', 20), series('S1', 'c', 'CT', 2)] } });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1' }, signal);
    expect(studies.map((s) => [s.studyInstanceUID, s.series.length])).to.deep.equal([['S1', 2], ['S2', 1]]);
  });

  it('drops loose matches the server returned (exact accession only)', async () => {
    const { fetch } = server({ '/series': { body: [series('S1', 'a', 'CT', 10, 'a1'), series('S2', 'b', 'CT', 10, 'A1')] } });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1' }, signal);
    expect(studies.map((s) => s.studyInstanceUID)).to.deep.equal(['S2']);
  });

  it('falls back to a study-level search where the server lacks root series search', async () => {
    const study: DicomJsonDataset = { '0020000D': { vr: 'UI', Value: ['S9'] }, '00080050': { vr: 'SH', Value: ['A1'] } };
    const { fetch, seen } = server({
      '/series': { status: 400 },
      '/studies': { body: [study] },
      '/studies/S9/series': { body: [series('S9', 'x', 'MR', 30, '')] },
    });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1' }, signal);
    expect(studies[0]!.studyInstanceUID).to.equal('S9');
    expect(studies[0]!.series[0]!.imageCount).to.equal(30);
    expect(seen.map((s) => new URL(s.url).pathname)).to.deep.equal(['/dicom-web/series', '/dicom-web/studies', '/dicom-web/studies/S9/series']);
  });

  it('refuses wildcards, which would turn a lookup into a search', async () => {
    const { fetch, seen } = server({});
    const error = await resolveStudies(clientFor(fetch), { accessionNumber: '12*' }, signal).catch((e: unknown) => e);
    expect((error as FilmlessError).code).to.equal('config');
    expect(seen).to.have.length(0);
  });

  it('maps 401 to unauthorized after asking the token provider once', async () => {
    let refreshed = 0;
    const { fetch, seen } = server({ '/series': { status: 401 } });
    const client = new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch, getToken: () => 'old', refreshToken: async () => (refreshed++, 'new') });
    const error = await resolveStudies(client, { accessionNumber: 'A1' }, signal).catch((e: unknown) => e);
    expect((error as FilmlessError).code).to.equal('unauthorized');
    expect(refreshed).to.equal(1);
    expect(seen.map((s) => s.headers.get('authorization'))).to.deep.equal(['Bearer old', 'Bearer new']);
  });
});

describe('choosing the first series', () => {
  const summary = (modality: string, imageCount: number, description = ''): SeriesSummary => ({
    seriesInstanceUID: `${modality}${imageCount}`,
    modality,
    description,
    imageCount,
    kind: ['SR', 'KO'].includes(modality) ? 'non-image' : 'image',
  });

  it('picks the MR/CT series with the most images', () => {
    expect(chooseDefaultSeries([summary('CT', 2), summary('CT', 140), summary('CT', 30)])?.imageCount).to.equal(140);
  });

  it('never picks a localizer, even when it is the largest', () => {
    expect(chooseDefaultSeries([summary('CT', 300, 'Surview'), summary('CT', 120, 'Head 1mm')])?.description).to.equal('Head 1mm');
  });

  it('never picks a non-image series such as SR or KO', () => {
    expect(chooseDefaultSeries([summary('SR', 500), summary('KO', 400), summary('MR', 20)])?.modality).to.equal('MR');
  });
});

describe('constraining by issuer of accession number', () => {
  const withIssuer = (dataset: DicomJsonDataset, issuer: string): DicomJsonDataset => ({
    ...dataset,
    '00080051': { vr: 'SQ', Value: [{ '00400031': { vr: 'UT', Value: [issuer] } }] },
  });

  it('asks the server to match the issuer and keeps only that hospital\'s study', async () => {
    const { fetch, seen } = server({
      '/series': { body: [withIssuer(series('S1', 'a', 'CT', 10), 'HOSP-A'), withIssuer(series('S2', 'b', 'CT', 10), 'HOSP-B')] },
    });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1', issuer: 'HOSP-B' }, signal);
    expect(studies.map((s) => s.studyInstanceUID)).to.deep.equal(['S2']);
    expect(new URL(seen[0]!.url).searchParams.get('00080051.00400031')).to.equal('HOSP-B');
  });

  it('keeps results from servers that do not return the issuer at all', async () => {
    const { fetch } = server({ '/series': { body: [series('S1', 'a', 'CT', 10)] } });
    const studies = await resolveStudies(clientFor(fetch), { accessionNumber: 'A1', issuer: 'HOSP-B' }, signal);
    expect(studies).to.have.length(1);
  });
});
