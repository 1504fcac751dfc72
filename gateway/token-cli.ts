/**
 * Issues, and helps manage, Filmless access tokens from the command line.
 *
 *   npx tsx gateway/token-cli.ts keygen --out /etc/filmless
 *       writes token-private.pem (mode 0600, for the issuer only) and token-public.pem (for the gateway)
 *
 *   npx tsx gateway/token-cli.ts issue --study <uid> [--study <uid>…] --purpose patient --ttl 15m
 *       [--accession <number>] [--issuer <issuer of accession>] [--uses <n>] [--not-before <duration>]
 *       [--subject <user id>]
 *       prints the token, and only the token, on stdout; its id and expiry go to stderr
 *
 *   npx tsx gateway/token-cli.ts revoke <token id> [--note <text>] [--list <file>] [--redis <url>]
 *       appends the id to the revocation list (default FILMLESS_REVOCATION_LIST); the gateway reloads it.
 *       With Redis (--redis or FILMLESS_REDIS_URL, as the gateways read it) the id is also written
 *       there, and every gateway on that Redis refuses the token from the next request on.
 *
 * The signing key comes from FILMLESS_TOKEN_KEY (PEM) or FILMLESS_TOKEN_KEY_FILE (a path), or --key
 * <file>; the `iss` and `aud` claims from FILMLESS_TOKEN_ISSUER and FILMLESS_TOKEN_AUDIENCE (the same
 * variables the gateway reads) or --iss / --aud. The token is printed for the program that asked for
 * it: do not paste it into tickets, chats or logs, and never into a URL's query string.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, TOKEN_PURPOSES, type TokenPurpose, parseDuration } from './token-claims.js';
import { createTokenIssuer, TokenRequestError } from './token-issuer.js';
import { generateTokenKeyPair, KeyConfigError, keySourceFromEnv, loadSigningKey } from './token-keys.js';
import { parseRedisUrl, RedisClient } from './redis-client.js';
import { appendRevocation } from './token-revocation.js';
import { RedisTokenState, revocationTtlSeconds } from './token-state.js';

class UsageError extends Error {}

const USAGE = `Usage:
  token-cli.ts keygen --out <folder>
  token-cli.ts issue --study <uid> [--study <uid>…] --purpose patient|clinician|consult --ttl 15m
                     [--accession <number>] [--issuer <issuer>] [--uses <n>] [--not-before <duration>]
                     [--subject <user id>] [--key <private key file>] [--iss <issuer>] [--aud <audience>]
  token-cli.ts revoke <token id> [--note <text>] [--list <revocation file>] [--redis <redis://host:port>]`;

async function keygen(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  if (!values.out) throw new UsageError('keygen needs --out <folder>');
  const pair = await generateTokenKeyPair();
  const privatePath = join(values.out, 'token-private.pem');
  const publicPath = join(values.out, 'token-public.pem');
  try {
    // `wx`: never overwrite a key in use.
    await writeFile(privatePath, pair.privatePem, { mode: 0o600, flag: 'wx' });
    await chmod(privatePath, 0o600); // whatever the umask
    await writeFile(publicPath, pair.publicPem, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`A key already exists in ${values.out}; move it away first (keys are never overwritten).`);
    throw error;
  }
  console.error(`Wrote ${privatePath} (keep it with the token issuer only) and ${publicPath} (for the gateway). Key id ${pair.kid}.`);
}

async function issue(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      study: { type: 'string', multiple: true },
      purpose: { type: 'string' },
      ttl: { type: 'string' },
      accession: { type: 'string' },
      issuer: { type: 'string' },
      uses: { type: 'string' },
      'not-before': { type: 'string' },
      subject: { type: 'string' },
      key: { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string' },
    },
  });
  if (!values.study?.length) throw new UsageError('issue needs --study <StudyInstanceUID>');
  if (!values.purpose || !TOKEN_PURPOSES.includes(values.purpose as TokenPurpose)) {
    throw new UsageError(`issue needs --purpose ${TOKEN_PURPOSES.join('|')}`);
  }
  if (!values.ttl) throw new UsageError('issue needs --ttl (e.g. 15m)');
  const uses = values.uses === undefined ? undefined : Number(values.uses);
  const notBefore = values['not-before'] === undefined ? undefined : parseDuration(values['not-before']);
  if (values['not-before'] !== undefined && notBefore === undefined) throw new UsageError('--not-before takes a duration (e.g. 10m)');

  const source = values.key ? { file: values.key, from: `--key (${values.key})` } : keySourceFromEnv(env, 'FILMLESS_TOKEN_KEY');
  if (!source) throw new UsageError('Give the signing key: FILMLESS_TOKEN_KEY_FILE=<file>, FILMLESS_TOKEN_KEY=<PEM> or --key <file>');
  const issuer = createTokenIssuer({
    key: await loadSigningKey(source),
    issuer: values.iss ?? (env.FILMLESS_TOKEN_ISSUER || DEFAULT_TOKEN_ISSUER),
    audience: values.aud ?? (env.FILMLESS_TOKEN_AUDIENCE || DEFAULT_TOKEN_AUDIENCE),
  });
  const issued = await issuer.issue({
    studies: values.study,
    purpose: values.purpose as TokenPurpose,
    ttl: values.ttl,
    ...(values.accession !== undefined ? { accession: values.accession } : {}),
    ...(values.issuer !== undefined ? { issuer: values.issuer } : {}),
    ...(uses !== undefined ? { uses } : {}),
    ...(notBefore !== undefined ? { notBeforeSeconds: notBefore } : {}),
    ...(values.subject !== undefined ? { subject: values.subject } : {}),
  });
  process.stdout.write(`${issued.token}\n`);
  console.error(`token id ${issued.jti}, valid until ${issued.expiresAt.toISOString()}`);
}

/**
 * Reads `revoke`'s arguments. Not with parseArgs: a token id is base64url and may begin with `-` or
 * `--` (one id in 32 does), which parseArgs would take for an option. Only the three options below are
 * options; everything else is the token id.
 */
