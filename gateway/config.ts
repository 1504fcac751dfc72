/**
 * Configuration of the reference gateway (main.ts), read from the environment. Every variable is
 * described in gateway/README.md and docs/deployment.md. Secrets (the upstream password or bearer,
 * keys, a Redis URL with a password) can be given as `<NAME>_FILE`, a path, so they need not sit in
 * the environment of every child process.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createAuditLog, type AuditLog, type AuditSink } from './audit.js';
import type { GatewayOptions } from './gateway.js';
import { createTokenPolicy } from './policy.js';
import type { UpstreamAuth } from './upstream.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, parseDuration } from './token-claims.js';
import { keySourceFromEnv, loadVerificationKeys, KeyConfigError, type VerificationKey } from './token-keys.js';
import { parseRedisUrl, RedisClient } from './redis-client.js';
import { RevocationList } from './token-revocation.js';
import { MemoryTokenState, RedisTokenState, revocationTtlSeconds, type TokenState } from './token-state.js';
import { createTokenVerifier } from './token-verifier.js';

export interface GatewayConfig {
  host: string;
  port: number;
  prefix: string;
  upstreamUrl: string;
  upstreamAuth: UpstreamAuth | undefined;
  keys: VerificationKey[];
  tokenIssuer: string;
  tokenAudience: string;
  allowedOrigins: string[];
  revocationListPath: string | undefined;
  /** Seconds between checks of the revocation file for changes. */
  revocationPollSeconds: number;
  auditLogPath: string | undefined;
  corsMaxAgeSeconds: number;
  clockToleranceSeconds: number;
  maxLifetimeSeconds: number;
  trustProxy: boolean;
  /** Shared token state for several gateways (`redis://…`); undefined keeps it in this process. */
  redisUrl: string | undefined;
  /** Prefix of the gateway's Redis keys (several deployments can share one Redis). */
  redisPrefix: string;
  /** Deadline of each Redis command; past it the request is refused with 503. */
  redisTimeoutMs: number;
}

/** A configuration problem, told so an operator can fix it (never echoing a secret). */
export class ConfigError extends Error {}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  const file = env[`${name}_FILE`];
  if (value && file) throw new ConfigError(`Set ${name} or ${name}_FILE, not both.`);
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`Cannot read ${name}_FILE (${file}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return value || undefined;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (allowZero && text.trim() === '0') return 0;
  const value = parseDuration(text);
  if (value === undefined) throw new ConfigError(`${name}=${text} is not a duration (e.g. 600, 10m, 24h).`);
  return value;
}

/** Exact origins (`https://his.hospital.example`, `http://localhost:3000`); paths and wildcards are refused. */
export function parseOrigins(value: string | undefined): string[] {
  const origins: string[] = [];
  for (const item of (value ?? '').split(',').map((text) => text.trim()).filter(Boolean)) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (!origin || origin === 'null' || origin !== item.replace(/\/$/, '')) {
      throw new ConfigError(`FILMLESS_ALLOWED_ORIGINS: "${item}" is not an origin like https://his.hospital.example (no path, no *).`);
    }
    origins.push(origin);
  }
  return origins;
}

function upstreamAuth(env: NodeJS.ProcessEnv): UpstreamAuth | undefined {
  const user = env.FILMLESS_UPSTREAM_USER;
  const password = secret(env, 'FILMLESS_UPSTREAM_PASSWORD');
  const bearer = secret(env, 'FILMLESS_UPSTREAM_BEARER');
  if (bearer && (user || password)) throw new ConfigError('Set FILMLESS_UPSTREAM_BEARER or FILMLESS_UPSTREAM_USER/PASSWORD, not both.');
  if (bearer) return { bearer };
  if (user || password) {
    if (!user || password === undefined) throw new ConfigError('FILMLESS_UPSTREAM_USER and FILMLESS_UPSTREAM_PASSWORD go together.');
    return { basic: { username: user, password } };
  }
  return undefined;
}

