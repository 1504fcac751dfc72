/**
 * The reference token gateway in front of a REAL Orthanc, attacked the ways a hospital must expect:
 * other studies, open searches, wildcards, path tricks, repeated parameters, forged, expired, revoked
 * and used-up tokens, writes, foreign origins. Orthanc holds the shared MR study and two copies of it
 * under their own accession numbers (FL-GW-A, FL-GW-B): three studies of one patient. Tokens open A.
 *
 * Between the gateway and Orthanc sits a recording relay that demands the gateway's own Basic
 * credentials, so the tests see exactly what reaches the PACS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { SignJWT, base64url } from 'jose';
import { formatAuditLine, type AuditRecord } from '../../gateway/audit.js';
import { configureGateway, readGatewayConfig } from '../../gateway/config.js';
import { startGatewayServer } from '../../gateway/gateway.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '../../gateway/token-claims.js';
import { createTokenIssuer, type TokenRequest } from '../../gateway/token-issuer.js';
import { generateTokenKeyPair, loadSigningKey, TOKEN_TYPE, type SigningKey } from '../../gateway/token-keys.js';
import type { RevocationList } from '../../gateway/token-revocation.js';
import { copyStudyWithAccession, startOrthanc, uploadFolder, type OrthancServer } from '../support/orthanc.js';
import { generatedStudyFolder } from '../support/test-data.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ALLOWED_ORIGIN = 'https://his.hospital.test';
const PACS_USER = 'filmless-gateway';
const PACS_PASSWORD = 'pacs-secret-for-tests';
const PACS_AUTHORIZATION = `Basic ${Buffer.from(`${PACS_USER}:${PACS_PASSWORD}`).toString('base64')}`;
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

interface StudyIds {
  study: string;
  series: string;
  /** Every series of the study, sorted, as the PACS holds them. */
  allSeries: string[];
  instance: string;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

let orthanc: OrthancServer;
let relay: http.Server;
let gateway: { url: string; close: () => Promise<void> };
let gatewayPort: number;
let dir: string;
let revocationFile: string;
let revocations: RevocationList;
let key: SigningKey;
let A: StudyIds;
let B: StudyIds;
/** The original upload, without an accession number. */
let ORIGINAL: StudyIds;
let PATIENT_ID: string;
const audit: AuditRecord[] = [];
/** What reached the PACS, through the relay. */
const upstreamRequests: { method: string; url: string; authorization: string | undefined }[] = [];
/** Every token issued in this file, to prove none reaches a log or the PACS. */
const issuedTokens: string[] = [];

async function dicomJson(url: string): Promise<Record<string, { Value?: string[] }>[]> {
  const response = await fetch(url, { headers: { Accept: 'application/dicom+json' } });
  return (await response.json()) as Record<string, { Value?: string[] }>[];
}

async function idsOf(study: string): Promise<StudyIds> {
  const series = await dicomJson(`${orthanc.dicomwebUrl}/studies/${study}/series`);
  const seriesUid = series[0]!['0020000E']!.Value![0]!;
  const [instance] = await dicomJson(`${orthanc.dicomwebUrl}/studies/${study}/series/${seriesUid}/instances?limit=1`);
  const allSeries = series.map((s) => s['0020000E']!.Value![0]!).sort();
  return { study, series: seriesUid, allSeries, instance: instance!['00080018']!.Value![0]! };
}

/** Relays to Orthanc what carries the gateway's credentials, and records every request. */
function startRelay(target: string): Promise<string> {
  relay = http.createServer((req, res) => {
    upstreamRequests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== PACS_AUTHORIZATION) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic' }).end();
      return;
    }
    const outgoing = http.request(`${target}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    outgoing.on('error', () => res.writeHead(502).end());
    req.pipe(outgoing);
  });
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(relay.address() as net.AddressInfo).port}/dicom-web`)));
}

/** Sends a request with the raw path as written (no URL normalization on the way). */
function send(
  rawPath: string,
  options: { token?: string; origin?: string; method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/dicom+json', ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.origin) headers.Origin = options.origin;
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: gatewayPort, path: rawPath, method: options.method ?? 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text: body.toString('latin1') });
      });
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

const dw = (pathAndQuery: string) => `/dicom-web${pathAndQuery}`;

function datasets(answer: Answer): Record<string, { Value?: string[] }>[] {
  assert.equal(answer.status, 200, answer.text.slice(0, 200));
  return JSON.parse(answer.body.toString('utf8')) as Record<string, { Value?: string[] }>[];
}

function studiesIn(answer: Answer): string[] {
  return [...new Set(datasets(answer).map((d) => d['0020000D']?.Value?.[0] ?? '(none)'))];
}