function revokeArguments(args: string[]): { values: { note?: string; list?: string; redis?: string }; positionals: string[] } {
  const values: { note?: string; list?: string; redis?: string } = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const option = /^--(note|list|redis)(?:=(.*))?$/s.exec(arg);
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!option) positionals.push(arg);
    else if (option[2] !== undefined) values[option[1] as 'note'] = option[2];
    else if (i + 1 < args.length) values[option[1] as 'note'] = args[++i]!;
    else throw new UsageError(`${arg} needs a value`);
  }
  return { values, positionals };
}

async function revoke(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values, positionals } = revokeArguments(args);
  const [jti, ...extra] = positionals;
  if (!jti || extra.length > 0) throw new UsageError('revoke takes one token id');
  const list = values.list ?? env.FILMLESS_REVOCATION_LIST;
  const redisUrl = values.redis ?? env.FILMLESS_REDIS_URL;
  if (!list && !redisUrl) throw new UsageError('Name the revocation file (--list <file> or FILMLESS_REVOCATION_LIST), Redis (--redis <url> or FILMLESS_REDIS_URL), or both');
  if (!/^[A-Za-z0-9._~-]{1,128}$/.test(jti)) throw new UsageError('A token id has only URL-safe characters');
  if (list) {
    await appendRevocation(list, jti, values.note ?? `revoked ${new Date().toISOString()}`);
    console.error(`Revoked ${jti} in ${list}; the gateway picks it up within seconds (or at once on SIGHUP).`);
  }
  if (redisUrl) {
    try {
      parseRedisUrl(redisUrl);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const maxLifetime = parseDuration(env.FILMLESS_TOKEN_MAX_LIFETIME ?? '24h') ?? 24 * 3600;
    const tolerance = parseDuration(env.FILMLESS_CLOCK_TOLERANCE ?? '30') ?? 30;
    const state = new RedisTokenState(new RedisClient({ url: redisUrl, commandTimeoutMs: 5000 }), env.FILMLESS_REDIS_PREFIX ?? 'filmless:');
    try {
      await state.revoke([jti], revocationTtlSeconds(maxLifetime, tolerance));
    } finally {
      await state.close();
    }
    console.error(`Revoked ${jti} in ${state.description}; every gateway on it refuses the token from now on.`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'keygen') return keygen(args);
  if (command === 'issue') return issue(args, process.env);
  if (command === 'revoke') return revoke(args, process.env);
  throw new UsageError(command ? `Unknown command ${command}` : 'Name a command');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof TokenRequestError || error instanceof KeyConfigError) console.error(`token-cli: ${error.message}`);
  else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) console.error(`${error.message}\n\n${USAGE}`);
  else console.error(error);
  process.exitCode = 1;
});
