/**
 * Splits a streamed WADO-RS series response off the main thread: multipart parts, then each Part-10
 * instance into its frames (dicom-parser). The main thread only moves bytes: chunks come in transferred,
 * frames go out transferred (views into their instance's buffer, no copy).
 */
import { MultipartReader, boundaryOf } from './multipart.js';
import { readPart10Frames } from './part10-frames.js';
import type { SplitFrame, SplitterAnswer, SplitterRequest } from './part10-splitter-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<SplitterRequest>) => void) | null;
  postMessage(message: SplitterAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
let reader: MultipartReader | undefined;

/** Instances are handed over in stream order, each once it is split (a deflated one is inflated first). */
let splitting: Promise<void> = Promise.resolve();

function split(part10: Uint8Array): void {
  splitting = splitting.then(() => splitOne(part10));
}

async function splitOne(part10: Uint8Array): Promise<void> {
  let parsed: Awaited<ReturnType<typeof readPart10Frames>>;
  try {
    parsed = await readPart10Frames(part10);
  } catch {
    return; // not a DICOM file: the main thread's per-frame fallback fetches (and reports) its frames
  }
  const transfer = new Set<ArrayBuffer>();
  const frames = parsed.frames.map((frame): SplitFrame => {
    const buffer = frame.bytes.buffer as ArrayBuffer;
    transfer.add(buffer);
    return { buffer, offset: frame.bytes.byteOffset, length: frame.bytes.byteLength, transferSyntaxUID: frame.transferSyntaxUID };
  });
  scope.postMessage({ type: 'instance', sopInstanceUID: parsed.sopInstanceUID, frames }, [...transfer]);
}

/**
 * Fetches the series stream here: the main thread then does not even see the 150 MB go by (each chunk
 * read and handed on costs it time it needs for drawing). Same request as the client's: GET, the
 * bearer header, no cookies, CORS, and the same per-request timeout (the headers, then each chunk).
 */
async function fetchAndSplit(url: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const fail = async (message: string, extra: { status?: number; retryAfter?: string } = {}) => {
    clearTimeout(timer);
    // Instances read before the failure are handed over first: only what is missing is fetched again.
    await splitting;
    scope.postMessage({ type: 'failed', message, ...extra, ...(timedOut ? { timedOut: true } : {}) });
  };
  touch();
  let response: Response;
  try {
    response = await fetch(url, { method: 'GET', headers, credentials: 'omit', mode: 'cors', signal: controller.signal });
  } catch (error) {
    return fail(timedOut ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error));
  }
  const boundary = boundaryOf(response.headers.get('content-type'));
  if (!response.ok || !response.body || !boundary) {
    await response.body?.cancel().catch(() => undefined);
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    return fail(`${response.status} ${response.ok ? 'not multipart/related' : response.statusText}`, { status: response.status, ...(retryAfter ? { retryAfter } : {}) });
  }
  scope.postMessage({ type: 'started' });
  const streamReader = new MultipartReader(boundary);
  const stream = response.body.getReader();
  try {
    touch();
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      touch();
      for (const part of streamReader.push(value)) split(part.body);
    }
  } catch (error) {
    return fail(timedOut ? `no bytes for ${timeoutMs} ms` : error instanceof Error ? error.message : String(error));
  }
  clearTimeout(timer);
  await splitting;
  scope.postMessage({ type: 'done' });
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'start') reader = new MultipartReader(message.boundary);
  else if (message.type === 'chunk') for (const part of reader?.push(new Uint8Array(message.chunk)) ?? []) split(part.body);
  else if (message.type === 'fetch') void fetchAndSplit(message.url, message.headers, message.timeoutMs);
  else void splitting.then(() => scope.postMessage({ type: 'done' }));
};
