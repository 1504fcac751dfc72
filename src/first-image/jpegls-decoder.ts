import { startModuleWorker } from '../workers/module-worker.js';
import type { JpegLsAnswer, JpegLsRequest } from './jpegls-protocol.js';
import workerUrl from './jpegls.worker.ts?worker&url';

export interface DecodedJpegLs {
  /** Decoded samples, little-endian, `bitsPerSample > 8` ? 2 bytes : 1 byte each. */
  pixels: ArrayBuffer;
  width: number;
  height: number;
  bitsPerSample: number;
}

/** The decoder itself could not run (as opposed to a frame that does not decode). */
export class DecoderUnavailable extends Error {
  override name = 'DecoderUnavailable';
}

let worker: Worker | undefined;
let sequence = 0;
const pending = new Map<number, { resolve: (answer: DecodedJpegLs) => void; reject: (error: Error) => void }>();

/** The page's one first-image JPEG-LS worker, started on first use and shared by every viewer. */
function decoderWorker(): Worker {
  if (worker) return worker;
  const started = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-first-image-jpegls');
  started.onmessage = (event: MessageEvent<JpegLsAnswer>) => {
    const { id, pixels, width, height, bitsPerSample, error } = event.data;
    const waiter = pending.get(id);
    pending.delete(id);
    if (!waiter) return;
    if (error || !pixels || !width || !height || !bitsPerSample) waiter.reject(new Error(error ?? 'JPEG-LS decoder gave no pixels'));
    else waiter.resolve({ pixels, width, height, bitsPerSample });
  };
  started.onerror = (event) => {
    // The worker or its WebAssembly did not load (a CSP, a network failure): not the frame's fault. Every
    // waiting frame is handed to Cornerstone instead; a later one tries again.
    worker = undefined;
    for (const waiter of pending.values()) waiter.reject(new DecoderUnavailable(event.message || 'JPEG-LS worker failed'));
    pending.clear();
  };
  worker = started;
  return started;
}

/** Decodes one JPEG-LS frame off the main thread. The frame's bytes are copied, never taken from the caller. */
export function decodeJpegLs(bytes: Uint8Array, signal?: AbortSignal): Promise<DecodedJpegLs> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    sequence += 1;
    const id = sequence;
    pending.set(id, { resolve, reject });
    signal?.addEventListener('abort', () => {
      if (pending.delete(id)) reject(signal.reason);
    }, { once: true });
    const copy = bytes.slice().buffer;
    decoderWorker().postMessage({ id, bytes: copy } satisfies JpegLsRequest, [copy]);
  });
}
