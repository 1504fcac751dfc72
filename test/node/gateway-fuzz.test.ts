/**
 * Fuzzes the reference gateway with thousands of generated requests: paths, queries, methods and
 * headers built from DICOMweb's own vocabulary and the tricks gateway.test.ts tries one by one
 * (dot segments, encodings, control characters, value lists, wildcards, duplicate and oddly spelled
 * parameters, foreign study UIDs, forged and expired tokens, foreign origins, long values), sent as raw
 * bytes over TCP so that nothing on the way normalizes them.
 *
 * The upstream here is a small recording stub, not Orthanc: the gateway is the system under test, and
 * the stub can do what no honest PACS does, answering every DICOM JSON query with a dataset of a study
 * the token does not open (and one naming no study), so the gateway's filtering is tested on every
 * answer. The stub itself never fails, so every 5xx would be the gateway's own.
 *
 * Checked for every request: an answer comes, and it is not 5xx; no answer carries the foreign study's
 * UID or a token. Checked on what reached the stub: every request names only the token's study (in its
 * path, or as the one StudyInstanceUID filter of a root search), in one plain spelling.
 *
 * The generator is a seeded PRNG (mulberry32): the same requests every run. FILMLESS_FUZZ_SEED and
 * FILMLESS_FUZZ_COUNT change the seed and the number of requests (default 3000); a failure names the
 * seed and the request. FILMLESS_FUZZ_REDIS=1 keeps the token state in a real redis-server instead of
 * memory (the default configuration, tested here every run).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AuditRecord } from '../../gateway/audit.js';
import { configureGateway, readGatewayConfig } from '../../gateway/config.js';
import { startGatewayServer } from '../../gateway/gateway.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '../../gateway/token-claims.js';
import { createTokenIssuer, type TokenRequest } from '../../gateway/token-issuer.js';
import { generateTokenKeyPair, loadSigningKey, type SigningKey } from '../../gateway/token-keys.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const SEED = Number(process.env.FILMLESS_FUZZ_SEED ?? 0x5eed);
const COUNT = Number(process.env.FILMLESS_FUZZ_COUNT ?? 3000);
const PARALLEL = 12;
const ALLOWED_ORIGIN = 'https://his.hospital.test';
/** The study every token opens, its accession, and one of its series and instances. */
const A = '1.2.826.0.1.3680043.8.498.1001';
const A_ACCESSION = 'FZ-A';
const A_SERIES = '1.2.826.0.1.3680043.8.498.1001.1';
const A_INSTANCE = '1.2.826.0.1.3680043.8.498.1001.1.1';
/** A study no token opens: it must never reach the stub in a request nor the client in an answer. */
const X = '1.2.826.0.1.3680043.8.498.2002';
const X_SERIES = '1.2.826.0.1.3680043.8.498.2002.1';
/** The series of the stub's dataset that names no study. */
const NO_STUDY_SERIES = '1.2.826.0.1.3680043.8.498.3003.1';

/** mulberry32: a small, well-known 32-bit PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Upstreamed {
  url: string;
  authorization: string | undefined;
}

let upstream: http.Server;
let gateway: { url: string; close: () => Promise<void> };
let redis: RedisServer | undefined;
let closeState: () => Promise<void> = async () => undefined;
let port: number;
let key: SigningKey;
let otherKey: SigningKey;
const received: Upstreamed[] = [];
const audit: AuditRecord[] = [];
const tokens: string[] = [];

/** A dataset as a PACS answers it: the study, series and instance UIDs, and an accession. */
function dataset(study: string | undefined, series: string, accession: string): Record<string, unknown> {
  return {
    ...(study ? { '0020000D': { vr: 'UI', Value: [study] } } : {}),
    '0020000E': { vr: 'UI', Value: [series] },
    '00080050': { vr: 'SH', Value: [accession] },
    '7FE00010': { vr: 'OB', BulkDataURI: `http://pacs.internal/bulk/${series}` },
  };
}