/** Asserts that no UID of the other studies appears anywhere in an answer. */
function assertNoLeak(answer: Answer): void {
  for (const ids of [B, ORIGINAL]) {
    for (const uid of Object.values(ids)) assert.ok(!answer.text.includes(uid), `answer leaks ${uid}`);
  }
}

async function issue(request: Partial<TokenRequest> = {}, now?: Date, signingKey = key): Promise<{ token: string; jti: string }> {
  const issuer = createTokenIssuer({
    key: signingKey,
    issuer: DEFAULT_TOKEN_ISSUER,
    audience: DEFAULT_TOKEN_AUDIENCE,
    ...(now ? { now: () => now } : {}),
  });
  const issued = await issuer.issue({ studies: [A.study], purpose: 'patient', ttl: '15m', ...request });
  issuedTokens.push(issued.token);
  return { token: issued.token, jti: issued.jti };
}

/** Runs the requests of one test and returns what reached the PACS meanwhile. */
async function upstreamDuring(action: () => Promise<void>): Promise<typeof upstreamRequests> {
  const start = upstreamRequests.length;
  await action();
  return upstreamRequests.slice(start);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filmless-gateway-test-'));
  orthanc = await startOrthanc('filmless-gateway-test');
  // The generated brain MR (test-data.ts): there on a fresh clone, with nothing beside the repository.
  const [original] = await uploadFolder(orthanc, await generatedStudyFolder('SAMPLE-MR-1'));
  const studyA = await copyStudyWithAccession(orthanc, original!, 'FL-GW-A');
  const studyB = await copyStudyWithAccession(orthanc, original!, 'FL-GW-B');
  const all = await dicomJson(`${orthanc.dicomwebUrl}/studies`);
  const originalUid = all.map((s) => s['0020000D']!.Value![0]!).find((uid) => uid !== studyA && uid !== studyB)!;
  [A, B, ORIGINAL] = [await idsOf(studyA), await idsOf(studyB), await idsOf(originalUid)];
  PATIENT_ID = all[0]!['00100020']!.Value![0]!;

  const pair = await generateTokenKeyPair();
  key = await loadSigningKey({ pem: pair.privatePem, from: 'test' });
  revocationFile = path.join(dir, 'revoked.txt');
  await writeFile(revocationFile, '# revoked token ids\n');
  const config = await readGatewayConfig({
    FILMLESS_UPSTREAM: await startRelay(orthanc.url),
    FILMLESS_UPSTREAM_USER: PACS_USER,
    FILMLESS_UPSTREAM_PASSWORD: PACS_PASSWORD,
    FILMLESS_TOKEN_PUBLIC_KEY: pair.publicPem,
    FILMLESS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    FILMLESS_REVOCATION_LIST: revocationFile,
    FILMLESS_CORS_MAX_AGE: '7200',
  });
  const configured = await configureGateway(config, (record) => audit.push(record));
  revocations = configured.revocations;
  gateway = await startGatewayServer(configured.options);
  gatewayPort = Number(new URL(gateway.url).port);
});

