/**
 * Sharing in the demo server, without a browser: the demo server runs in-process (API only, no Vite)
 * on the generated sample studies (a CT and an MR of two patients). A share token made for the CT
 * must open the CT through /shared/dicom-web and nothing else; its access code must lead to a link
 * that opens the CT; wrong codes are refused and, past ten a minute, rate-limited.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizeAccessCode } from '../../demo/server/demo-access-codes.js';
import { startDemoServer, type DemoServer } from '../../demo/server/demo-server.js';
import type { DemoRedeemed, DemoShareGrant } from '../../demo/server/demo-share.js';
import { generateSampleStudies } from '../../demo/server/sample-studies.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLES = path.join(REPO, '.cache/samples');
const DAY_MS = 24 * 3600 * 1000;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: <T = unknown>() => T;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The client's own address (any of 127.0.0.0/8): each test that counts attempts uses its own. */
  from?: string;
}

let demo: DemoServer;
/** Moves the clock of the demo's tokens and access codes (the expiry test). */
let clockOffsetMs = 0;
let CT: { uid: string; accession: string; patientID: string };
let MR: { uid: string; accession: string };

function request(url: string, options: RequestOptions = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: options.method ?? 'GET', headers, localAddress: options.from ?? '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function shareGrant(studyInstanceUID: string): Promise<DemoShareGrant> {
  const answer = await request(`${demo.url}/demo/share-token`, { method: 'POST', headers: bearer(demo.sessionToken), body: { studyInstanceUID } });
  assert.equal(answer.status, 200, answer.text);
  return answer.json<DemoShareGrant>();
}

