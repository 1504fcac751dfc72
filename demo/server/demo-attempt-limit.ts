/**
 * Limits failed access-code attempts per client, so nobody can try codes by the million: after
 * `limit` failures within `windowMs`, every attempt of that client (a right code included) is refused
 * until the oldest failure leaves the window. Kept in memory, per client address.
 */
export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the client must wait before its next attempt, or 0 when it may try now. */
  retryAfterSeconds(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.limit) return 0;
    const freedAt = recent[recent.length - this.limit]! + this.windowMs;
    return Math.max(1, Math.ceil((freedAt - this.now()) / 1000));
  }

  recordFailure(client: string): void {
    if (this.failures.size > 10_000) this.sweep();
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.set(client, recent);
  }

  private recent(client: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(client) ?? []).filter((time) => time > since);
  }

  private sweep(): void {
    for (const client of [...this.failures.keys()]) {
      if (this.recent(client).length === 0) this.failures.delete(client);
    }
  }
}