after(async () => {
  await gateway?.close();
  relay?.closeAllConnections();
  await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  await orthanc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the allowed study', () => {
  test('a study search by the allowed accession number returns only the allowed study', async () => {
    const { token } = await issue();
    const answer = await send(dw('/studies?AccessionNumber=FL-GW-A'), { token });
    assert.deepEqual(studiesIn(answer), [A.study]);
    assertNoLeak(answer);
  });

  test("the viewer's series search by accession number returns the allowed study's series", async () => {
    const { token } = await issue();
    const answer = await send(dw('/series?00080050=FL-GW-A&includefield=0008103E,00200011,00201209'), { token });
    const found = datasets(answer);
    assert.deepEqual(found.map((d) => d['0020000E']!.Value![0]).sort(), A.allSeries);
  });

  test('the metadata of the allowed series comes through without the PACS bulk data addresses', async () => {
    const { token } = await issue();
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), { token });
    const instances = datasets(answer);
    // Every instance of the series, as the PACS itself counts them.
    const held = await dicomJson(`${orthanc.dicomwebUrl}/studies/${A.study}/series/${A.series}/instances`);
    assert.ok(held.length > 1);
    assert.equal(instances.length, held.length);
    assert.ok(instances.every((d) => d['0020000D']!.Value![0] === A.study));
    assert.ok(!answer.text.includes('BulkDataURI'));
    assert.ok(!answer.text.includes(new URL(orthanc.url).host));
    assert.equal(answer.headers['cache-control'], 'no-store');
  });

  test('a frame of the allowed study comes through as stored', async () => {
    const { token } = await issue();
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/instances/${A.instance}/frames/1`), {
      token,
      headers: { Accept: FRAME_ACCEPT },
    });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^multipart\/related/);
    // 256 × 256 pixels of 16 bits, uncompressed, plus the multipart framing.
    assert.ok(answer.body.length >= 256 * 256 * 2, `frame body is ${answer.body.length} bytes`);
  });

  test('DICOM JSON is gzipped for a client that takes gzip, to the same datasets, and frames are sent as they are', async () => {
    const { token } = await issue();
    const path = dw(`/studies/${A.study}/series/${A.series}/metadata`);
    const plain = await send(path, { token });
    const zipped = await send(path, { token, headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers.vary), /Accept-Encoding/);
    assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')));
    assert.ok(zipped.body.length * 4 < plain.body.length, `${zipped.body.length} bytes gzipped, ${plain.body.length} plain`);
    // gzip refused with q=0: sent plain.
    assert.equal((await send(path, { token, headers: { 'Accept-Encoding': 'gzip;q=0' } })).headers['content-encoding'], undefined);
    const frame = await send(dw(`/studies/${A.study}/series/${A.series}/instances/${A.instance}/frames/1`), {
      token,
      headers: { Accept: FRAME_ACCEPT, 'Accept-Encoding': 'gzip' },
    });
    assert.equal(frame.status, 200);
    assert.equal(frame.headers['content-encoding'], undefined);
  });

  test('a series search inside the allowed study needs no other filter', async () => {
    const { token } = await issue();
    const answer = await send(dw(`/studies/${A.study}/series`), { token });
    assert.deepEqual(datasets(answer).map((d) => d['0020000E']!.Value![0]).sort(), A.allSeries);
  });

  test('an abandoned series download is logged as 499', async () => {
    const { token, jti } = await issue();
    await new Promise<void>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: gatewayPort,
          path: dw(`/studies/${A.study}/series/${A.series}`),
          headers: { Authorization: `Bearer ${token}`, Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
        },
        (response) => {
          assert.equal(response.statusCode, 200);
          response.once('data', () => request.destroy());
          response.on('close', () => resolve());
        },
      );
      request.on('error', (error) => (request.destroyed ? resolve() : reject(error)));
      request.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const line = audit.filter((r) => r.jti === jti).at(-1)!;
    assert.deepEqual([line.status, line.reason], [499, 'client-closed']);
  });

  test('a HEAD request is answered without a body', async () => {
    const { token } = await issue();
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), { token, method: 'HEAD' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, 0);
  });

  test('a token for two studies finds both and not the third study of the same patient', async () => {
    const { token } = await issue({ studies: [A.study, B.study] });
    const answer = await send(dw(`/studies?PatientID=${encodeURIComponent(PATIENT_ID)}`), { token });
    assert.deepEqual(studiesIn(answer).sort(), [A.study, B.study].sort());
    assert.ok(!answer.text.includes(ORIGINAL.study));
  });
});

describe('other studies', () => {
  test("WADO paths under another study's UID are refused with 403 and leak nothing", async () => {
    const { token } = await issue();
    const paths = [
      `/studies/${B.study}`,
      `/studies/${B.study}/metadata`,
      `/studies/${B.study}/series`,
      `/studies/${B.study}/series/${B.series}/metadata`,
      `/studies/${B.study}/series/${B.series}/instances/${B.instance}/frames/1`,
      `/studies/${ORIGINAL.study}/series/${ORIGINAL.series}/rendered`,
    ];
    const reached = await upstreamDuring(async () => {
      for (const p of paths) {
        const answer = await send(dw(p), { token, headers: { Accept: '*/*' } });
        assert.equal(answer.status, 403, p);
        assert.equal(answer.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
        assert.ok(!answer.text.includes('"0020000D"'));
      }
    });
    assert.deepEqual(reached, []);
  });

  test("a search filtered on another study's UID is refused with 403", async () => {
    const { token } = await issue();
    for (const query of [
      `/studies?StudyInstanceUID=${B.study}`,
      `/series?StudyInstanceUID=${B.study}`,
      `/instances?0020000D=${ORIGINAL.study}`,
      `/studies?StudyInstanceUID=${A.study},${B.study}`,
    ]) {
      const answer = await send(dw(query), { token });
      assert.equal(answer.status, 403, query);
      assertNoLeak(answer);
    }
  });

  test("a search by another study's accession number, series or patient finds only the allowed study", async () => {
    const { token } = await issue();
    assert.deepEqual(datasets(await send(dw('/studies?AccessionNumber=FL-GW-B'), { token })), []);
    assert.deepEqual(datasets(await send(dw(`/series?SeriesInstanceUID=${B.series}`), { token })), []);
    const byPatient = await send(dw(`/studies?PatientID=${encodeURIComponent(PATIENT_ID)}`), { token });
    assert.deepEqual(studiesIn(byPatient), [A.study]);
    assertNoLeak(byPatient);
  });

  test("a series or instance of another study under the allowed study's path is not found, without details", async () => {
    const { token } = await issue();
    for (const p of [
      `/studies/${A.study}/series/${B.series}/metadata`,
      `/studies/${A.study}/series/${A.series}/instances/${B.instance}/frames/1`,
      `/studies/${A.study}/series/${B.series}/instances/${B.instance}`,
    ]) {
      const answer = await send(dw(p), { token, headers: { Accept: '*/*' } });
      assert.equal(answer.status, 404, p);
      assert.equal(answer.text, 'Not found');
    }
  });

  test('a token issued for an accession number refuses searches for another one', async () => {
    const { token } = await issue({ accession: 'FL-GW-A' });
    assert.equal((await send(dw('/studies?AccessionNumber=FL-GW-B'), { token })).status, 403);
    assert.equal((await send(dw('/studies?AccessionNumber=FL-GW-A'), { token })).status, 200);
  });
});

describe('searches', () => {
  test('a search without an identifying filter is refused with 400', async () => {
    const { token } = await issue();
    const reached = await upstreamDuring(async () => {
      for (const query of [
        '/studies',
        '/series?includefield=all',
        '/instances?limit=10',
        '/studies?AccessionNumber=',
        '/studies?StudyDate=20220407',
      ]) {
        const answer = await send(dw(query), { token });
        assert.equal(answer.status, 400, query);
        assert.equal(answer.text, 'Bad request (unfiltered-search)');
      }
    });
    assert.deepEqual(reached, []);
  });

  test('wildcards in the accession number are refused with 400', async () => {
    const { token } = await issue();
    for (const query of ['AccessionNumber=FL-GW-*', 'AccessionNumber=*', 'AccessionNumber=FL-GW-%3F', '00080050=FL%2A', 'AccessionNumber=FL-GW-?']) {
      const answer = await send(dw(`/studies?${query}`), { token });
      assert.equal(answer.status, 400, query);
      assert.equal(answer.text, 'Bad request (wildcard)');
    }
  });

  test('wildcards in UIDs and patient IDs are refused with 400', async () => {
    const { token } = await issue();
    for (const query of [`/studies?StudyInstanceUID=${A.study.slice(0, 10)}*`, `/series?SeriesInstanceUID=1.3.%3F`, '/studies?PatientID=cr*']) {
      assert.equal((await send(dw(query), { token })).status, 400, query);
    }
  });

  test('a value list (backslash) in an identifying filter is refused with 400', async () => {
    const { token } = await issue();
    for (const query of [`/studies?StudyInstanceUID=${A.study}%5C${B.study}`, '/studies?AccessionNumber=FL-GW-A%5CFL-GW-B', '/studies?PatientID=x%5Cy']) {
      const answer = await send(dw(query), { token });
      assert.equal(answer.status, 400, query);
      assert.equal(answer.text, 'Bad request (value-list)');
    }
  });

  test("the viewer's patient search by modality finds only the allowed study, and a modality list passes the gateway", async () => {
    const { token } = await issue();
    const patient = `/studies?00100020=${encodeURIComponent(PATIENT_ID)}&includefield=00080020,00080050`;
    const answer = await send(dw(`${patient}&00080061=MR`), { token });
    assert.deepEqual(studiesIn(answer), [A.study]);
    assertNoLeak(answer);
    // A backslash list outside the identifying filters is DICOM multi-value matching, not a trick.
    // (Orthanc itself answers nothing to a ModalitiesInStudy list.)
    const list = await send(dw(`${patient}&00080061=CT%5CMR`), { token });
    assert.equal(list.status, 200);
    assertNoLeak(list);
  });

  test('a parameter given twice is refused with 400', async () => {
    const { token } = await issue();
    const answer = await send(dw('/studies?AccessionNumber=FL-GW-A&AccessionNumber=FL-GW-B'), { token });
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Bad request (duplicate-parameter)');
    assert.equal((await send(dw('/series?AccessionNumber=FL-GW-A&includefield=0008103E&includefield=00200011'), { token })).status, 400);
  });

  test('a parameter repeated in other letter case or as its tag is refused with 400', async () => {
    const { token } = await issue();
    for (const query of [
      'AccessionNumber=FL-GW-A&accessionNumber=FL-GW-B',
      'AccessionNumber=FL-GW-A&ACCESSIONNUMBER=FL-GW-B',
      'AccessionNumber=FL-GW-A&00080050=FL-GW-B',
      `0020000d=${A.study}&0020000D=${B.study}`,
    ]) {
      assert.equal((await send(dw(`/studies?${query}`), { token })).status, 400, query);
    }
  });

  test('a token in the query string is refused and stays out of the audit log', async () => {
    const { token, jti } = await issue();
    const answer = await send(dw(`/studies?AccessionNumber=FL-GW-A&access_token=${token}`), { token });
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Bad request (token-in-query)');
    const line = audit.find((r) => r.jti === jti)!;
    assert.deepEqual(line.params, ['AccessionNumber', 'access_token']);
    assert.ok(!formatAuditLine(line).includes(token));
  });
});

describe('path tricks', () => {
  const rejected = async (rawPath: string, reason: string) => {
    const { token } = await issue();
    const reached = await upstreamDuring(async () => {
      const answer = await send(rawPath, { token });
      assert.equal(answer.status, 400, rawPath);
      assert.equal(answer.text, `Bad request (${reason})`, rawPath);
    });
    assert.deepEqual(reached, [], `${rawPath} reached the PACS`);
  };

  test('a dot-dot segment is refused with 400', async () => {
    await rejected(dw(`/studies/${A.study}/../${B.study}/metadata`), 'dot-segment');
    await rejected(dw(`/studies/${A.study}/series/../../../studies/${B.study}`), 'dot-segment');
    await rejected(dw(`/../dicom-web/studies/${B.study}`), 'dot-segment');
    await rejected(dw(`/studies/./${A.study}`), 'dot-segment');
  });

  test('an encoded dot-dot segment is refused with 400', async () => {
    await rejected(dw(`/studies/${A.study}/%2e%2e/${B.study}`), 'dot-segment');
    await rejected(dw(`/studies/${A.study}/.%2E/${B.study}`), 'dot-segment');
    await rejected(dw(`/studies/${A.study}/%2E./${B.study}`), 'dot-segment');
  });

  test('an encoded slash is refused with 400', async () => {
    await rejected(dw(`/studies/${A.study}%2Fseries`), 'encoded-slash');
    await rejected(dw(`/studies/${A.study}%2fseries%2f${A.series}`), 'encoded-slash');
  });

  test('a backslash, raw or encoded, is refused with 400', async () => {
    await rejected(dw(`/studies\\${A.study}`), 'backslash');
    await rejected(dw(`/studies/${A.study}%5C..%5C${B.study}`), 'backslash');
  });

  test('a double slash is refused with 400', async () => {
    await rejected(`/dicom-web//studies/${A.study}`, 'double-slash');
    await rejected(dw(`/studies//${A.study}/metadata`), 'double-slash');
  });

  test('an encoded NUL or line break is refused with 400', async () => {
    await rejected(dw(`/studies/${A.study}%00/metadata`), 'control-character');
    await rejected(dw('/studies?AccessionNumber=FL-GW-A%0D%0AX-Injected:%201'), 'control-character');
  });

  test('a raw control character is refused before the gateway sees the request', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(gatewayPort, '127.0.0.1', () => socket.end(`GET /dicom-web/studies/${A.study}\u0000/metadata HTTP/1.1\r\nHost: x\r\n\r\n`));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
  });

  test('the forwarding gateway (a token check, no policy) gzips DICOM JSON for a client that takes gzip, and frames not', async () => {
    const simple = await startGatewayServer({ upstream: orthanc.dicomwebUrl, verifyToken: (token) => (token === 'forward-test' ? 'demo' : undefined), allowedOrigins: [] });
    try {
      const get = (path: string, headers: Record<string, string>) =>
        new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const request = http.get(`${simple.url}${path}`, { headers: { Authorization: 'Bearer forward-test', ...headers } }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
          });
          request.on('error', reject);
        });
      const path = `/studies/${A.study}/series/${A.series}/metadata`;
      const plain = await get(path, { Accept: 'application/dicom+json' });
      const zipped = await get(path, { Accept: 'application/dicom+json', 'Accept-Encoding': 'gzip' });
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString('utf8')), JSON.parse(plain.body.toString('utf8')));
      const frame = await get(`/studies/${A.study}/series/${A.series}/instances/${A.instance}/frames/1`, { Accept: FRAME_ACCEPT, 'Accept-Encoding': 'gzip' });
      assert.equal(frame.headers['content-encoding'], undefined);
      assert.ok(frame.body.length >= 256 * 256 * 2);
    } finally {
      await simple.close();
    }
  });

  test('a malformed absolute-form request target is answered 404 and the gateway keeps serving, in both modes', async () => {
    const simple = await startGatewayServer({ upstream: orthanc.dicomwebUrl, verifyToken: () => 'demo', allowedOrigins: [] });
    try {
      for (const port of [gatewayPort, Number(new URL(simple.url).port)]) {
        const reply = await new Promise<string>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => socket.end('GET http://[/dicom-web/studies HTTP/1.1\r\nHost: x\r\n\r\n'));
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
        });
        assert.match(reply, /^HTTP\/1\.1 404/);
      }
      const { token } = await issue();
      assert.equal((await send(dw('/studies?AccessionNumber=FL-GW-A'), { token })).status, 200);
    } finally {
      await simple.close();
    }
  });

  test('a path outside the gateway or not a DICOMweb route is not found', async () => {
    const { token } = await issue();
    const reached = await upstreamDuring(async () => {
      for (const p of [
        `/x/../dicom-web/studies/${A.study}/metadata`,
        dw('/tools/find'),
        dw(`/studies/${A.study}/series/${A.series}/instances/${A.instance}/bulk/7fe00010`),
        dw('/studies/not-a-uid'),
      ]) {
        assert.equal((await send(p, { token })).status, 404, p);
      }
    });
    assert.deepEqual(reached, []);
  });
});

