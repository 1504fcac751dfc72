/**
 * The reference gateway scaled out: two gateway instances share revocations and use counts through one
 * REAL Redis (Debian's redis-server, test/support/redis.ts), in front of a REAL Orthanc holding one
 * image of the generated MR study. And when Redis goes away or stops answering, the gateway refuses
 * (503) instead of letting tokens through unchecked.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AuditRecord } from '../../gateway/audit.js';
import { configureGateway, readGatewayConfig, type ConfiguredGateway } from '../../gateway/config.js';
import { startGatewayServer } from '../../gateway/gateway.js';
import { encodeCommand, parseReply } from '../../gateway/redis-client.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '../../gateway/token-claims.js';
import { createTokenIssuer, type TokenRequest } from '../../gateway/token-issuer.js';
import { generateTokenKeyPair, loadSigningKey, type SigningKey } from '../../gateway/token-keys.js';
import { startOrthanc, type OrthancServer } from '../support/orthanc.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { generatedStudyFolder } from '../support/test-data.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Instance {
  name: string;
  configured: ConfiguredGateway;
  revocationFile: string;
  url: string;
  audit: AuditRecord[];
  close: () => Promise<void>;
}

let dir: string;
let orthanc: OrthancServer;
let redis: RedisServer;
let publicPem: string;
let key: SigningKey;
let STUDY: string;
const instances: Instance[] = [];

async function startInstance(name: string, redisUrl: string | undefined, extra: Record<string, string> = {}): Promise<Instance> {
  const revocationFile = path.join(dir, `${name}-revoked.txt`);
  await writeFile(revocationFile, '# revoked token ids\n');
  const config = await readGatewayConfig({
    FILMLESS_UPSTREAM: orthanc.dicomwebUrl,
    FILMLESS_TOKEN_PUBLIC_KEY: publicPem,
    FILMLESS_REVOCATION_LIST: revocationFile,
    ...(redisUrl ? { FILMLESS_REDIS_URL: redisUrl } : {}),
    ...extra,
  });
  const audit: AuditRecord[] = [];
  const configured = await configureGateway(config, (record) => audit.push(record));
  const server = await startGatewayServer(configured.options);
  const instance: Instance = {
    name,
    configured,
    revocationFile,
    url: server.url,
    audit,
    close: async () => {
      await server.close();
      await configured.state.close();
    },
  };
  instances.push(instance);
  return instance;
}

async function issue(request: Partial<TokenRequest> = {}): Promise<{ token: string; jti: string }> {
  const issuer = createTokenIssuer({ key, issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE });
  const issued = await issuer.issue({ studies: [STUDY], purpose: 'patient', ttl: '15m', ...request });
  return { token: issued.token, jti: issued.jti };
}

/** Asks a gateway for the study's series (a DICOM JSON answer from Orthanc); returns the status. */
async function seriesStatus(instance: Instance, token: string): Promise<number> {
  const response = await fetch(`${instance.url}/studies/${STUDY}/series`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/dicom+json' },
  });
  await response.arrayBuffer();
  return response.status;
}

const lastReason = (instance: Instance) => instance.audit.at(-1)?.reason;

/** The gateway as a service (gateway/main.ts in its own process, on a free port) with these variables added. */
async function startService(env: Record<string, string>): Promise<{ url: string; readonly stderr: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'gateway/main.ts')], {
    cwd: REPO,
    env: { PATH: process.env.PATH, PORT: '0', FILMLESS_UPSTREAM: orthanc.dicomwebUrl, FILMLESS_TOKEN_PUBLIC_KEY: publicPem, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Filmless gateway on (http:\/\/[^ ]+)\/dicom-web/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { url, get stderr() { return stderr; }, stop: () => child.kill('SIGTERM') };
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filmless-gateway-scale-'));
  [orthanc, redis] = await Promise.all([startOrthanc('filmless-gateway-scale'), startRedis()]);
  // One image of the generated MR is all these tests need from the PACS.
  const folder = await generatedStudyFolder('SAMPLE-MR-1');
  const file = (await readdir(folder, { recursive: true })).map((name) => path.join(folder, name)).find((name) => name.endsWith('.dcm'))!;
  const upload = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await (await import('node:fs/promises')).readFile(file) });
  const { ParentStudy } = (await upload.json()) as { ParentStudy: string };
  const study = (await (await fetch(`${orthanc.url}/studies/${ParentStudy}`)).json()) as { MainDicomTags: { StudyInstanceUID: string } };
  STUDY = study.MainDicomTags.StudyInstanceUID;
  const pair = await generateTokenKeyPair();
  publicPem = pair.publicPem;
  key = await loadSigningKey({ pem: pair.privatePem, from: 'test' });
});

