import { expect } from 'chai';
import { DicomwebClient, type FetchLike } from '../../src/dicomweb/client.js';
import { parsePatientId } from '../../src/study/resolver.js';
import { searchAllSources } from '../../src/study/sources.js';
import { specialAccession } from '../../src/study/special-accessions.js';
import { parseLaunch } from '../../src/standalone/iid-params.js';
import type { StudySummary } from '../../src/study/types.js';

describe('IHE IID launch parameters', () => {
  it('reads a STUDY launch with comma lists and the token from the fragment only', () => {
    const { launch, problems } = parseLaunch('?requestType=STUDY&accessionNumber=A1,A2&studyUID=1.2.3&dicomweb=https://pacs/dicom-web', '#token=abc.def');
    expect(problems).to.deep.equal([]);
    expect(launch).to.include({ requestType: 'STUDY', token: 'abc.def', dicomweb: 'https://pacs/dicom-web' });
    expect(launch.accessionNumbers).to.deep.equal(['A1', 'A2']);
    expect(launch.studyUIDs).to.deep.equal(['1.2.3']);
    expect(parseLaunch('?requestType=STUDY&accessionNumber=A1&dicomweb=/d&token=leak', '').problems).to.deep.include({ key: 'iidUnknownParameter', parameter: 'token' });
  });

  it('turns a PATIENT launch date-time range into a DICOM date range', () => {
    const { launch, problems } = parseLaunch(
      '?requestType=PATIENT&patientID=12345^^^HOSP&lowerDateTime=2024-01-31T00:00:00Z&upperDateTime=2024-12-31&mostRecentResults=5&modalitiesInStudy=ct,MR&dicomweb=/d',
      '',
    );
    expect(problems).to.deep.equal([]);
    expect(launch).to.include({ patientID: '12345^^^HOSP', studyDateRange: '20240131-20241231', mostRecentResults: 5 });
    expect(launch.modalitiesInStudy).to.deep.equal(['CT', 'MR']);
  });

  it('reports unknown, repeated, missing and malformed parameters', () => {
    const { problems } = parseLaunch('?requestType=STUDY&requestType=STUDY&x=1&studyUID=1.2.x&lowerDateTime=2024-02-30&keyImagesOnly=maybe', '');
    expect(problems).to.deep.include.members([
      { key: 'iidRepeated', parameter: 'requestType' },
      { key: 'iidUnknownParameter', parameter: 'x' },
      { key: 'iidMalformed', parameter: 'studyUID' },
      { key: 'iidMalformed', parameter: 'lowerDateTime' },
      { key: 'iidMalformed', parameter: 'keyImagesOnly' },
      { key: 'iidMissing', parameter: 'dicomweb' },
    ]);
  });

  it('states what it cannot honour instead of ignoring it', () => {
    const { notices } = parseLaunch('?requestType=STUDY&accessionNumber=A&keyImagesOnly=true&viewerType=OTHER&dicomweb=/d', '');
    expect(notices.map((n) => n.key)).to.deep.equal(['iidViewerTypeUnsupported', 'iidKeyImagesUnsupported']);
  });
});

describe('SGK special accession numbers and patient identifiers', () => {
  it('knows 9999 and 9998, and nothing else', () => {
    expect(specialAccession(' 9999 ')).to.equal('analog-device');
    expect(specialAccession('9998')).to.equal('no-accession-number');
    expect(specialAccession('99981')).to.equal(undefined);
  });

  it('splits an HL7 CX patient ID into ID and authority', () => {
    expect(parsePatientId('12345^^^HOSP&1.2.3&ISO')).to.deep.equal({ id: '12345', authority: 'HOSP' });
    expect(parsePatientId('777')).to.deep.equal({ id: '777', authority: '' });
  });
});

describe('searching several sources', () => {
  const study = (uid: string): StudySummary => ({
    studyInstanceUID: uid, accessionNumber: 'A', patientName: '', patientID: '', studyDate: '', description: '', institution: '', modalities: [], series: [], sources: [],
  });
  const client = (fetch: FetchLike) => new DicomwebClient({ baseUrl: 'https://x', fetch });
  const never: FetchLike = (_url, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));

  it('merges a study held by two sources into one entry listing both, and names a source that timed out', async () => {
    const sources = [{ name: 'A', dicomwebUrl: 'a' }, { name: 'B', dicomwebUrl: 'b' }, { name: 'C', dicomwebUrl: 'c' }];
    const results: Record<string, StudySummary[]> = { A: [study('1'), study('2')], B: [study('2')] };
    const result = await searchAllSources(
      sources,
      async (c, source, signal) => {
        if (source.name === 'C') await c.searchSeries({}, signal);
        return results[source.name]!;
      },
      (source) => client(source.name === 'C' ? never : async () => new Response('[]')),
      new AbortController().signal,
      200,
    );
    expect(result.studies.map((s) => [s.studyInstanceUID, s.sources])).to.deep.equal([['1', ['A']], ['2', ['A', 'B']]]);
    expect(result.failures.map((f) => [f.source, f.error.code])).to.deep.equal([['C', 'network']]);
  });
});