describe('tokens', () => {
  const refused = async (token: string | undefined) => {
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), token ? { token } : {});
    assert.equal(answer.status, 401);
    assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
    assert.equal(answer.text, 'A valid bearer token is required');
    return answer;
  };
  const lastReason = (jti?: string) => (jti ? audit.filter((r) => r.jti === jti) : audit).at(-1)?.reason;

  test('a request without a token is refused with 401', async () => {
    await refused(undefined);
    assert.equal(lastReason(), 'missing');
  });

  test('an expired token is refused with 401', async () => {
    const { token, jti } = await issue({}, new Date(Date.now() - 2 * 3600_000));
    await refused(token);
    assert.equal(lastReason(jti), 'expired');
  });

  test('a token that is not yet valid is refused with 401', async () => {
    const { token, jti } = await issue({ notBeforeSeconds: 3600 });
    await refused(token);
    assert.equal(lastReason(jti), 'not-yet-valid');
  });

  test('a token signed with another key is refused with 401', async () => {
    const other = await loadSigningKey({ pem: (await generateTokenKeyPair()).privatePem, from: 'other' });
    await refused((await issue({}, undefined, other)).token);
    await refused((await issue({}, undefined, { privateKey: other.privateKey, kid: key.kid })).token);
    assert.equal(lastReason(), 'signature');
  });

  test('an unsigned token (alg none) is refused with 401', async () => {
    const { token } = await issue();
    const payload = token.split('.')[1]!;
    await refused(`${base64url.encode(JSON.stringify({ alg: 'none', typ: TOKEN_TYPE }))}.${payload}.`);
    assert.equal(lastReason(), 'algorithm');
  });

  test('a token signed with HS256 and the public key as secret is refused with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ jti: 'forged-hs256-token', studies: [B.study], purpose: 'clinician' })
      .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE, kid: key.kid })
      .setIssuer(DEFAULT_TOKEN_ISSUER)
      .setAudience(DEFAULT_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('any secret at all'));
    await refused(forged);
    assert.equal(lastReason(), 'algorithm');
  });

  test('a token whose payload was altered to add a study is refused with 401', async () => {
    const { token } = await issue();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${base64url.encode(JSON.stringify({ ...claims, studies: [A.study, B.study] }))}.${signature}`;
    const answer = await send(dw(`/studies/${B.study}/series/${B.series}/metadata`), { token: altered });
    assert.equal(answer.status, 401);
    assertNoLeak(answer);
    assert.equal(lastReason(), 'signature');
  });

  test('a token for another gateway is refused with 401', async () => {
    const elsewhere = createTokenIssuer({ key, issuer: DEFAULT_TOKEN_ISSUER, audience: 'https://other-gateway.test' });
    const issued = await elsewhere.issue({ studies: [A.study], purpose: 'patient', ttl: '15m' });
    issuedTokens.push(issued.token);
    await refused(issued.token);
    assert.equal(lastReason(issued.jti), 'wrong-audience');
  });

  test('a revoked token is refused with 401 once the revocation list is reloaded', async () => {
    const { token, jti } = await issue();
    const metadata = dw(`/studies/${A.study}/series/${A.series}/metadata`);
    assert.equal((await send(metadata, { token })).status, 200);
    await appendFile(revocationFile, `${jti} # test\n`);
    await revocations.reload();
    await refused(token);
    assert.equal(lastReason(jti), 'revoked');
  });

  test('a token whose use limit is exhausted is refused with 401', async () => {
    const { token, jti } = await issue({ uses: 2 });
    const metadata = dw(`/studies/${A.study}/series/${A.series}/metadata`);
    assert.equal((await send(metadata, { token })).status, 200);
    // A refused request does not count as a use.
    assert.equal((await send(dw(`/studies/${B.study}`), { token })).status, 403);
    assert.equal((await send(dw('/studies?AccessionNumber=FL-GW-A'), { token })).status, 200);
    await refused(token);
    assert.equal(lastReason(jti), 'uses-exhausted');
  });
});