after(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await Promise.all([orthanc?.stop(), redis?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two gateways on one Redis', () => {
  let A: Instance;
  let B: Instance;
  before(async () => {
    A = await startInstance('a', redis.url);
    B = await startInstance('b', redis.url);
  });

  test("a token revoked in one gateway's revocation file is refused by the other", async () => {
    const { token, jti } = await issue({ purpose: 'clinician' });
    assert.deepEqual([await seriesStatus(A, token), await seriesStatus(B, token)], [200, 200]);
    // What gateway/main.ts does when its file changes: read it again and copy its ids to Redis.
    await appendFile(A.revocationFile, `${jti}\n`);
    await A.configured.revocations.reload();
    assert.equal(await A.configured.publishRevocations(), 1);
    assert.equal(await seriesStatus(B, token), 401);
    assert.equal(lastReason(B), 'revoked');
    assert.equal(B.configured.revocations.size, 0, "B's own file does not list the token");
  });

  test('a token revoked with the token CLI on Redis is refused by both gateways', async () => {
    const { token, jti } = await issue({ purpose: 'consult' });
    assert.equal(await seriesStatus(A, token), 200, JSON.stringify(A.audit.at(-1)));
    const cli = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'gateway/token-cli.ts'), 'revoke', jti], {
      cwd: REPO,
      env: { PATH: process.env.PATH, FILMLESS_REDIS_URL: redis.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => cli.on('exit', resolve));
    assert.equal(code, 0, stderr);
    const statuses = [await seriesStatus(A, token), await seriesStatus(B, token)];
    assert.deepEqual(statuses, [401, 401], `${JSON.stringify([A.audit.at(-1), B.audit.at(-1)])} ${stderr}`);
    assert.deepEqual([lastReason(A), lastReason(B)], ['revoked', 'revoked']);
  });

  test("a gateway service copies an id appended to its revocation file to Redis, and the other gateways refuse it", async () => {
    const { token, jti } = await issue({ purpose: 'clinician' });
    const file = path.join(dir, 'service-revoked.txt');
    await writeFile(file, '# revoked token ids\n');
    const service = await startService({
      FILMLESS_REDIS_URL: redis.url,
      FILMLESS_REVOCATION_LIST: file,
      FILMLESS_REVOCATION_POLL: '1',
      FILMLESS_AUDIT_LOG: path.join(dir, 'service-revoked-audit.log'),
    });
    const stderr = () => service.stderr;
    try {
      assert.equal(await seriesStatus(B, token), 200, stderr());
      await appendFile(file, `${jti} # ticket 1\n`);
      const deadline = Date.now() + 15_000;
      let status: number;
      while ((status = await seriesStatus(B, token)) === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(status, 401, stderr());
      assert.equal(lastReason(B), 'revoked');
    } finally {
      service.stop();
    }
  });

  test('a token used up on one gateway is refused by the other', async () => {
    const { token } = await issue({ uses: 2 });
    assert.deepEqual([await seriesStatus(A, token), await seriesStatus(A, token)], [200, 200]);
    assert.equal(await seriesStatus(B, token), 401);
    assert.equal(lastReason(B), 'uses-exhausted');
  });

  test('racing requests through both gateways admit a use-limited token exactly as often as it allows', async () => {
    const { token } = await issue({ uses: 5 });
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => seriesStatus(i % 2 ? A : B, token)));
    assert.equal(statuses.filter((s) => s === 200).length, 5, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 401).length, 35, statuses.join(' '));
  });
});

