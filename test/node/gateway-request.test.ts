/**
 * How the gateway reads raw request targets and filters DICOM JSON answers, without a server. The
 * same cases are sent over HTTP to a real Orthanc in gateway.test.ts; these cover spellings an HTTP
 * client cannot send (raw control characters) and the answer filter on its own (a PACS that ignores
 * the forced StudyInstanceUID filter).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterDatasets } from '../../gateway/policy.js';
import { formatRoute, parseDicomwebRequest, type DicomwebRequest, type RequestProblem } from '../../gateway/request.js';

const A = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.11';
const INSTANCE = '1.2.826.0.1.3680043.8.498.111';

function reason(path: string, query = ''): string | undefined {
  const parsed = parseDicomwebRequest(path, query);
  return 'status' in parsed ? (parsed as RequestProblem).reason : undefined;
}

function route(path: string, query = ''): DicomwebRequest {
  const parsed = parseDicomwebRequest(path, query);
  assert.ok(!('status' in parsed), `expected ${path} to parse, got ${JSON.stringify(parsed)}`);
  return parsed as DicomwebRequest;
}

describe('request targets', () => {
  test('every DICOMweb route the viewer uses is recognized and rebuilt unchanged', () => {
    const paths = [
      '/studies',
      '/series',
      '/instances',
      `/studies/${A}`,
      `/studies/${A}/metadata`,
      `/studies/${A}/series`,
      `/studies/${A}/instances`,
      `/studies/${A}/series/${SERIES}`,
      `/studies/${A}/series/${SERIES}/metadata`,
      `/studies/${A}/series/${SERIES}/rendered`,
      `/studies/${A}/series/${SERIES}/instances`,
      `/studies/${A}/series/${SERIES}/instances/${INSTANCE}`,
      `/studies/${A}/series/${SERIES}/instances/${INSTANCE}/metadata`,
      `/studies/${A}/series/${SERIES}/instances/${INSTANCE}/frames/1`,
      `/studies/${A}/series/${SERIES}/instances/${INSTANCE}/frames/1,2,3`,
      `/studies/${A}/series/${SERIES}/instances/${INSTANCE}/frames/1/rendered`,
    ];
    for (const path of paths) assert.equal(formatRoute(route(path).route), path);
  });

  test('raw and encoded control characters are refused', () => {
    for (const [path, query] of [
      [`/studies/${A}\u0000`, ''],
      [`/studies/${A}%00`, ''],
      ['/studies', 'AccessionNumber=A%0d%0aX-Injected:1'],
      ['/studies', 'AccessionNumber=A\u007f'],
      [`/studies/${A}%7F`, ''],
    ] as const) {
      assert.equal(reason(path, query), 'control-character', JSON.stringify([path, query]));
    }
  });

  test('path tricks are refused, each with its own reason', () => {
    assert.equal(reason(`/studies/${A}/../${A}`), 'dot-segment');
    assert.equal(reason(`/studies/${A}/%2e%2e/x`), 'dot-segment');
    assert.equal(reason(`/studies/${A}/.%2E/x`), 'dot-segment');
    assert.equal(reason(`/studies/./${A}`), 'dot-segment');
    assert.equal(reason(`/studies/${A}%2Fseries`), 'encoded-slash');
    assert.equal(reason(`/studies/${A}%2fseries`), 'encoded-slash');
    assert.equal(reason(`/studies\\${A}`), 'backslash');
    assert.equal(reason(`/studies/${A}%5cseries`), 'backslash');
    assert.equal(reason(`//studies/${A}`), 'double-slash');
    assert.equal(reason(`/studies/${A}/`), 'empty-segment');
    assert.equal(reason(`/studies/${A}%E0%A4%A`), 'bad-encoding');
  });

  test('paths that are not DICOMweb routes answer not found', () => {
    for (const path of ['', '/', '/tools/find', `/studies/${A}/bulk/7fe00010`, `/studies/not-a-uid`, `/studies/${A}/series/${SERIES}/instances/${INSTANCE}/frames/0`, '/STUDIES']) {
      assert.equal(reason(path), 'unknown-route', path);
    }
  });

  test('parameters given twice in any spelling are refused', () => {
    assert.equal(reason('/studies', 'AccessionNumber=A&AccessionNumber=B'), 'duplicate-parameter');
    assert.equal(reason('/studies', 'AccessionNumber=A&accessionnumber=B'), 'mixed-case-duplicate');
    assert.equal(reason('/studies', 'AccessionNumber=A&00080050=B'), 'duplicate-attribute');
    assert.equal(reason('/studies', '0020000d=1.2&0020000D=1.3'), 'mixed-case-duplicate');
    assert.equal(reason('/series', 'includefield=0008103E&includefield=00200011'), 'duplicate-parameter');
    assert.equal(reason('/studies', 'limit=1&LIMIT=2'), 'mixed-case-duplicate');
  });

  test('an identifying keyword in another letter case is refused: a case-blind PACS would read it', () => {
    // Found by gateway-fuzz.test.ts: `studyinstanceuid=?` went to the PACS beside the forced StudyInstanceUID.
    for (const query of ['studyinstanceuid=%3F', 'ACCESSIONNUMBER=A', 'patientID=P', 'SeriesInstanceUid=1.2', 'sopinstanceuid=1.2']) {
      assert.equal(reason('/series', query), 'keyword-case', query);
    }
    assert.equal(route('/series', 'modalitiesinstudy=CT&PatientID=P').params.length, 2, 'other keywords keep their letter case free');
  });

  test('a token in the query string and parameter names that are neither keyword nor tag are refused', () => {
    assert.equal(reason('/studies', 'AccessionNumber=A&access_token=abc'), 'token-in-query');
    assert.equal(reason('/studies', 'Token=abc'), 'token-in-query');
    assert.equal(reason('/studies', 'Accession%20Number=A'), 'parameter-name');
    assert.equal(reason('/studies', 'a[b]=1'), 'parameter-name');
  });

  test('a backslash in a query value is left to the policy: it is DICOM\'s value separator', () => {
    assert.deepEqual(route('/studies', 'PatientID=P1&ModalitiesInStudy=CT%5CMR').params[1], { name: 'ModalitiesInStudy', key: 'modalitiesinstudy', value: 'CT\\MR' });
  });

  test('query values are decoded once, so an encoded wildcard is seen as a wildcard', () => {
    assert.deepEqual(route('/studies', 'AccessionNumber=FL%3F%2A').params, [{ name: 'AccessionNumber', key: '00080050', value: 'FL?*' }]);
  });
});

describe('answer filter', () => {
  const dataset = (study?: string, extra: Record<string, unknown> = {}) => ({
    ...(study ? { '0020000D': { vr: 'UI', Value: [study] } } : {}),
    ...extra,
  });

  test('datasets of other studies are dropped even when the PACS ignored the filter', () => {
    const answer = [dataset(A), dataset('1.2.3.4'), dataset(A), dataset('9.9')];
    const filtered = filterDatasets(answer, new Set([A]), true)!;
    assert.equal(filtered.datasets.length, 2);
    assert.deepEqual(filtered.studies, [A]);
    assert.ok(!JSON.stringify(filtered.datasets).includes('1.2.3.4'));
  });

  test('a root search drops datasets that do not say their study; a scoped one keeps them', () => {
    const answer = [dataset(undefined, { '0020000E': { vr: 'UI', Value: [SERIES] } })];
    assert.equal(filterDatasets(answer, new Set([A]), true)!.datasets.length, 0);
    assert.equal(filterDatasets(answer, new Set([A]), false)!.datasets.length, 1);
  });

  test('bulk data addresses of the PACS are removed at every depth', () => {
    const answer = [
      dataset(A, {
        '7FE00010': { vr: 'OW', BulkDataURI: 'http://pacs.internal:8042/dicom-web/studies/x/bulk/7fe00010' },
        '00081140': { vr: 'SQ', Value: [{ '00291010': { vr: 'OB', BulkDataURI: 'http://pacs.internal:8042/bulk/1' } }] },
      }),
    ];
    const text = JSON.stringify(filterDatasets(answer, new Set([A]), true)!.datasets);
    assert.ok(!text.includes('pacs.internal'));
    assert.ok(text.includes('"7FE00010":{"vr":"OW"}'));
  });

  test('an answer that is not an array is refused', () => {
    assert.equal(filterDatasets({ Details: 'error' }, new Set([A]), true), undefined);
  });
});
