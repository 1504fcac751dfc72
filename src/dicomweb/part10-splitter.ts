import { startModuleWorker } from '../workers/module-worker.js';
import type { FrameBytes, SeriesSplitter } from './frame-bytes.js';
import { MultipartReader } from './multipart.js';
import { readPart10Frames } from './part10-frames.js';
import type { SplitterAnswer, SplitterRequest } from './part10-splitter-protocol.js';
import workerUrl from './part10-splitter.worker.ts?worker&url';

/** One instance of the stream, split into frames (none when their layout could not be told). */
export interface SplitInstance {
  sopInstanceUID: string;
  frames: FrameBytes[];
}


function instanceOf(answer: Extract<SplitterAnswer, { type: 'instance' }>): SplitInstance {
  return {
    sopInstanceUID: answer.sopInstanceUID,
    frames: answer.frames.map((f) => ({ bytes: new Uint8Array(f.buffer, f.offset, f.length), transferSyntaxUID: f.transferSyntaxUID })),
  };
}

/**
 * Why a worker's own series stream failed, and whether any of it had arrived. `fetched`: the request was
 * sent and failed (no answer, a timeout, an HTTP status), as opposed to a worker that could not start.
 */
export class WorkerStreamError extends Error {
  override name = 'WorkerStreamError';
  constructor(
    message: string,
    readonly started: boolean,
    readonly status?: number,
    readonly details: { fetched?: boolean; retryAfter?: string; timedOut?: boolean } = {},
  ) {
    super(message);
  }
}

/**
 * Fetches and splits a whole series stream in a worker (see the worker's fetchAndSplit). Resolves when
 * the stream ended and every instance was handed over; rejects with a WorkerStreamError (or the abort
 * reason). The caller decides what to do about a failure: repeat the request on this thread (a 401 the
 * token provider can fix, a worker that could not start), or fetch what is missing frame by frame.
 */
export function streamSeriesInWorker(
  request: { url: string; headers: Record<string, string>; timeoutMs: number },
  onInstance: (instance: SplitInstance) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-series-stream');
    } catch (error) {
      reject(new WorkerStreamError(error instanceof Error ? error.message : String(error), false));
      return;
    }
    let started = false;
    const end = () => {
      worker.terminate();
      signal.removeEventListener('abort', abort);
    };
    const abort = () => {
      end();
      reject(signal.reason);
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    worker.onmessage = (event: MessageEvent<SplitterAnswer>) => {
      const answer = event.data;
      if (answer.type === 'instance') onInstance(instanceOf(answer));
      else if (answer.type === 'started') started = true;
      else if (answer.type === 'done') {
        end();
        resolve();
      } else {
        end();
        reject(new WorkerStreamError(answer.message, started, answer.status, { fetched: true, retryAfter: answer.retryAfter, timedOut: answer.timedOut }));
      }
    };
    worker.onerror = (event) => {
      end();
      reject(new WorkerStreamError(event.message || 'series stream worker failed', started));
    };
    worker.postMessage({ type: 'fetch', url: request.url, headers: request.headers, timeoutMs: request.timeoutMs } satisfies SplitterRequest);
  });
}

/** Splitting on the main thread: where workers cannot start (a strict CSP), and as the reference behaviour. */
export function splitInThread(boundary: string, onInstance: (instance: SplitInstance) => void): SeriesSplitter {
  const reader = new MultipartReader(boundary);
  let closed = false;
  // In stream order, each instance once split (a deflated one is inflated first, asynchronously).
  let splitting: Promise<void> = Promise.resolve();
  return {
    push(chunk) {
      for (const part of reader.push(chunk)) {
        splitting = splitting.then(async () => {
          if (closed) return;
          try {
            const instance = await readPart10Frames(part.body);
            if (!closed) onInstance(instance);
          } catch {
            // not a DICOM file: the per-frame fallback fetches (and reports) its frames
          }
        });
      }
    },
    finish: () => splitting,
    close() {
      closed = true;
    },
  };
}

/**
 * Splitting in a worker: parsing a 150 MB series response part by part is hundreds of milliseconds of
 * main-thread time the viewer needs for decoding and drawing. Chunks are transferred, not copied.
 */
export function splitInWorker(boundary: string, onInstance: (instance: SplitInstance) => void): SeriesSplitter {
  let worker: Worker;
  try {
    worker = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-series-splitter');
  } catch {
    return splitInThread(boundary, onInstance);
  }
  let closed = false;
  let finished: (() => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  // A worker refused after it was constructed (a CSP without `worker-src blob:`, a script that did not
  // load) fails the stream; the series then comes frame by frame instead of never.
  let failure: Error | undefined;
  worker.onmessage = (event: MessageEvent<SplitterAnswer>) => {
    if (closed) return;
    const answer = event.data;
    if (answer.type === 'done') finished?.();
    else if (answer.type === 'instance') onInstance(instanceOf(answer));
  };
  worker.onerror = (event) => {
    failure = new Error(event.message || 'series splitter failed');
    failed?.(failure);
  };
  const send = (message: SplitterRequest, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  send({ type: 'start', boundary });
  return {
    push(chunk) {
      if (closed) return;
      // Stream chunks normally own their buffer: move it; copy only a view into a larger one.
      const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? (chunk.buffer as ArrayBuffer) : chunk.slice().buffer;
      send({ type: 'chunk', chunk: own }, [own]);
    },
    finish() {
      if (failure) return Promise.reject(failure);
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        finished = resolve;
        failed = reject;
        send({ type: 'end' });
      });
    },
    close() {
      closed = true;
      worker.terminate();
    },
  };
}
