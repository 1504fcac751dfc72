/**
 * Counts the requests made with each token id, for tokens that carry a use limit (`uses`).
 *
 * Counts live in this process's memory: a restarted gateway forgets them, and two gateway processes
 * count separately (each admits up to the limit). That is acceptable for a limit meant to stop a
 * forwarded link from being replayed for hours; a deployment that needs a hard global limit keeps
 * one gateway process or moves this counter into a shared store.
 */
export class UseCounter {
  private readonly counts = new Map<string, { used: number; expiresAtMs: number }>();
  private readonly now: () => number;
  private consumedSinceSweep = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /**
   * Records one use of `jti` if fewer than `limit` were made; returns false (and records nothing) when
   * the limit is reached. `expiresAtMs` lets the counter forget ids whose tokens have expired.
   */
  consume(jti: string, limit: number, expiresAtMs: number): boolean {
    if (++this.consumedSinceSweep >= 1000) this.sweep();
    const entry = this.counts.get(jti) ?? { used: 0, expiresAtMs };
    if (entry.used >= limit) return false;
    entry.used += 1;
    this.counts.set(jti, entry);
    return true;
  }

  used(jti: string): number {
    return this.counts.get(jti)?.used ?? 0;
  }

  /**
   * Forgets the ids of expired tokens (refused for their expiry anyway), an hour after expiry so no
   * clock tolerance can re-admit a token whose count was forgotten.
   */
  sweep(): void {
    this.consumedSinceSweep = 0;
    const horizon = this.now() - 3600_000;
    for (const [jti, entry] of this.counts) if (entry.expiresAtMs < horizon) this.counts.delete(jti);
  }
}
