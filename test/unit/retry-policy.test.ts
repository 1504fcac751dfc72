import { expect } from 'chai';
import { DicomwebClient, type FetchLike } from '../../src/dicomweb/client.js';
import { RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay } from '../../src/dicomweb/retry-policy.js';
import { FilmlessError } from '../../src/errors.js';

describe('retry policy', () => {
  it('doubles the backoff with each retry, jittered within its upper half and capped', () => {
    const policy = { ...RETRY_POLICY, maxAttempts: 10 };
    for (let retry = 1; retry < 10; retry++) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
      expect(retryDelay(retry, null, policy, () => 0)).to.equal(ceiling / 2);
      expect(retryDelay(retry, null, policy, () => 0.999_999)).to.be.within(ceiling - 1, ceiling);
    }
    expect(retryDelay(9, null, policy, () => 0.999_999)).to.be.at.most(policy.maxDelayMs);
  });

  it('allows maxAttempts attempts in all: no delay is given for the attempt after the last', () => {
    expect(retryDelay(RETRY_POLICY.maxAttempts - 1, null)).to.be.a('number');
    expect(retryDelay(RETRY_POLICY.maxAttempts, null)).to.equal(undefined);
    expect(retryDelay(0, null)).to.equal(undefined);
  });

  it('waits what Retry-After asks, in seconds or as a date, and gives up when it asks for more than the cap', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).to.equal(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(retryDelay(1, '2', RETRY_POLICY, Math.random, now)).to.equal(2000);
    expect(retryDelay(1, String(RETRY_POLICY.maxRetryAfterMs / 1000 + 1), RETRY_POLICY, Math.random, now)).to.equal(undefined);
  });

  it('retries 408, 429, 502, 503 and 504, and no other status', () => {
    const retried = [400, 401, 403, 404, 406, 408, 409, 415, 429, 500, 501, 502, 503, 504, 505].filter(isRetryableStatus);
    expect(retried).to.deep.equal([408, 429, 502, 503, 504]);
  });
});

/** A client whose fetch answers from a script, counting calls (the retry delays are shortened). */
function scripted(answers: ((init: RequestInit) => Promise<Response> | Response)[], options: Partial<ConstructorParameters<typeof DicomwebClient>[0]> = {}) {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, authorization: new Headers(init.headers).get('authorization') });
    const answer = answers[Math.min(calls.length, answers.length) - 1]!;
    return Promise.resolve(answer(init));
  };
  const client = new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch, retry: { baseDelayMs: 2, maxDelayMs: 8 }, ...options });
  return { client, calls };
}

const json = (body: string, type = 'application/dicom+json') => () => new Response(body, { status: 200, headers: { 'Content-Type': type } });
const status = (code: number, headers: Record<string, string> = {}) => () => new Response('', { status: code, headers });
const signal = () => new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<FilmlessError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(FilmlessError);
    return error as FilmlessError;
  }
  throw new Error('expected a failure');
}