function startUpstream(): Promise<string> {
  upstream = http.createServer((req, res) => {
    received.push({ url: req.url ?? '', authorization: req.headers.authorization });
    // DICOM JSON for searches and metadata (what the gateway filters); bytes for everything else, as
    // a PACS answers a retrieval of the study named in the path (the gateway streams those through).
    if (/\/(metadata|studies|series|instances)$/.test((req.url ?? '').split('?')[0]!)) {
      // An allowed dataset, another study's, and one naming no study. The other study's never comes
      // through; the one naming no study only where the path already names the study (the gateway
      // leaves the PACS to locate series and instances inside it, see policy.ts), never in a root search.
      const body = JSON.stringify([dataset(A, A_SERIES, A_ACCESSION), dataset(X, X_SERIES, 'FZ-X'), dataset(undefined, NO_STUDY_SERIES, 'FZ-NONE')]);
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(body);
      return;
    }
    const body = '--b\r\nContent-Type: application/octet-stream\r\n\r\npixel data\r\n--b--';
    res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/octet-stream"; boundary=b' }).end(body);
  });
  return new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/dicom-web`)));
}

async function issue(request: Partial<TokenRequest> = {}, signingKey = key, now?: Date): Promise<string> {
  const issuer = createTokenIssuer({ key: signingKey, issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE, ...(now ? { now: () => now } : {}) });
  const { token } = await issuer.issue({ studies: [A], purpose: 'clinician', ttl: '15m', ...request });
  tokens.push(token);
  return token;
}

/** The generated request, as the bytes that go on the wire. */
interface Generated {
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

function generator(random: () => number, valid: { plain: string; accession: string; uses: string; expired: string; foreignKey: string }) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const junk = (length: number) => Array.from({ length }, () => String.fromCharCode(0x21 + Math.floor(random() * 94))).join('');

  const uids = [A, A, A, X, A_SERIES, X_SERIES, A_INSTANCE, `${A},${X}`, `${X},${A}`, `${A}.`, `0${A}`, `${A}*`, `${A}\\${X}`, '1.2.3', '1..2', `${'1.'.repeat(40)}1`];
  const words = ['studies', 'series', 'instances', 'frames', 'metadata', 'rendered', 'thumbnail', 'bulkdata', 'pixeldata', '1', '1,2', '0', '999999'];
  const tricks = ['..', '.', '%2e%2e', '%2E.', '%2f', '%2F', '%5c', '\\', '', '%00', '%0d%0a', '%ZZ', '%', '*', '?', ';jsessionid=1', '%u002e', '\u00e4', '%C3%A4', '%252e%252e', '\x01', `${A}%2f..%2f${X}`];
  const segment = (): string => {
    const r = random();
    if (r < 0.45) return pick(words);
    if (r < 0.8) return pick(uids);
    if (r < 0.95) return pick(tricks);
    return encodeURIComponent(junk(1 + Math.floor(random() * 12)));
  };
  /** Mostly real DICOMweb shapes with one or two parts swapped, sometimes anything at all. */
  const path = (): string => {
    const prefix = chance(0.92) ? '/dicom-web' : pick(['', '/DICOM-WEB', '/dicom-web/..', '//dicom-web', '/dicom-web%2f', '/x/../dicom-web', '/dicom-webx']);
    const shapes: string[][] = [
      ['studies'],
      ['series'],
      ['instances'],
      ['studies', A],
      ['studies', A, 'series'],
      ['studies', A, 'metadata'],
      ['studies', A, 'series', A_SERIES],
      ['studies', A, 'series', A_SERIES, 'metadata'],
      ['studies', A, 'series', A_SERIES, 'instances'],
      ['studies', A, 'series', A_SERIES, 'instances', A_INSTANCE, 'frames', '1'],
      ['studies', A, 'series', A_SERIES, 'instances', A_INSTANCE, 'frames', '1,2', 'rendered'],
      ['studies', X, 'series'],
    ];
    const parts = chance(0.85) ? [...pick(shapes)] : Array.from({ length: Math.floor(random() * 9) }, segment);
    const swaps = chance(0.5) ? 1 + Math.floor(random() * 2) : 0;
    for (let i = 0; i < swaps && parts.length > 0; i++) parts[Math.floor(random() * parts.length)] = segment();
    if (chance(0.05)) parts.push('');
    return `${prefix}/${parts.join('/')}`;
  };
  const names = [
    'StudyInstanceUID', 'studyinstanceuid', '0020000D', '0020000d', 'AccessionNumber', '00080050', 'PatientID', '00100020',
    'SeriesInstanceUID', 'SOPInstanceUID', 'ModalitiesInStudy', 'includefield', 'limit', 'offset', 'fuzzymatching',
    'access_token', 'token', 'Authorization', '00080051.00400031', '0020000D.00000000', 'viewport', 'quality', 'charset', 'a b', '', '%ZZ', '\u00e4',
  ];
  const values = [A, A, X, `${A},${X}`, `${A},${A}`, A_SERIES, X_SERIES, A_ACCESSION, 'FZ-X', 'FZ-*', '*', '?', `${A}\\${X}`, 'CT\\MR', '', 'all', '10', '-1', '%00', '%0A', '%ZZ', '%2f', '\u00e4'];
  const query = (): string => {
    if (chance(0.25)) return '';
    if (chance(0.2)) return pick(['?AccessionNumber=FZ-A', `?StudyInstanceUID=${A}`, '?PatientID=FZ-P&ModalitiesInStudy=CT%5CMR', '?includefield=all&limit=10', '?quality=90']);
    const count = Math.floor(random() * 5);
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = pick(names);
      const value = chance(0.05) ? junk(200 + Math.floor(random() * 3000)) : pick(values);
      const encoded = chance(0.5) ? encodeURIComponent(value) : value.replace(/[\s#]/g, '+');
      parts.push(chance(0.05) ? name : `${name}=${encoded}`);
    }
    if (chance(0.05)) parts.push(pick(['', '=', '&', '?a=b', '==', '%']));
    return `?${parts.join('&')}`;
  };
  const authorization = (): string | undefined => {
    const r = random();
    if (r < 0.55) return `Bearer ${valid.plain}`;
    if (r < 0.62) return `Bearer ${valid.accession}`;
    if (r < 0.68) return `Bearer ${valid.uses}`;
    return pick([
      undefined,
      `Bearer ${valid.expired}`,
      `Bearer ${valid.foreignKey}`,
      `bearer  ${valid.plain}`,
      `Basic ${Buffer.from('user:password').toString('base64')}`,
      'Bearer',
      'Bearer ',
      `Bearer ${valid.plain}x`,
      `Bearer ${valid.plain.split('.').slice(0, 2).join('.')}.`,
      `Bearer eyJhbGciOiJub25lIn0.${valid.plain.split('.')[1]}.`,
      `Bearer ${junk(40)}`,
      `Bearer ${'a'.repeat(9000)}`,
      `Bearer ${valid.plain} ${valid.plain}`,
    ]);
  };
  return (): Generated => {
    const method = chance(0.88) ? 'GET' : pick(['HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'TRACE', 'get', 'CONNECT']);
    let target = path() + query();
    if (chance(0.02)) target = pick(['*', `http://pacs.internal/dicom-web/studies/${X}`, `//evil.example/dicom-web/studies`, 'dicom-web/studies']);
    const headers: [string, string][] = [['Host', chance(0.97) ? 'gateway.test' : junk(20)]];
    const auth = authorization();
    if (auth !== undefined) headers.push(['Authorization', auth]);
    if (chance(0.03)) headers.push(['Authorization', `Bearer ${valid.foreignKey}`]);
    if (chance(0.5)) headers.push(['Accept', pick(['application/dicom+json', 'multipart/related; type="application/octet-stream"; transfer-syntax=*', '*/*', 'image/jpeg', junk(30), 'x'.repeat(600)])]);
    if (chance(0.3)) headers.push(['Origin', pick([ALLOWED_ORIGIN, 'https://evil.example', 'null', ALLOWED_ORIGIN + '.evil.example', junk(12)])]);
    if (chance(0.1)) headers.push(['X-Forwarded-For', pick(['10.0.0.1', `${junk(20)}, 1.2.3.4`, '::1'])]);
    if (chance(0.03)) headers.push(['X-Long', 'y'.repeat(20_000)]);
    let body = '';
    if (chance(0.05)) {
      body = JSON.stringify({ StudyInstanceUID: X });
      headers.push(chance(0.5) ? ['Content-Length', String(body.length)] : ['Transfer-Encoding', 'chunked']);
      if (headers.at(-1)![0] === 'Transfer-Encoding') body = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    }
    headers.push(['Connection', 'close']);
    return { method, target, headers, body };
  };
}