export async function readGatewayConfig(env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  const upstreamUrl = env.FILMLESS_UPSTREAM;
  if (!upstreamUrl) throw new ConfigError('FILMLESS_UPSTREAM is required: the DICOMweb base URL of the PACS, e.g. http://127.0.0.1:8042/dicom-web');
  let parsed: URL;
  try {
    parsed = new URL(upstreamUrl);
  } catch {
    throw new ConfigError('FILMLESS_UPSTREAM is not a URL.'); // not echoed: it may hold a password
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('FILMLESS_UPSTREAM must be an http(s) URL.');

  const port = Number(env.PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT=${env.PORT} is not a port number.`);
  const prefix = env.FILMLESS_PREFIX ?? '/dicom-web';
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(prefix)) throw new ConfigError('FILMLESS_PREFIX must look like /dicom-web (no trailing slash).');

  let keys: VerificationKey[];
  try {
    const source = keySourceFromEnv(env, 'FILMLESS_TOKEN_PUBLIC_KEY') ?? keySourceFromEnv(env, 'FILMLESS_TOKEN_KEY');
    if (!source) {
      throw new ConfigError(
        'Set FILMLESS_TOKEN_PUBLIC_KEY_FILE (or FILMLESS_TOKEN_PUBLIC_KEY) to the token issuer\'s public key. Make a key pair with: npx tsx gateway/token-cli.ts keygen',
      );
    }
    keys = await loadVerificationKeys(source);
  } catch (error) {
    if (error instanceof KeyConfigError) throw new ConfigError(error.message);
    throw error;
  }

  const redisUrl = secret(env, 'FILMLESS_REDIS_URL');
  if (redisUrl !== undefined) {
    try {
      parseRedisUrl(redisUrl);
    } catch (error) {
      throw new ConfigError(`FILMLESS_REDIS_URL: ${(error as Error).message}`); // the message never holds the password
    }
  }
  const redisPrefix = env.FILMLESS_REDIS_PREFIX ?? 'filmless:';
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(redisPrefix)) throw new ConfigError('FILMLESS_REDIS_PREFIX may hold letters, digits and : . _ - (e.g. filmless:).');
  const redisTimeoutMs = Number(env.FILMLESS_REDIS_TIMEOUT_MS || 1000);
  if (!Number.isInteger(redisTimeoutMs) || redisTimeoutMs < 10 || redisTimeoutMs > 60_000) {
    throw new ConfigError('FILMLESS_REDIS_TIMEOUT_MS must be a number of milliseconds between 10 and 60000.');
  }

  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    prefix,
    upstreamUrl,
    upstreamAuth: upstreamAuth(env),
    keys,
    tokenIssuer: env.FILMLESS_TOKEN_ISSUER || DEFAULT_TOKEN_ISSUER,
    tokenAudience: env.FILMLESS_TOKEN_AUDIENCE || DEFAULT_TOKEN_AUDIENCE,
    allowedOrigins: parseOrigins(env.FILMLESS_ALLOWED_ORIGINS),
    revocationListPath: env.FILMLESS_REVOCATION_LIST || undefined,
    revocationPollSeconds: seconds(env, 'FILMLESS_REVOCATION_POLL', 5),
    auditLogPath: env.FILMLESS_AUDIT_LOG || undefined,
    corsMaxAgeSeconds: seconds(env, 'FILMLESS_CORS_MAX_AGE', 600, true),
    clockToleranceSeconds: seconds(env, 'FILMLESS_CLOCK_TOLERANCE', 30, true),
    maxLifetimeSeconds: seconds(env, 'FILMLESS_TOKEN_MAX_LIFETIME', 24 * 3600),
    trustProxy: env.FILMLESS_TRUST_PROXY === '1' || env.FILMLESS_TRUST_PROXY === 'true',
    redisUrl,
    redisPrefix,
    redisTimeoutMs,
  };
}

/** The address the reverse proxy saw: the last X-Forwarded-For entry (the one the proxy appended). */
function forwardedFor(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const last = (Array.isArray(header) ? header.join(',') : header)?.split(',').pop()?.trim();
  return last && /^[0-9A-Fa-f:.]{2,45}$/.test(last) ? last : req.socket.remoteAddress;
}

export interface ConfiguredGateway {
  options: GatewayOptions;
  revocations: RevocationList;
  /** Revocations and use counts shared between requests: memory, or Redis for several gateways. */
  state: TokenState;
  /**
   * Copies the revocation file's ids into the shared state (Redis), so that every gateway refuses
   * them; resolves to the number copied (0 in memory mode, where the file is checked directly).
   * Rejects when Redis cannot be written (call it again later).
   */
  publishRevocations: () => Promise<number>;
  auditLog: AuditLog | undefined;
}

/**
 * Builds the gateway's options from a configuration: verifier, policy, revocation list (read now: a
 * configured file that cannot be read stops the start), audit log. `audit` replaces the configured
 * audit log (tests capture records with it).
 */
export async function configureGateway(config: GatewayConfig, audit?: AuditSink): Promise<ConfiguredGateway> {
  let revocations: RevocationList;
  try {
    revocations = config.revocationListPath ? await RevocationList.fromFile(config.revocationListPath) : RevocationList.inMemory();
  } catch (error) {
    throw new ConfigError(`Cannot read FILMLESS_REVOCATION_LIST (${config.revocationListPath}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const verifier = createTokenVerifier({
    keys: config.keys,
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    revocations,
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxLifetimeSeconds: config.maxLifetimeSeconds,
  });
  const state: TokenState = config.redisUrl
    ? new RedisTokenState(new RedisClient({ url: config.redisUrl, commandTimeoutMs: config.redisTimeoutMs }), config.redisPrefix)
    : new MemoryTokenState();
  const ttl = revocationTtlSeconds(config.maxLifetimeSeconds, config.clockToleranceSeconds);
  const publishRevocations = async () => {
    if (!config.redisUrl) return 0;
    const ids = revocations.list();
    await state.revoke(ids, ttl);
    return ids.length;
  };
  const auditLog = audit ? undefined : createAuditLog(config.auditLogPath);
  const options: GatewayOptions = {
    upstream: config.upstreamUrl,
    ...(config.upstreamAuth ? { upstreamAuth: config.upstreamAuth } : {}),
    policy: createTokenPolicy({ verifier, state }),
    allowedOrigins: config.allowedOrigins,
    prefix: config.prefix,
    corsMaxAgeSeconds: config.corsMaxAgeSeconds,
    audit: audit ?? auditLog!.write,
    ...(config.trustProxy ? { clientAddress: forwardedFor } : {}),
  };
  return { options, revocations, state, publishRevocations, auditLog };
}