describe('DICOMweb client retries', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    const { client, calls } = scripted([status(503), status(503), json('[{}]')]);
    expect(await client.searchStudies({}, signal())).to.have.length(1);
    expect(calls).to.have.length(3);
  });

  it('gives up after maxAttempts on a server that keeps answering 503, with a retryable server error', async () => {
    const { client, calls } = scripted([status(503)]);
    const error = await failure(client.searchStudies({}, signal()));
    expect(error).to.include({ code: 'server', status: 503, retryable: true });
    expect(calls).to.have.length(RETRY_POLICY.maxAttempts);
  });

  it('retries a 429 after its Retry-After, and not at all when Retry-After is beyond the cap', async () => {
    const soon = scripted([status(429, { 'Retry-After': '0' }), json('[]')]);
    expect(await soon.client.searchStudies({}, signal())).to.deep.equal([]);
    expect(soon.calls).to.have.length(2);
    const late = scripted([status(429, { 'Retry-After': '3600' })]);
    expect(await failure(late.client.searchStudies({}, signal()))).to.include({ code: 'server', status: 429, retryable: true });
    expect(late.calls).to.have.length(1);
  });

  it('sends 403, 404 and 500 once', async () => {
    for (const [code, expected] of [[403, 'forbidden'], [404, 'not-found'], [500, 'server']] as const) {
      const { client, calls } = scripted([status(code)]);
      expect(await failure(client.searchStudies({}, signal()))).to.include({ code: expected, status: code, retryable: false });
      expect(calls, String(code)).to.have.length(1);
    }
  });

  it('reports an HTML page and malformed JSON sent with 200 as server errors, without retrying', async () => {
    const html = scripted([json('<!doctype html><title>Login</title>', 'text/html')]);
    expect((await failure(html.client.searchStudies({}, signal()))).message).to.contain('HTML');
    expect(html.calls).to.have.length(1);
    const broken = scripted([json('[{"0020000D": ')]);
    expect(await failure(broken.client.searchStudies({}, signal()))).to.include({ code: 'server', retryable: false });
    expect(broken.calls).to.have.length(1);
  });

  it('times out a request without an answer, and one whose body stops, as retryable network errors', async () => {
    const never = (init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    const silent = scripted([never], { timeoutMs: 30 });
    expect(await failure(silent.client.searchStudies({}, signal()))).to.include({ code: 'network', retryable: true });
    expect(silent.calls).to.have.length(RETRY_POLICY.maxAttempts);

    const stalled = (init: RequestInit) =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('[{'));
            init.signal!.addEventListener('abort', () => controller.error(init.signal!.reason));
          },
        }),
        { status: 200, headers: { 'Content-Type': 'application/dicom+json' } },
      );
    const stopping = scripted([stalled, json('[]')], { timeoutMs: 30 });
    expect(await stopping.client.searchStudies({}, signal())).to.deep.equal([]);
    expect(stopping.calls).to.have.length(2);
  });

  it('retries a frames answer cut before its closing boundary', async () => {
    const type = 'multipart/related; type="application/octet-stream"; boundary=b';
    const whole = '--b\r\nContent-Type: application/octet-stream\r\n\r\nABCD\r\n--b--\r\n';
    const { client, calls } = scripted([() => new Response(whole.slice(0, 30), { headers: { 'Content-Type': type } }), () => new Response(whole, { headers: { 'Content-Type': type } })]);
    const [frame] = await client.retrieveFrames('1.2', '1.3', '1.4', [1], signal());
    expect(new TextDecoder().decode(frame!.bytes)).to.equal('ABCD');
    expect(calls).to.have.length(2);
  });

  it('asks the token provider once on a 401 and sends the new token in the Authorization header only', async () => {
    let token = 'old-token';
    let asked = 0;
    const { client, calls } = scripted([status(401), json('[]')], {
      getToken: () => token,
      refreshToken: async () => {
        asked += 1;
        token = 'new-token';
        return token;
      },
    });
    await client.searchStudies({}, signal());
    expect(asked).to.equal(1);
    expect(calls.map((c) => c.authorization)).to.deep.equal(['Bearer old-token', 'Bearer new-token']);
    for (const call of calls) expect(call.url).not.to.contain('token');
  });

  it('reports unauthorized when the new token is refused too, after two requests', async () => {
    const { client, calls } = scripted([status(401)], { getToken: () => 't', refreshToken: async () => 'u' });
    expect(await failure(client.searchStudies({}, signal()))).to.include({ code: 'unauthorized', status: 401 });
    expect(calls).to.have.length(2);
  });

  it('stops waiting to retry as soon as the load is aborted', async () => {
    const controller = new AbortController();
    const { client, calls } = scripted([status(503)], { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const pending = client.searchStudies({}, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const outcome = await pending.then(
      () => 'resolved',
      (error: unknown) => (error as Error).name,
    );
    expect(outcome).to.equal('AbortError');
    expect(calls).to.have.length(1);
  });
});
