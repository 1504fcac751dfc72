/**
 * What the gateway remembers about tokens between requests: which token ids are revoked, and how many
 * times each use-limited token was used.
 *
 * - `MemoryTokenState` (the default, one gateway process): a set and a counter in this process.
 * - `RedisTokenState` (FILMLESS_REDIS_URL, several gateway processes behind a load balancer): both live
 *   in Redis, so a token revoked or used up through one gateway is refused by every other. A use is
 *   counted with one Lua script (INCR, and the key's expiry on the first use) that Redis runs
 *   atomically: two gateways can never both admit the last use.
 *
 * Fail closed: when Redis cannot answer, the store throws `TokenStateUnavailableError` and the policy
 * refuses the request with 503. A token is never let through because its revocation or its count
 * could not be checked.
 *
 * The revocation file (token-revocation.ts) stays the operator's record in both modes; with Redis, each
 * gateway also copies the ids of its file into Redis when it reads the file, so a file edited on one
 * machine reaches every gateway.
 *
 * Keys (with the default prefix `filmless:`), in a hash tag so both keys of one token share a Redis
 * Cluster slot:
 *   filmless:revoked:{<jti>}   "1", expiring when no token with that id can still be valid
 *   filmless:uses:{<jti>}      the number of uses so far, expiring an hour after the token
 */
import { RedisReplyError, RedisUnavailableError, type RedisClient } from './redis-client.js';
import { UseCounter } from './token-uses.js';

/** The shared state could not be read or written: refuse the request (503) rather than guess. */
export class TokenStateUnavailableError extends Error {}

export interface TokenState {
  /** 'memory' or the Redis address (no credentials), for start-up messages. */
  readonly description: string;
  isRevoked: (jti: string) => Promise<boolean>;
  /** Revokes token ids for `ttlSeconds` (long enough to outlive any token that could carry them). */
  revoke: (jtis: readonly string[], ttlSeconds: number) => Promise<void>;
  /**
   * Records one use of `jti` if fewer than `limit` were made and answers true; answers false (the
   * limit is reached) otherwise. `expiresAtMs` is the token's expiry, after which the count may go.
   */
  consumeUse: (jti: string, limit: number, expiresAtMs: number) => Promise<boolean>;
  /** Answers whether the store is reachable now (the /readyz check). */
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
}

/**
 * How long a revocation must be kept: a token id revoked now belongs to a token issued at the latest
 * now (plus clock skew), which no gateway accepts after its `exp` (at most the longest lifetime later)
 * plus the skew. A minute more for good measure.
 */
export function revocationTtlSeconds(maxLifetimeSeconds: number, clockToleranceSeconds: number): number {
  return maxLifetimeSeconds + 2 * clockToleranceSeconds + 60;
}

/** One process's memory: the single-instance default. */
export class MemoryTokenState implements TokenState {
  readonly description = 'memory';
  private readonly revoked = new Map<string, number>();
  private readonly uses: UseCounter;
  private readonly now: () => number;

  constructor(uses = new UseCounter(), now: () => number = Date.now) {
    this.uses = uses;
    this.now = now;
  }

  async isRevoked(jti: string): Promise<boolean> {
    const until = this.revoked.get(jti);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.revoked.delete(jti);
    return false;
  }

  async revoke(jtis: readonly string[], ttlSeconds: number): Promise<void> {
    const until = this.now() + ttlSeconds * 1000;
    for (const jti of jtis) this.revoked.set(jti, Math.max(until, this.revoked.get(jti) ?? 0));
  }

  async consumeUse(jti: string, limit: number, expiresAtMs: number): Promise<boolean> {
    return this.uses.consume(jti, limit, expiresAtMs);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}

/**
 * Counts one use atomically. KEYS[1] the count; ARGV[1] the limit, ARGV[2] the count's expiry (Unix
 * ms). Answers the count after this use, or 0 when the limit was already reached (nothing counted).
 */
const CONSUME_USE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return used`;

/** Token ids are URL-safe (token-claims.ts); anything else never reaches Redis as part of a key. */
const SAFE_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export class RedisTokenState implements TokenState {
  readonly description: string;
  private readonly client: RedisClient;
  private readonly prefix: string;

  constructor(client: RedisClient, prefix = 'filmless:') {
    this.client = client;
    this.prefix = prefix;
    this.description = client.address;
  }

  private key(kind: 'revoked' | 'uses', jti: string): string {
    if (!SAFE_ID.test(jti)) throw new TokenStateUnavailableError('A token id with characters a key may not hold');
    return `${this.prefix}${kind}:{${jti}}`;
  }

  private async run(args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.client.command(args);
    } catch (error) {
      if (error instanceof RedisUnavailableError || error instanceof RedisReplyError) throw new TokenStateUnavailableError(error.message);
      throw error;
    }
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.run(['EXISTS', this.key('revoked', jti)])) === 1;
  }

  async revoke(jtis: readonly string[], ttlSeconds: number): Promise<void> {
    // One SET per id, pipelined on the one connection. The lifetime counts from now: setting an id
    // again (the file read again) only ever moves its expiry later.
    const seconds = Math.max(1, Math.ceil(ttlSeconds));
    await Promise.all(jtis.map((jti) => this.run(['SET', this.key('revoked', jti), '1', 'EX', seconds])));
  }

  async consumeUse(jti: string, limit: number, expiresAtMs: number): Promise<boolean> {
    const reply = await this.run(['EVAL', CONSUME_USE, 1, this.key('uses', jti), limit, Math.ceil(expiresAtMs + 3600_000)]);
    if (typeof reply !== 'number') throw new TokenStateUnavailableError('Unexpected reply to the use count');
    return reply > 0;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.command(['PING'])) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
