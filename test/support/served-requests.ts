/**
 * What the test server served, for tests that check which files a page fetched: its workers' requests
 * included (a page's resource timing does not see those), which the browser cannot tell a test by itself.
 * Test files run one at a time (web-test-runner's concurrency is 1), so the requests since a test began
 * are that test's page's.
 */
interface Served {
  time: number;
  path: string;
}

const served: Served[] = [];
/** Enough for any one test; older entries go. */
const KEEP = 50_000;

/** Koa middleware of the test server: notes every request's path and time, then passes it on. */
export function servedRequestsMiddleware(ctx: { path: string }, next: () => Promise<unknown>): Promise<unknown> {
  served.push({ time: Date.now(), path: ctx.path });
  if (served.length > KEEP) served.splice(0, served.length - KEEP);
  return next();
}

/** Paths served since `since` (ms since the epoch, this machine's clock), in order. */
export function servedPaths(since: number): string[] {
  return served.filter((r) => r.time >= since).map((r) => r.path);
}