/** Sends the bytes and reads the whole answer (the connection closes after it). */
function exchange(request: Generated): Promise<{ status: number; raw: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('connect', () => {
      const head = `${request.method} ${request.target} HTTP/1.1\r\n${request.headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
      socket.write(Buffer.from(head + request.body, 'latin1'));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      resolve({ status, raw });
    });
  });
}

/** Whether a request the stub received names only the token's study, in one plain spelling. */
function upstreamProblem(url: string): string | undefined {
  const [path = '', query = ''] = url.split('?');
  if (!/^\/dicom-web(\/[0-9A-Za-z.,]+)+$/.test(path)) return 'path not plain';
  const segments = path.split('/').slice(2);
  if (segments[0] === 'studies' && segments.length > 1) return segments[1] === A ? undefined : 'path names another study';
  if (!['studies', 'series', 'instances'].includes(segments[0]!) || segments.length !== 1) return 'unknown route';
  const studyFilters = query
    .split('&')
    .map((part) => part.split('=').map((text) => decodeURIComponent(text)))
    .filter(([name]) => /^(studyinstanceuid|0020000d)$/i.test(name!));
  if (studyFilters.length !== 1 || studyFilters[0]![1] !== A) return 'root search not forced to the study';
  return undefined;
}

before(async () => {
  const pair = await generateTokenKeyPair();
  key = await loadSigningKey({ pem: pair.privatePem, from: 'test' });
  otherKey = await loadSigningKey({ pem: (await generateTokenKeyPair()).privatePem, from: 'other' });
  const config = await readGatewayConfig({
    FILMLESS_UPSTREAM: await startUpstream(),
    FILMLESS_UPSTREAM_USER: 'gateway',
    FILMLESS_UPSTREAM_PASSWORD: 'upstream-secret',
    FILMLESS_TOKEN_PUBLIC_KEY: pair.publicPem,
    FILMLESS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    ...(process.env.FILMLESS_FUZZ_REDIS === '1' ? { FILMLESS_REDIS_URL: (redis = await startRedis()).url } : {}),
  });
  const configured = await configureGateway(config, (record) => audit.push(record));
  closeState = () => configured.state.close();
  gateway = await startGatewayServer(configured.options);
  port = Number(new URL(gateway.url).port);
});

after(async () => {
  await gateway?.close();
  await closeState();
  await redis?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
});

describe(`the gateway under ${COUNT} generated requests (seed ${SEED})`, () => {
  const answers: { request: Generated; status: number; raw: string }[] = [];
  before(async () => {
    const valid = {
      plain: await issue(),
      accession: await issue({ accession: A_ACCESSION, purpose: 'patient' }),
      uses: await issue({ uses: 1_000_000, purpose: 'patient' }),
      expired: await issue({ ttl: '5m' }, key, new Date(Date.now() - 3600_000)),
      foreignKey: await issue({ studies: [A, X] }, otherKey),
    };
    const next = generator(prng(SEED), valid);
    const requests = Array.from({ length: COUNT }, next);
    let index = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let i = index++; i < requests.length; i = index++) answers[i] = { request: requests[i]!, ...(await exchange(requests[i]!)) };
      }),
    );
  });

  const show = (answer: { request: Generated; status: number; raw: string }) =>
    `seed ${SEED}: ${answer.request.method} ${answer.request.target.slice(0, 300)} [${answer.request.headers.map(([n, v]) => `${n}: ${v.slice(0, 60)}`).join('; ')}] → ${answer.raw.slice(0, 300)}`;

  test('every request gets an answer, and none is a 5xx', () => {
    const bad = answers.filter((answer) => answer.status === 0 || answer.status >= 500);
    assert.deepEqual(bad.slice(0, 5).map(show), []);
  });

  test("no answer carries the other study's UIDs, the PACS's addresses or a token", () => {
    const leaks = answers.filter((answer) => [X, X_SERIES, 'FZ-X', 'pacs.internal', ...tokens].some((secret) => answer.raw.includes(secret)));
    assert.deepEqual(leaks.slice(0, 5).map(show), []);
  });

  test('no root search answers with a dataset that names no study', () => {
    const rootSearch = /^\/dicom-web\/(studies|series|instances)(\?|$)/;
    const leaks = answers.filter((answer) => rootSearch.test(answer.request.target) && answer.raw.includes('FZ-NONE'));
    assert.ok(answers.some((answer) => rootSearch.test(answer.request.target) && answer.status === 200));
    assert.deepEqual(leaks.slice(0, 5).map(show), []);
  });

  test("every request that reached the PACS names only the token's study, plainly, with the gateway's own credentials", () => {
    const wrong = received.map((r) => ({ ...r, problem: upstreamProblem(r.url) })).filter((r) => r.problem || r.authorization !== `Basic ${Buffer.from('gateway:upstream-secret').toString('base64')}`);
    assert.deepEqual(wrong.slice(0, 5), []);
  });

  test('the fuzzing reached every outcome: answers from the PACS and refusals of each kind', (t) => {
    const statuses = new Set(answers.map((answer) => answer.status));
    const counts = new Map<number, number>();
    for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1);
    t.diagnostic(`statuses ${[...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ')}; ${received.length} requests reached the PACS`);
    for (const status of [200, 204, 400, 401, 403, 404, 405]) assert.ok(statuses.has(status), `no ${status} among ${[...statuses].sort().join(', ')}`);
    assert.ok(received.length >= COUNT / 20, `only ${received.length} requests reached the PACS`);
  });

  test("the audit log names only the token's study for every request let through", () => {
    const allowed = audit.filter((record) => record.result === 'allow' && record.reason !== 'preflight');
    assert.ok(allowed.length > 0);
    assert.deepEqual(allowed.filter((record) => record.studies.some((study) => study !== A)).slice(0, 5), []);
  });
});