describe('methods and origins', () => {
  test('POST, PUT, DELETE and PATCH are refused with 405 and never reach the PACS', async () => {
    const { token } = await issue();
    const before = (await dicomJson(`${orthanc.dicomwebUrl}/studies`)).length;
    const reached = await upstreamDuring(async () => {
      for (const [method, p] of [
        ['POST', '/studies'],
        ['PUT', `/studies/${A.study}`],
        ['DELETE', `/studies/${A.study}`],
        ['PATCH', `/studies/${A.study}`],
      ] as const) {
        const answer = await send(dw(p), { token, method, body: Buffer.from('not a dataset'), headers: { 'Content-Type': 'application/dicom' } });
        assert.equal(answer.status, 405, method);
        assert.equal(answer.headers.allow, 'GET, HEAD, OPTIONS');
      }
    });
    assert.deepEqual(reached, []);
    assert.equal((await dicomJson(`${orthanc.dicomwebUrl}/studies`)).length, before);
  });

  test('a page on a disallowed origin gets 403 without CORS headers, even with a valid token', async () => {
    const { token } = await issue();
    const reached = await upstreamDuring(async () => {
      const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), { token, origin: 'https://evil.test' });
      assert.equal(answer.status, 403);
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      assert.ok(!answer.text.includes(A.study));
    });
    assert.deepEqual(reached, []);
  });

  test('a preflight from a disallowed origin gets 403 without CORS headers', async () => {
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), {
      method: 'OPTIONS',
      origin: 'https://evil.test',
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    assert.equal(answer.headers['access-control-allow-methods'], undefined);
  });

  test('a preflight from the allowed origin is answered with methods, headers and max age', async () => {
    const answer = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), {
      method: 'OPTIONS',
      origin: ALLOWED_ORIGIN,
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.equal(answer.headers['access-control-allow-methods'], 'GET, HEAD');
    assert.match(String(answer.headers['access-control-allow-headers']), /Authorization/);
    assert.equal(answer.headers['access-control-max-age'], '7200');
  });

  test('the allowed origin gets CORS headers on answers and on refusals', async () => {
    const { token } = await issue();
    const ok = await send(dw(`/studies/${A.study}/series/${A.series}/metadata`), { token, origin: ALLOWED_ORIGIN });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.match(String(ok.headers.vary), /^Origin\b/);
    assert.match(String(ok.headers['access-control-expose-headers']), /Content-Type/);
    const refusedAnswer = await send(dw(`/studies/${B.study}/metadata`), { token, origin: ALLOWED_ORIGIN });
    assert.equal(refusedAnswer.status, 403);
    assert.equal(refusedAnswer.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  });
});

