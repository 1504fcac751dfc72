/**
 * The element's side of the first image's codec worker (codec.worker.ts): which transfer syntaxes it
 * decodes, and one worker for the page, started the first time a compressed first image comes in. A
 * page that only meets uncompressed frames never starts it, and one that meets JPEG-LS fetches CharLS
 * alone: each codec is a chunk of the worker's own, loaded when asked for.
 */
import { startModuleWorker } from '../workers/module-worker.js';
import type { CodecAnswer, CodecName, CodecRequest, CodecWarmUp, DecodedFrame, FrameLayout } from './codec-protocol.js';
import workerUrl from './codec.worker.ts?worker&url';

/** Each transfer syntax the lean first image decodes, and with which codec (as Cornerstone's loader does). */
const CODECS: Record<string, CodecName> = {
  '1.2.840.10008.1.2.4.80': 'jpegls',
  '1.2.840.10008.1.2.4.81': 'jpegls',
  // Baseline only: 12-bit DCT JPEG (.51, .53, .55) goes to Cornerstone's JavaScript decoder and its correction.
  '1.2.840.10008.1.2.4.50': 'jpeg-baseline',
  '1.2.840.10008.1.2.4.57': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.70': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.90': 'jpeg2000',
  '1.2.840.10008.1.2.4.91': 'jpeg2000',
  '1.2.840.10008.1.2.4.201': 'htj2k',
  '1.2.840.10008.1.2.4.202': 'htj2k',
  '1.2.840.10008.1.2.4.203': 'htj2k',
  '3.2.840.10008.1.2.4.96': 'htj2k',
  '1.2.840.10008.1.2.5': 'rle',
};

/** The codec that decodes frames of this transfer syntax, if the lean first image has one. */
export function codecOf(transferSyntaxUID: string): CodecName | undefined {
  return Object.hasOwn(CODECS, transferSyntaxUID) ? CODECS[transferSyntaxUID] : undefined;
}

/** The decoder itself could not run (as opposed to a frame that does not decode). */
export class DecoderUnavailable extends Error {
  override name = 'DecoderUnavailable';
}

let worker: Worker | undefined;
let idleTimer = 0;
let sequence = 0;
/**
 * The worker holds its codecs' WebAssembly memory (megabytes for JPEG 2000): it goes once no first image
 * has needed it for this long (Cornerstone decodes everything after the first image); the next one starts it again.
 */
const IDLE_MS = 10_000;

function stopWhenIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = window.setTimeout(() => {
    if (pending.size > 0 || !worker) return;
    worker.terminate();
    worker = undefined;
  }, IDLE_MS);
}
const pending = new Map<number, { resolve: (answer: DecodedFrame) => void; reject: (error: Error) => void }>();

/** The page's one first-image codec worker, started on first use and shared by every viewer. */
function codecWorker(): Worker {
  if (worker) return worker;
  const started = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-first-image-codecs');
  started.onmessage = (event: MessageEvent<CodecAnswer>) => {
    const answer = event.data;
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (!waiter) return;
    if ('error' in answer) waiter.reject(answer.unavailable ? new DecoderUnavailable(answer.error) : new Error(answer.error));
    else waiter.resolve(answer);
    if (pending.size === 0) stopWhenIdle();
  };
  started.onerror = (event) => {
    // The worker did not load (a CSP, a network failure): not the frame's fault. Every waiting frame is
    // handed to Cornerstone instead; a later one tries again.
    worker = undefined;
    for (const waiter of pending.values()) waiter.reject(new DecoderUnavailable(event.message || 'first-image codec worker failed'));
    pending.clear();
  };
  worker = started;
  return started;
}

/**
 * Starts the worker and loads the decoder for frames of this transfer syntax while such a frame is still
 * arriving (told by its response's headers): on a phone's link the worker, the codec's script and its
 * WebAssembly then load beside the frame's transfer instead of after it. Nothing for a syntax the lean
 * path does not decode (uncompressed frames fetch no codec).
 */
export function warmDecoder(transferSyntaxUID: string): void {
  const codec = codecOf(transferSyntaxUID);
  if (!codec) return;
  codecWorker().postMessage({ warm: codec } satisfies CodecWarmUp);
  if (pending.size === 0) stopWhenIdle();
}

/** Decodes one compressed frame off the main thread. The frame's bytes are copied, never taken from the caller. */
export function decodeCompressedFrame(codec: CodecName, bytes: Uint8Array, layout: FrameLayout, signal?: AbortSignal): Promise<DecodedFrame> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    sequence += 1;
    const id = sequence;
    pending.set(id, { resolve, reject });
    signal?.addEventListener('abort', () => {
      if (pending.delete(id)) reject(signal.reason);
    }, { once: true });
    const copy = bytes.slice().buffer;
    codecWorker().postMessage({ id, codec, bytes: copy, layout } satisfies CodecRequest, [copy]);
  });
}