function redeem(code: unknown, from = '127.0.0.1', headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${demo.url}/demo/redeem`, { method: 'POST', body: { code }, from, headers });
}

/** StudyInstanceUIDs of a DICOM JSON answer. */
function studiesIn(answer: Answer): string[] {
  return answer.json<Record<string, { Value?: string[] }>[]>().map((dataset) => dataset['0020000D']!.Value![0]!);
}

before(async () => {
  await generateSampleStudies(SAMPLES); // kept as is when written before
  demo = await startDemoServer({
    source: { folder: SAMPLES },
    pages: false,
    log: () => {},
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  const ct = demo.studies.find((study) => study.accessionNumber === 'SAMPLE-CT-1')!;
  const mr = demo.studies.find((study) => study.accessionNumber === 'SAMPLE-MR-1')!;
  const [ctStudy] = (await request(`${demo.url}/dicom-web/studies?AccessionNumber=SAMPLE-CT-1`, { headers: bearer(demo.sessionToken) })).json<
    Record<string, { Value?: string[] }>[]
  >();
  CT = { uid: ct.studyInstanceUID, accession: ct.accessionNumber, patientID: ctStudy!['00100020']!.Value![0]! };
  MR = { uid: mr.studyInstanceUID, accession: mr.accessionNumber };
});

after(async () => {
  await demo?.close();
});

describe('share tokens at /shared/dicom-web', () => {
  test('a share token opens its study: a search by its accession number finds it and its metadata answers', async () => {
    const { token, dicomwebUrl } = await shareGrant(CT.uid);
    assert.equal(dicomwebUrl, `${demo.url}/shared/dicom-web`);
    const search = await request(`${dicomwebUrl}/studies?AccessionNumber=${CT.accession}`, { headers: bearer(token) });
    assert.equal(search.status, 200, search.text);
    assert.deepEqual(studiesIn(search), [CT.uid]);
    const metadata = await request(`${dicomwebUrl}/studies/${CT.uid}/metadata`, { headers: { ...bearer(token), Accept: 'application/dicom+json' } });
    assert.equal(metadata.status, 200);
    assert.ok(metadata.json<unknown[]>().length > 1, 'the metadata of every instance');
  });

  test('a share token does not open another study, by path, by UID, by accession number or by patient', async () => {
    const { token, dicomwebUrl } = await shareGrant(CT.uid);
    const get = (target: string) => request(`${dicomwebUrl}${target}`, { headers: bearer(token) });
    assert.equal((await get(`/studies/${MR.uid}/metadata`)).status, 403);
    assert.equal((await get(`/studies/${MR.uid}/series`)).status, 403);
    assert.equal((await get(`/studies?StudyInstanceUID=${MR.uid}`)).status, 403);
    assert.equal((await get(`/studies?AccessionNumber=${MR.accession}`)).status, 403);
    // The MR's patient is searched inside the CT only: nothing comes back.
    const byPatient = await get('/studies?PatientID=FILMLESS-DEMO-2');
    assert.equal(byPatient.status, 200);
    assert.deepEqual(studiesIn(byPatient), []);
    assert.deepEqual(studiesIn(await get(`/studies?PatientID=${CT.patientID}`)), [CT.uid]);
  });

  test('a share token opens nothing at /dicom-web, and the session token nothing at /shared/dicom-web', async () => {
    const { token } = await shareGrant(CT.uid);
    assert.equal((await request(`${demo.url}/dicom-web/studies?AccessionNumber=${CT.accession}`, { headers: bearer(token) })).status, 401);
    assert.equal(
      (await request(`${demo.url}/shared/dicom-web/studies?AccessionNumber=${CT.accession}`, { headers: bearer(demo.sessionToken) })).status,
      401,
    );
  });

  test('the demo pages still read every study at /dicom-web with the session token', async () => {
    const answer = await request(`${demo.url}/dicom-web/studies`, { headers: bearer(demo.sessionToken) });
    assert.equal(answer.status, 200);
    assert.deepEqual(new Set(studiesIn(answer)), new Set(demo.studies.map((study) => study.studyInstanceUID)));
    assert.ok(studiesIn(answer).includes(CT.uid) && studiesIn(answer).includes(MR.uid));
  });

  test('a share link works for seven days', async () => {
    const before = Date.now();
    const { expiresAt } = await shareGrant(CT.uid);
    const lifetime = new Date(expiresAt).getTime() - before;
    assert.ok(Math.abs(lifetime - 7 * DAY_MS) < 60_000, `${lifetime} ms`);
  });
});

describe('POST /demo/share-token', () => {
  test('is refused with 401 without the session token, or with another token', async () => {
    const url = `${demo.url}/demo/share-token`;
    const missing = await request(url, { method: 'POST', body: { studyInstanceUID: CT.uid } });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const { token } = await shareGrant(CT.uid);
    assert.equal((await request(url, { method: 'POST', headers: bearer(token), body: { studyInstanceUID: CT.uid } })).status, 401);
  });

  test('is refused with 403 for a page on another origin, even with the session token', async () => {
    const answer = await request(`${demo.url}/demo/share-token`, {
      method: 'POST',
      headers: { ...bearer(demo.sessionToken), Origin: 'http://evil.example' },
      body: { studyInstanceUID: CT.uid },
    });
    assert.equal(answer.status, 403);
    assert.ok(!answer.text.includes('token"'), 'no token in the refusal');
    const crossSite = await request(`${demo.url}/demo/share-token`, {
      method: 'POST',
      headers: { ...bearer(demo.sessionToken), 'Sec-Fetch-Site': 'cross-site' },
      body: { studyInstanceUID: CT.uid },
    });
    assert.equal(crossSite.status, 403);
  });

  test('refuses a study the server does not hold (404), a body without a UID (400) and a GET (405)', async () => {
    const url = `${demo.url}/demo/share-token`;
    const ask = (body: unknown, method = 'POST') => request(url, { method, headers: bearer(demo.sessionToken), body });
    assert.equal((await ask({ studyInstanceUID: '1.2.3.4' })).status, 404);
    assert.equal((await ask({ studyInstanceUID: '1.2.*' })).status, 400);
    assert.equal((await ask('not json')).status, 400);
    assert.equal((await request(url, { headers: bearer(demo.sessionToken) })).status, 405);
  });
});

describe('access codes', () => {
  test('the access code redeems to a link with the token in its fragment and a query that opens the study', async () => {
    const grant = await shareGrant(CT.uid);
    assert.match(grant.accessCode, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const answer = await redeem(grant.accessCode);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const { link, studyInstanceUID } = answer.json<DemoRedeemed>();
    assert.equal(link, grant.link);
    assert.equal(studyInstanceUID, CT.uid);

    const url = new URL(link);
    assert.equal(url.origin + url.pathname, `${demo.url}/viewer.html`);
    assert.equal(new URLSearchParams(url.hash.slice(1)).get('token'), grant.token);
    assert.ok(!url.search.includes(grant.token), 'the token is not in the query');
    assert.equal(url.searchParams.get('requestType'), 'STUDY');
    assert.equal(url.searchParams.get('studyUID'), CT.uid);
    const dicomweb = url.searchParams.get('dicomweb')!;
    assert.equal(dicomweb, `${demo.url}/shared/dicom-web`);
    // What the standalone page asks first: the study's series, by StudyInstanceUID.
    const series = await request(`${dicomweb}/series?StudyInstanceUID=${CT.uid}`, { headers: bearer(grant.token) });
    assert.equal(series.status, 200);
    assert.ok(studiesIn(series).length > 0 && studiesIn(series).every((uid) => uid === CT.uid));
  });

  test('a code is accepted in lower case, with spaces or without its dash', async () => {
    const grant = await shareGrant(CT.uid);
    for (const typed of [grant.accessCode.toLowerCase(), grant.accessCode.replace('-', ' '), ` ${grant.accessCode.replace('-', '')} `]) {
      assert.equal((await redeem(typed, '127.0.0.4')).status, 200, typed);
    }
  });

  test('codes forgive look-alike letters: O reads as 0, I and L as 1', () => {
    assert.equal(normalizeAccessCode('ab0d-1ilo'), 'AB0D1110');
    assert.equal(normalizeAccessCode('ABOD 1ILO'), 'AB0D1110');
    assert.equal(normalizeAccessCode('ABCD-123'), undefined);
    assert.equal(normalizeAccessCode('ABCD-123U'), undefined, 'U is not in the alphabet');
  });

  test('a wrong code is refused, and the 11th attempt within a minute is rate-limited, the right code too', async () => {
    const grant = await shareGrant(CT.uid);
    const from = '127.0.0.2';
    const wrong = grant.accessCode.startsWith('Z') ? 'YYYY-YYYY' : 'ZZZZ-ZZZZ';
    for (let attempt = 1; attempt <= 10; attempt++) {
      const answer = await redeem(wrong, from);
      assert.equal(answer.status, 404, `attempt ${attempt}`);
      assert.deepEqual(answer.json(), { error: 'unknown-code' });
    }
    const eleventh = await redeem(wrong, from);
    assert.equal(eleventh.status, 429);
    assert.ok(Number(eleventh.headers['retry-after']) > 0 && Number(eleventh.headers['retry-after']) <= 60);
    assert.equal((await redeem(grant.accessCode, from)).status, 429);
    // Another client is not held back.
    assert.equal((await redeem(grant.accessCode, '127.0.0.5')).status, 200);
  });

  test('something that is not a code is told apart from a wrong code', async () => {
    assert.equal((await redeem('12', '127.0.0.6')).status, 400);
    assert.equal((await redeem(42, '127.0.0.6')).status, 400);
  });

  test('an expired code is told apart from a wrong one, and its token no longer opens the study', async () => {
    const grant = await shareGrant(CT.uid);
    clockOffsetMs = 8 * DAY_MS;
    try {
      const answer = await redeem(grant.accessCode, '127.0.0.3');
      assert.equal(answer.status, 410);
      assert.equal(answer.json<{ expiresAt: string }>().expiresAt, grant.expiresAt);
      const search = await request(`${grant.dicomwebUrl}/studies?AccessionNumber=${CT.accession}`, { headers: bearer(grant.token) });
      assert.equal(search.status, 401);
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('a page on another origin cannot redeem a code', async () => {
    const grant = await shareGrant(CT.uid);
    const answer = await redeem(grant.accessCode, '127.0.0.7', { Origin: 'http://evil.example' });
    assert.equal(answer.status, 403);
    assert.ok(!answer.text.includes(grant.token));
  });
});