describe('upstream and audit', () => {
  test("the PACS receives the gateway's own credentials and never a client token", async () => {
    const { token } = await issue();
    await send(dw('/studies?AccessionNumber=FL-GW-A'), { token });
    assert.ok(upstreamRequests.length > 0);
    for (const request of upstreamRequests) {
      assert.equal(request.authorization, PACS_AUTHORIZATION);
      assert.equal(request.method, 'GET');
      for (const issued of issuedTokens) assert.ok(!request.url.includes(issued));
    }
  });

  test('the forced filter is what the PACS is asked: one search per allowed study', async () => {
    const { token } = await issue({ studies: [A.study, B.study] });
    const reached = await upstreamDuring(async () => {
      assert.equal((await send(dw('/studies?AccessionNumber=FL-GW-A'), { token })).status, 200);
    });
    assert.deepEqual(
      reached.map((r) => r.url),
      [A.study, B.study].map((uid) => `/dicom-web/studies?AccessionNumber=FL-GW-A&StudyInstanceUID=${uid}`),
    );
  });

  test('the audit log has one JSON line per request with the token id, and never the token', async () => {
    const { token, jti } = await issue({ purpose: 'consult', subject: 'user-4711' });
    const requests = [
      dw('/studies?AccessionNumber=FL-GW-A'),
      dw(`/studies/${A.study}/series/${A.series}/metadata`),
      dw(`/studies/${B.study}/metadata`),
      dw(`/studies/${A.study}/../${B.study}`),
    ];
    for (const p of requests) await send(p, { token, origin: ALLOWED_ORIGIN });
    // Lines of allowed requests are written when the answer is complete.
    await new Promise((r) => setTimeout(r, 50));
    const lines = audit.filter((r) => r.jti === jti);
    assert.equal(lines.length, requests.length);
    assert.deepEqual(
      lines.map((r) => [r.status, r.result, r.reason]),
      [
        [200, 'allow', 'ok'],
        [200, 'allow', 'ok'],
        [403, 'deny', 'study-not-allowed'],
        [400, 'deny', 'dot-segment'],
      ],
    );
    assert.deepEqual(lines[0]!.studies, [A.study]);
    assert.deepEqual(lines[0]!.params, ['AccessionNumber']);
    assert.equal(lines[0]!.path, '/dicom-web/studies');
    assert.deepEqual(lines[2]!.studies, [B.study]);
    for (const line of lines) {
      assert.equal(line.purpose, 'consult');
      assert.equal(line.sub, 'user-4711');
      assert.equal(line.origin, ALLOWED_ORIGIN);
      assert.equal(line.event, 'dicomweb-access');
      assert.deepEqual(JSON.parse(formatAuditLine(line)), line);
    }
    // Nothing logged by the whole file holds a token or the PACS credentials.
    const everything = audit.map(formatAuditLine).join('');
    for (const issued of issuedTokens) assert.ok(!everything.includes(issued));
    assert.ok(!everything.includes(PACS_PASSWORD) && !everything.includes(PACS_AUTHORIZATION));
    assert.ok(!everything.includes('FL-GW-A'), 'query values (accession numbers) stay out of the audit log');
  });

  test('the gateway service starts from its environment and serves a token from the CLI', async () => {
    const keys = path.join(dir, 'service-keys');
    await (await import('node:fs/promises')).mkdir(keys);
    const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
      spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'gateway', script), ...args], {
        cwd: REPO,
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const output = (child: ReturnType<typeof tsx>, until: RegExp) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        const onData = (chunk: Buffer) => {
          text += chunk.toString();
          if (until.test(text)) resolve(text);
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.on('exit', (code) => (until.test(text) ? resolve(text) : reject(new Error(`exited ${code}: ${text}`))));
      });
    await output(tsx('token-cli.ts', ['keygen', '--out', keys], {}), /Wrote/);
    const issuing = tsx('token-cli.ts', ['issue', '--study', A.study, '--purpose', 'clinician', '--ttl', '5m'], {
      FILMLESS_TOKEN_KEY_FILE: path.join(keys, 'token-private.pem'),
    });
    const tokenLine = await output(issuing, /token id/);
    const token = /^([\w-]+\.[\w-]+\.[\w-]+)$/m.exec(tokenLine)![1]!;
    issuedTokens.push(token);

    const service = tsx('main.ts', [], {
      PORT: '0',
      FILMLESS_UPSTREAM: `http://${PACS_USER}:${PACS_PASSWORD}@${new URL(relay.address() ? `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}` : '').host}/dicom-web`,
      FILMLESS_TOKEN_PUBLIC_KEY_FILE: path.join(keys, 'token-public.pem'),
      FILMLESS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    });
    try {
      const started = await output(service, /Filmless gateway on (http:\/\/[^ ]+)/);
      const base = /Filmless gateway on (http:\/\/[^ ]+)/.exec(started)![1]!;
      const health = await fetch(new URL('/healthz', base));
      assert.equal(health.status, 200);
      // Its audit log goes to stdout when no file is configured (listened for before asking: the line
      // may come before the answer's body has been read).
      const logged = output(service, /"reason":"ok"/);
      const answer = await fetch(`${base}/studies?AccessionNumber=FL-GW-A`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(answer.status, 200);
      const found = (await answer.json()) as Record<string, { Value: string[] }>[];
      assert.deepEqual(
        found.map((d) => d['0020000D']!.Value[0]),
        [A.study],
      );
      assert.ok(!(await logged).includes(token));
    } finally {
      service.kill('SIGTERM');
      await new Promise((resolve) => (service.exitCode === null ? service.once('exit', resolve) : resolve(undefined)));
    }
  });
});
