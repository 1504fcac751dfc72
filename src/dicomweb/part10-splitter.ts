import { startModuleWorker } from '../imaging/module-worker.js';
import type { FrameBytes } from './client.js';
import { MultipartReader } from './multipart.js';
import { framesOfPart10 } from './part10-frames.js';
import type { SplitterAnswer, SplitterRequest } from './part10-splitter-protocol.js';
import workerUrl from './part10-splitter.worker.ts?worker&url';

/** One instance of the stream, split into frames (undefined: a frame that could not be located). */
export interface SplitInstance {
  sopInstanceUID: string;
  frames: (FrameBytes | undefined)[];
}

/** Receives the bytes of a multipart series response and hands over its instances' frames. */
export interface SeriesSplitter {
  push(chunk: Uint8Array): void;
  /** Resolves once every instance pushed so far has been handed over. */
  finish(): Promise<void>;
  /** Stops splitting (abort, failure); nothing more is handed over. */
  close(): void;
}

/** Splitting on the main thread: where workers cannot start (a strict CSP), and as the reference behaviour. */
export function splitInThread(boundary: string, onInstance: (instance: SplitInstance) => void): SeriesSplitter {
  const reader = new MultipartReader(boundary);
  let closed = false;
  return {
    push(chunk) {
      for (const part of reader.push(chunk)) {
        if (closed) return;
        try {
          onInstance(framesOfPart10(part.body));
        } catch {
          // not a DICOM file: the per-frame fallback fetches (and reports) its frames
        }
      }
    },
    finish: () => Promise.resolve(),
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
    if (answer.type === 'done') {
      finished?.();
      return;
    }
    onInstance({
      sopInstanceUID: answer.sopInstanceUID,
      frames: answer.frames.map((f) => (f ? { bytes: new Uint8Array(f.buffer, f.offset, f.length), transferSyntaxUID: f.transferSyntaxUID } : undefined)),
    });
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
