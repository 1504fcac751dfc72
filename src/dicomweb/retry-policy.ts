/**
 * When a DICOMweb request is tried again, and how long the viewer waits first: every number of the
 * policy lives here (README, "Network faults", documents them).
 *
 * - A request is sent at most `maxAttempts` times: the first try and up to three retries.
 * - Retried: no answer at all (the connection failed, was dropped before the body was complete, or the
 *   request timed out), 408, 429 Too Many Requests, and the transient 5xx: 502, 503, 504 (a gateway, an
 *   overloaded or restarting server). Never retried: other 4xx (401 has its own single retry with the
 *   token provider's new token); 500 and 501, which a server answers to what it cannot do, every time
 *   (Orthanc answers 500 to a frame it cannot cut out of a big-endian or deflated file, and the viewer
 *   then takes the frame from the series stream instead); an answer that is not DICOMweb (malformed
 *   JSON, an HTML page, a wrong content type): the same request would get the same.
 * - Backoff before retry n (1, 2, 3): `baseDelayMs · 2^(n−1)`, at most `maxDelayMs`, with "equal
 *   jitter": a uniformly random point in its upper half, so many viewers that failed together do not
 *   come back together, and no retry comes sooner than half its delay.
 * - `Retry-After` (seconds or an HTTP date) replaces the backoff when the browser may read it (a
 *   cross-origin server must list it in `Access-Control-Expose-Headers`). A server asking for more than
 *   `maxRetryAfterMs` is not retried: the failure is reported at once, `retryable`, and the host may
 *   call `retry()` later.
 * - `timeoutMs`: how long a request may wait for the response headers, and a response body may go
 *   without a byte, before the attempt counts as failed (a network failure, retried). Hosts set it with
 *   the element's `request-timeout`.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  timeoutMs: number;
}

export const RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
  timeoutMs: 30_000,
});

/** HTTP statuses a retry may cure: overload, a gateway or an upstream that is briefly away. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * Milliseconds a `Retry-After` value asks for (delay-seconds or an HTTP date, RFC 9110 10.2.3), or
 * undefined when absent or unreadable. A date in the past asks for no wait.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1 for the first retry), or undefined when no retry may follow:
 * the attempts are used up, or the server's `Retry-After` is longer than the policy waits.
 * `random` is a number in [0, 1) (Math.random by default).
 */
export function retryDelay(
  retry: number,
  retryAfter: string | null | undefined,
  policy: RetryPolicy = RETRY_POLICY,
  random: () => number = Math.random,
  now = Date.now(),
): number | undefined {
  if (retry < 1 || retry >= policy.maxAttempts) return undefined;
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return asked <= policy.maxRetryAfterMs ? asked : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}