describe('when Redis is unavailable', () => {
  let own: RedisServer;
  let C: Instance;
  before(async () => {
    own = await startRedis();
    C = await startInstance('c', own.url, { FILMLESS_REDIS_TIMEOUT_MS: '300' });
  });
  after(async () => {
    own.resume();
    await own.stop();
  });

  test('a stopped Redis makes the gateway refuse every token with 503, and a restarted one lets it admit again', async () => {
    const limited = await issue({ uses: 100 });
    const unlimited = await issue({ purpose: 'clinician' });
    assert.deepEqual([await seriesStatus(C, limited.token), await seriesStatus(C, unlimited.token)], [200, 200]);
    await own.stop();
    for (const token of [limited.token, unlimited.token, limited.token]) {
      const response = await fetch(`${C.url}/studies/${STUDY}/series`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(response.status, 503);
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      assert.equal(lastReason(C), 'token-state-unavailable');
      assert.equal(C.audit.at(-1)?.result, 'deny');
    }
    own = await startRedis(own.port);
    const deadline = Date.now() + 10_000;
    let status: number;
    while ((status = await seriesStatus(C, unlimited.token)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(status, 200);
  });

  test('a Redis that stops answering makes the gateway refuse with 503 within its command deadline', async () => {
    const { token } = await issue({ uses: 3 });
    assert.equal(await seriesStatus(C, token), 200);
    own.pause();
    try {
      assert.equal(await seriesStatus(C, token), 503);
      assert.equal(await seriesStatus(C, token), 503);
      assert.ok((C.audit.at(-1)?.durationMs ?? Infinity) < 5000);
    } finally {
      own.resume();
    }
  });

  test('the gateway service with an unreachable Redis serves /healthz, fails /readyz and refuses DICOMweb with 503', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const service = await startService({
      FILMLESS_REDIS_URL: `redis://127.0.0.1:${closed}`,
      FILMLESS_AUDIT_LOG: path.join(dir, 'service-audit.log'),
    });
    const base = service.url;
    try {
      const { token } = await issue();
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      const response = await fetch(`${base}/dicom-web/studies/${STUDY}/series`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(response.status, 503);
    } finally {
      service.stop();
    }
  });
});

describe('a Redis that requires a password', () => {
  let locked: RedisServer;
  before(async () => {
    locked = await startRedis(undefined, 'redis-secret-for-tests');
  });
  after(async () => {
    await locked.stop();
  });

  test('with the password in FILMLESS_REDIS_URL (and a database number) the gateway counts uses there', async () => {
    const C = await startInstance('auth-ok', `redis://:redis-secret-for-tests@127.0.0.1:${locked.port}/3`);
    const { token } = await issue({ uses: 1 });
    assert.deepEqual([await seriesStatus(C, token), await seriesStatus(C, token)], [200, 401]);
    assert.equal(lastReason(C), 'uses-exhausted');
  });

  test('with a wrong password the gateway refuses with 503 and the audit line does not hold the password', async () => {
    const C = await startInstance('auth-wrong', `redis://:not-the-password@127.0.0.1:${locked.port}`);
    const { token } = await issue({ purpose: 'clinician' });
    assert.equal(await seriesStatus(C, token), 503);
    assert.equal(lastReason(C), 'token-state-unavailable');
    assert.ok(!JSON.stringify(C.audit).includes('not-the-password'));
  });
});

describe('the Redis protocol', () => {
  test('a reply that arrives in pieces, cut at any byte, is read whole and once', () => {
    const reply = Buffer.from('*3\r\n:42\r\n$6\r\nhé!\r\n\r\n*2\r\n+OK\r\n$-1\r\n', 'utf8');
    for (let cut = 0; cut < reply.length; cut++) assert.equal(parseReply(reply.subarray(0, cut)), undefined, `cut at ${cut}`);
    assert.deepEqual(parseReply(reply), { reply: [42, 'hé!\r\n', ['OK', null]], next: reply.length });
  });

  test('a command is sent as bulk strings, so spaces and line breaks in an argument stay inside it', () => {
    assert.equal(encodeCommand(['SET', 'a b', 'x\r\ny']).toString(), '*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$4\r\nx\r\ny\r\n');
  });
});
