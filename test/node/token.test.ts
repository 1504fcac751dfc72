/**
 * Filmless access tokens without a PACS: issuing, verifying, revocation, use limits, key loading,
 * the gateway's configuration and the token CLI. Every key is generated here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignJWT, base64url } from 'jose';
import { ConfigError, configureGateway, parseOrigins, readGatewayConfig } from '../../gateway/config.js';
import { createAuditLog, type AuditRecord } from '../../gateway/audit.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, parseDuration } from '../../gateway/token-claims.js';
import { createTokenIssuer, TokenRequestError } from '../../gateway/token-issuer.js';
import {
  generateTokenKeyPair,
  KeyConfigError,
  keySourceFromEnv,
  loadSigningKey,
  loadVerificationKeys,
  TOKEN_TYPE,
  type SigningKey,
  type VerificationKey,
} from '../../gateway/token-keys.js';
import { appendRevocation, parseRevocationList, RevocationList } from '../../gateway/token-revocation.js';
import { UseCounter } from '../../gateway/token-uses.js';
import { createTokenVerifier } from '../../gateway/token-verifier.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'gateway/token-cli.ts');

const STUDY_A = '1.2.826.0.1.3680043.8.498.1';
const STUDY_B = '1.2.826.0.1.3680043.8.498.2';

let dir: string;
let pem: { privatePem: string; publicPem: string; kid: string };
let signingKey: SigningKey;
let publicKeys: VerificationKey[];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'filmless-token-test-'));
  pem = await generateTokenKeyPair();
  signingKey = await loadSigningKey({ pem: pem.privatePem, from: 'test' });
  publicKeys = await loadVerificationKeys({ pem: pem.publicPem, from: 'test' });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function issuerAt(now = new Date(), key = signingKey) {
  return createTokenIssuer({ key, issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE, now: () => now });
}

function verifier(options: { revocations?: RevocationList; now?: Date; keys?: VerificationKey[] } = {}) {
  return createTokenVerifier({
    keys: options.keys ?? publicKeys,
    issuer: DEFAULT_TOKEN_ISSUER,
    audience: DEFAULT_TOKEN_AUDIENCE,
    ...(options.revocations ? { revocations: options.revocations } : {}),
    ...(options.now ? { now: () => options.now! } : {}),
  });
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

describe('issuing and verifying', () => {
  test('an issued token verifies and carries its studies, purpose, accession and use limit', async () => {
    const issued = await issuerAt().issue({ studies: [STUDY_A], purpose: 'consult', ttl: '15m', accession: 'ACC-1', issuer: 'HOSP', uses: 5 });
    const check = await verifier().verify(issued.token);
    assert.equal(check.ok, true);
    assert.ok(check.ok);
    assert.deepEqual(check.claims.studies, [STUDY_A]);
    assert.equal(check.claims.purpose, 'consult');
    assert.equal(check.claims.accession, 'ACC-1');
    assert.equal(check.claims.issuer, 'HOSP');
    assert.equal(check.claims.uses, 5);
    assert.equal(check.claims.jti, issued.jti);
    assert.equal(check.claims.exp - check.claims.iat, 900);
  });

  test('the token header names ES256, the Filmless token type and the key id', async () => {
    const { token } = await issuerAt().issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60 });
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    assert.deepEqual(header, { alg: 'ES256', typ: TOKEN_TYPE, kid: pem.kid });
  });

  test('two tokens never share a token id', async () => {
    const issuer = issuerAt();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await issuer.issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60 })).jti);
    assert.equal(ids.size, 20);
  });

  test('the issuer refuses wildcard study UIDs, unknown purposes, bad durations and over-long lifetimes', async () => {
    const issuer = issuerAt();
    await assert.rejects(issuer.issue({ studies: ['1.2.*'], purpose: 'patient', ttl: 60 }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [], purpose: 'patient', ttl: 60 }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [STUDY_A], purpose: 'admin' as 'patient', ttl: 60 }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [STUDY_A], purpose: 'patient', ttl: 'soon' }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [STUDY_A], purpose: 'patient', ttl: '30d' }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60, accession: 'A*' }), TokenRequestError);
    await assert.rejects(issuer.issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60, uses: 0 }), TokenRequestError);
  });

  test('durations are read as seconds, minutes, hours or days', () => {
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('12h'), 43200);
    assert.equal(parseDuration('7d'), 604800);
    assert.equal(parseDuration('0'), undefined);
    assert.equal(parseDuration('-5m'), undefined);
    assert.equal(parseDuration('1.5h'), undefined);
  });
});

describe('refused tokens', () => {
  test('an expired token is refused, past the clock tolerance', async () => {
    const issued = await issuerAt(new Date(Date.now() - 3600_000)).issue({ studies: [STUDY_A], purpose: 'patient', ttl: '15m' });
    assert.deepEqual(await verifier().verify(issued.token), { ok: false, reason: 'expired', jti: issued.jti });
  });

  test('a token that is not yet valid is refused', async () => {
    const issued = await issuerAt().issue({ studies: [STUDY_A], purpose: 'patient', ttl: '15m', notBeforeSeconds: 600 });
    assert.deepEqual(await verifier().verify(issued.token), { ok: false, reason: 'not-yet-valid', jti: issued.jti });
  });

  test('a token becomes valid at its not-before time', async () => {
    const issued = await issuerAt().issue({ studies: [STUDY_A], purpose: 'patient', ttl: '15m', notBeforeSeconds: 600 });
    assert.equal((await verifier({ now: new Date(Date.now() + 601_000) }).verify(issued.token)).ok, true);
  });

  test('a token signed by another key is refused', async () => {
    const other = await generateTokenKeyPair();
    const otherKey = await loadSigningKey({ pem: other.privatePem, from: 'other' });
    const { token } = await issuerAt(new Date(), otherKey).issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60 });
    assert.deepEqual(await verifier().verify(token), { ok: false, reason: 'unknown-key' });
  });

  test('a token signed by another key under our key id is refused for its signature', async () => {
    const other = await generateTokenKeyPair();
    const otherKey = await loadSigningKey({ pem: other.privatePem, from: 'other' });
    const { token } = await issuerAt(new Date(), { privateKey: otherKey.privateKey, kid: pem.kid }).issue({
      studies: [STUDY_A],
      purpose: 'patient',
      ttl: 60,
    });
    assert.deepEqual(await verifier().verify(token), { ok: false, reason: 'signature' });
  });

  test('an unsigned token (alg none) is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { jti: 'unsigned-token-1', studies: [STUDY_A], purpose: 'patient', iss: DEFAULT_TOKEN_ISSUER, aud: DEFAULT_TOKEN_AUDIENCE, iat: now, nbf: now, exp: now + 600 };
    const token = `${encodeJson({ alg: 'none', typ: TOKEN_TYPE })}.${encodeJson(payload)}.`;
    assert.deepEqual(await verifier().verify(token), { ok: false, reason: 'algorithm' });
  });

  test('a token signed with HS256 using the public key as the secret is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ jti: 'confused-token-1', studies: [STUDY_A], purpose: 'patient' })
      .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE, kid: pem.kid })
      .setIssuer(DEFAULT_TOKEN_ISSUER)
      .setAudience(DEFAULT_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(pem.publicPem));
    assert.deepEqual(await verifier().verify(token), { ok: false, reason: 'algorithm' });
  });

  test('a token whose payload was altered after signing is refused', async () => {
    const { token } = await issuerAt().issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60 });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${encodeJson({ ...claims, studies: [STUDY_A, STUDY_B] })}.${signature}`;
    assert.deepEqual(await verifier().verify(altered), { ok: false, reason: 'signature' });
  });

  test('a token for another audience or from another issuer is refused', async () => {
    const wrongAudience = createTokenIssuer({ key: signingKey, issuer: DEFAULT_TOKEN_ISSUER, audience: 'another-gateway' });
    const wrongIssuer = createTokenIssuer({ key: signingKey, issuer: 'another-issuer', audience: DEFAULT_TOKEN_AUDIENCE });
    const request = { studies: [STUDY_A], purpose: 'patient' as const, ttl: 60 };
    assert.equal(((await verifier().verify((await wrongAudience.issue(request)).token)) as { reason: string }).reason, 'wrong-audience');
    assert.equal(((await verifier().verify((await wrongIssuer.issue(request)).token)) as { reason: string }).reason, 'wrong-issuer');
  });

  test('a signed JWT of another type is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ jti: 'other-type-token', studies: [STUDY_A], purpose: 'patient' })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: pem.kid })
      .setIssuer(DEFAULT_TOKEN_ISSUER)
      .setAudience(DEFAULT_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 600)
      .sign(signingKey.privateKey);
    assert.equal(((await verifier().verify(token)) as { reason: string }).reason, 'wrong-type');
  });

  test('a token living longer than the gateway allows is refused', async () => {
    const generous = createTokenIssuer({ key: signingKey, issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE, maxLifetimeSeconds: 90 * 86400 });
    const issued = await generous.issue({ studies: [STUDY_A], purpose: 'clinician', ttl: '30d' });
    assert.deepEqual(await verifier().verify(issued.token), { ok: false, reason: 'lifetime', jti: issued.jti });
  });

  test('garbage, an empty value and an oversized value are refused as malformed', async () => {
    assert.deepEqual(await verifier().verify(undefined), { ok: false, reason: 'missing' });
    assert.deepEqual(await verifier().verify('not-a-token'), { ok: false, reason: 'malformed' });
    assert.deepEqual(await verifier().verify(`${'a'.repeat(9000)}.b.c`), { ok: false, reason: 'malformed' });
    assert.deepEqual(await verifier().verify('e30.e30.'), { ok: false, reason: 'algorithm' });
  });

  test('during a key rotation tokens of the old and the new key are accepted', async () => {
    const next = await generateTokenKeyPair();
    const keys = await loadVerificationKeys({ pem: `${pem.publicPem}\n${next.publicPem}`, from: 'both' });
    const nextKey = await loadSigningKey({ pem: next.privatePem, from: 'next' });
    const request = { studies: [STUDY_A], purpose: 'patient' as const, ttl: 60 };
    assert.equal((await verifier({ keys }).verify((await issuerAt().issue(request)).token)).ok, true);
    assert.equal((await verifier({ keys }).verify((await issuerAt(new Date(), nextKey).issue(request)).token)).ok, true);
  });
});

describe('revocation and use limits', () => {
  test('a revoked token id is refused', async () => {
    const issued = await issuerAt().issue({ studies: [STUDY_A], purpose: 'patient', ttl: 60 });
    const revocations = RevocationList.inMemory();
    assert.equal((await verifier({ revocations }).verify(issued.token)).ok, true);
    revocations.add(issued.jti);
    assert.deepEqual(await verifier({ revocations }).verify(issued.token), { ok: false, reason: 'revoked', jti: issued.jti });
  });

  test('the revocation file ignores comments and blank lines', () => {
    assert.deepEqual([...parseRevocationList('# header\n\nabc123def  # ticket 1\r\n  xyz98765\n')], ['abc123def', 'xyz98765']);
  });

  test('a reload picks up ids appended to the revocation file', async () => {
    const file = path.join(dir, 'revoked-reload.txt');
    await writeFile(file, '# none yet\n');
    const list = await RevocationList.fromFile(file);
    assert.equal(list.has('tokenid-1'), false);
    await appendRevocation(file, 'tokenid-1', 'test');
    assert.equal(await list.reload(), 1);
    assert.equal(list.has('tokenid-1'), true);
  });

  test('a reload that fails keeps the previous list', async () => {
    const file = path.join(dir, 'revoked-vanishing.txt');
    await writeFile(file, 'tokenid-2\n');
    const list = await RevocationList.fromFile(file);
    await rm(file);
    await assert.rejects(list.reload());
    assert.equal(list.has('tokenid-2'), true);
  });

  test('a watched revocation file is reloaded when it changes', async () => {
    const file = path.join(dir, 'revoked-watched.txt');
    await writeFile(file, '');
    const list = await RevocationList.fromFile(file);
    // The watcher does not keep a process alive by itself (the gateway's server does): this timer does.
    const keepAlive = setInterval(() => undefined, 1000);
    const reloaded = new Promise<number | undefined>((resolve) => {
      const stop = list.watch(20, (error, count) => {
        stop();
        resolve(error ? undefined : count);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    await appendRevocation(file, 'tokenid-3');
    assert.equal(await reloaded, 1);
    clearInterval(keepAlive);
    assert.equal(list.has('tokenid-3'), true);
  });

  test('a missing revocation file stops the gateway from starting', async () => {
    const config = await readGatewayConfig({
      FILMLESS_UPSTREAM: 'http://127.0.0.1:9/dicom-web',
      FILMLESS_TOKEN_PUBLIC_KEY: pem.publicPem,
      FILMLESS_REVOCATION_LIST: path.join(dir, 'does-not-exist.txt'),
    });
    await assert.rejects(configureGateway(config, () => undefined), ConfigError);
  });

  test('the use counter admits a token up to its limit and then refuses it', () => {
    const counter = new UseCounter();
    const expires = Date.now() + 60_000;
    assert.deepEqual([1, 2, 3, 4].map(() => counter.consume('tokenid-uses', 3, expires)), [true, true, true, false]);
    assert.equal(counter.used('tokenid-uses'), 3);
    assert.equal(counter.consume('tokenid-other', 3, expires), true);
  });

  test('the use counter forgets tokens an hour after they expired', () => {
    let now = Date.now();
    const counter = new UseCounter(() => now);
    counter.consume('tokenid-old', 1, now);
    now += 3601_000;
    counter.sweep();
    assert.equal(counter.used('tokenid-old'), 0);
  });
});

describe('keys and configuration', () => {
  test('a key is read from an environment variable or from the file another one names, not both', async () => {
    const file = path.join(dir, 'key.pem');
    await writeFile(file, pem.privatePem);
    const fromFile = keySourceFromEnv({ FILMLESS_TOKEN_KEY_FILE: file }, 'FILMLESS_TOKEN_KEY');
    assert.equal((await loadSigningKey(fromFile!)).kid, pem.kid);
    const escaped = pem.privatePem.replace(/\n/g, '\\n');
    assert.equal((await loadSigningKey(keySourceFromEnv({ FILMLESS_TOKEN_KEY: escaped }, 'FILMLESS_TOKEN_KEY')!)).kid, pem.kid);
    assert.throws(() => keySourceFromEnv({ FILMLESS_TOKEN_KEY: escaped, FILMLESS_TOKEN_KEY_FILE: file }, 'FILMLESS_TOKEN_KEY'), KeyConfigError);
    assert.equal(keySourceFromEnv({}, 'FILMLESS_TOKEN_KEY'), undefined);
  });

  test('a key that is not P-256 is refused with a way to make one', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await assert.rejects(loadSigningKey({ pem: rsa, from: 'FILMLESS_TOKEN_KEY' }), /keygen/);
    await assert.rejects(loadSigningKey({ pem: 'hello', from: 'FILMLESS_TOKEN_KEY' }), KeyConfigError);
  });

  test('the gateway configuration is read from the environment', async () => {
    const keyFile = path.join(dir, 'public.pem');
    const passwordFile = path.join(dir, 'pacs-password');
    await writeFile(keyFile, pem.publicPem);
    await writeFile(passwordFile, 's3cret\n');
    const config = await readGatewayConfig({
      FILMLESS_UPSTREAM: 'https://pacs.hospital.example/dicom-web',
      FILMLESS_UPSTREAM_USER: 'gateway',
      FILMLESS_UPSTREAM_PASSWORD_FILE: passwordFile,
      FILMLESS_TOKEN_PUBLIC_KEY_FILE: keyFile,
      FILMLESS_TOKEN_ISSUER: 'https://his.hospital.example',
      FILMLESS_TOKEN_AUDIENCE: 'https://images.hospital.example/dicom-web',
      FILMLESS_ALLOWED_ORIGINS: 'https://his.hospital.example, http://localhost:3000',
      FILMLESS_AUDIT_LOG: '/var/log/filmless/audit.jsonl',
      FILMLESS_CORS_MAX_AGE: '2h',
      PORT: '9000',
    });
    assert.deepEqual(config.upstreamAuth, { basic: { username: 'gateway', password: 's3cret' } });
    assert.equal(config.keys[0]!.kid, pem.kid);
    assert.deepEqual(config.allowedOrigins, ['https://his.hospital.example', 'http://localhost:3000']);
    assert.equal(config.corsMaxAgeSeconds, 7200);
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.tokenAudience, 'https://images.hospital.example/dicom-web');
    assert.equal(config.auditLogPath, '/var/log/filmless/audit.jsonl');
  });

  test('a configuration without an upstream or a key is refused with what to set', async () => {
    await assert.rejects(readGatewayConfig({ FILMLESS_TOKEN_PUBLIC_KEY: pem.publicPem }), /FILMLESS_UPSTREAM is required/);
    await assert.rejects(readGatewayConfig({ FILMLESS_UPSTREAM: 'http://127.0.0.1:8042/dicom-web' }), /FILMLESS_TOKEN_PUBLIC_KEY_FILE/);
  });

  test('origins with a path or a wildcard are refused', () => {
    assert.throws(() => parseOrigins('*'), ConfigError);
    assert.throws(() => parseOrigins('https://his.hospital.example/viewer'), ConfigError);
    assert.deepEqual(parseOrigins('https://his.hospital.example/'), ['https://his.hospital.example']);
  });

  test('an upstream password given twice is refused', async () => {
    await assert.rejects(
      readGatewayConfig({
        FILMLESS_UPSTREAM: 'http://127.0.0.1:8042/dicom-web',
        FILMLESS_TOKEN_PUBLIC_KEY: pem.publicPem,
        FILMLESS_UPSTREAM_USER: 'gateway',
        FILMLESS_UPSTREAM_PASSWORD: 'a',
        FILMLESS_UPSTREAM_PASSWORD_FILE: '/dev/null',
      }),
      ConfigError,
    );
  });

  test('the file audit log appends one JSON line per record', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const log = createAuditLog(file);
    const record: AuditRecord = {
      time: new Date().toISOString(),
      event: 'dicomweb-access',
      result: 'deny',
      reason: 'expired',
      status: 401,
      method: 'GET',
      path: '/dicom-web/studies',
      params: ['AccessionNumber'],
      jti: 'tokenid-audit',
      studies: [],
      durationMs: 1,
    };
    log.write(record);
    log.write({ ...record, status: 200, result: 'allow', reason: 'ok' });
    await log.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]!), record);
    assert.equal((await stat(file)).mode & 0o777, 0o640);
  });
});

describe('token CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: { PATH: process.env.PATH, ...env } });

  test('keygen writes a key pair whose private half only its owner can read', async () => {
    const out = await mkdtemp(path.join(dir, 'keys-'));
    await cli(['keygen', '--out', out]);
    assert.equal((await stat(path.join(out, 'token-private.pem'))).mode & 0o777, 0o600);
    const keys = await loadVerificationKeys({ file: path.join(out, 'token-public.pem'), from: 'test' });
    const signing = await loadSigningKey({ file: path.join(out, 'token-private.pem'), from: 'test' });
    assert.equal(keys[0]!.kid, signing.kid);
    await assert.rejects(cli(['keygen', '--out', out]), /never overwritten/);
  });

  test('issue prints only the token on stdout, and the gateway verifier accepts it', async () => {
    const keyFile = path.join(dir, 'cli-private.pem');
    await writeFile(keyFile, pem.privatePem, { mode: 0o600 });
    const { stdout, stderr } = await cli(['issue', '--study', STUDY_A, '--study', STUDY_B, '--purpose', 'patient', '--ttl', '15m', '--uses', '40'], {
      FILMLESS_TOKEN_KEY_FILE: keyFile,
    });
    const token = stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(!stderr.includes(token));
    const check = await verifier().verify(token);
    assert.ok(check.ok);
    assert.deepEqual(check.claims.studies, [STUDY_A, STUDY_B]);
    assert.equal(check.claims.uses, 40);
    assert.match(stderr, new RegExp(`token id ${check.claims.jti}`));
  });

  test('issue without a key or a study explains what is missing', async () => {
    await assert.rejects(cli(['issue', '--study', STUDY_A, '--purpose', 'patient', '--ttl', '15m']), /signing key/);
    await assert.rejects(cli(['issue', '--purpose', 'patient', '--ttl', '15m'], { FILMLESS_TOKEN_KEY: pem.privatePem }), /--study/);
  });

  test('revoke appends the token id to the revocation list', async () => {
    const list = path.join(dir, 'cli-revoked.txt');
    await cli(['revoke', 'tokenid-cli-1', '--note', 'sent to the wrong address'], { FILMLESS_REVOCATION_LIST: list });
    assert.equal((await RevocationList.fromFile(list)).has('tokenid-cli-1'), true);
  });

  test('revoke takes a token id that begins with a dash (base64url ids do, one in 32)', async () => {
    const list = path.join(dir, 'cli-revoked-dash.txt');
    await cli(['revoke', '-sTokenId1', '--list', list], {});
    await cli(['revoke', '--list', list, '--TokenId2'], {});
    const revoked = await RevocationList.fromFile(list);
    assert.deepEqual([revoked.has('-sTokenId1'), revoked.has('--TokenId2')], [true, true]);
  });
});
