/**
 * Where Cornerstone's DICOM image loader decodes Filmless's frames (issue 11, P2).
 *
 * Its `createImage` sends every frame, uncompressed ones included, to the worker registered as
 * `dicomImageLoader` through comlink (`executeTask('dicomImageLoader', 'decodeTask', …)`), and 5.14 never
 * passes the transfer list it computes: each frame is structured-cloned into the worker, the decoded
 * pixels cloned back, then copied once more into a typed array on the main thread (`setPixelDataType`). A
 * frame is also a view into its whole Part-10 instance's buffer (series-frames.ts), and a clone copies the
 * whole buffer: every frame of a multi-frame instance cloned the entire instance.
 *
 * Cornerstone takes any comlink endpoint from the factory it is given, so the one "worker" registered is
 * this router, an endpoint in the main thread that answers `decodeTask` itself:
 *
 * - **Native frames** (little endian, 8 or 16 bits) are decoded here, where the bytes are: a typed view,
 *   the sign shift, the minimum and maximum, one copy into the pixel type, the rescale (decode-native.ts,
 *   the same steps as Cornerstone's worker). No round trip, no clone; a 512×512 frame costs a millisecond
 *   or two of main thread, which the round trip (clones, two thread hops, the queue waiting for them) cost too.
 * - **Other frames** go to one decoder per core (decode.worker.ts: Cornerstone's own decoder and codecs),
 *   the least busy first, with the frame's own bytes copied out of its instance and transferred, and the
 *   decoded pixels transferred back.
 *
 * Either way the decoded pixels reach `createImage` as their ArrayBuffer when that is exactly the array
 * `setPixelDataType` would build (same type, whole buffer): it then makes a view instead of a copy.
 *
 * The router speaks the part of comlink 4's protocol Cornerstone's `wrap()` uses (APPLY of `decodeTask`,
 * RELEASE when the worker manager terminates it); anything else is answered with an error, so a changed
 * protocol fails every decode at once rather than leaving them waiting.
 */
import getPixelDataTypeFromMinMax from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/shared/getPixelDataTypeFromMinMax.js';
import { startModuleWorker } from '../workers/module-worker.js';
import type { DecodeAnswer, DecodeRequest } from './decode-protocol.js';
import { type DecodeOptions, type NativeImageFrame, canDecodeNatively, decodeNativeFrame } from './decode-native.js';
import workerUrl from './decode.worker.ts?worker&url';

/** What comlink's `wrap()` posts (its wire format, comlink 4.4). */
interface ComlinkRequest {
  id?: string;
  type?: string;
  path?: string[];
  argumentList?: { type?: string; value?: unknown }[];
}

/** The argument of Cornerstone's `decodeTask` (decodeImageFrame.js, `processDecodeTask`). */
interface DecodeTask {
  imageFrame: NativeImageFrame & Record<string, unknown>;
  transferSyntax: string;
  pixelData: Uint8Array;
  options: DecodeOptions;
  decodeConfig: unknown;
}

type Listener = (event: { data: unknown }) => void;

interface Decoder {
  worker: Worker;
  busy: number;
}

interface Pending {
  decoder: Decoder;
  resolve: (frame: unknown) => void;
  reject: (error: Error) => void;
}

/** Compressed-frame decoders: one per core (Cornerstone's default was up to 4, one per core too). */
export function decoderCount(): number {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/** The comlink endpoint Cornerstone's worker manager is given as its `dicomImageLoader` worker. */
export class DecodeRouter {
  private readonly listeners = new Set<Listener>();
  private readonly decoders: (Decoder | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private sequence = 0;

  constructor(private readonly count = decoderCount()) {
    // Started now, as Cornerstone started its workers: they load their script while the rest of the
    // imaging code starts up, and the first compressed frames do not wait for them.
    this.decoders = Array.from({ length: count }, () => this.startDecoder());
  }

  addEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.delete(listener);
  }

  postMessage(message: ComlinkRequest): void {
    const { id, type, path = [], argumentList = [] } = message ?? {};
    if (type === 'RELEASE') {
      this.answer(id, { type: 'RAW', value: undefined });
      return;
    }
    const task = argumentList[0]?.value as DecodeTask | undefined;
    if (type !== 'APPLY' || path.length !== 1 || path[0] !== 'decodeTask' || argumentList[0]?.type !== 'RAW' || !task) {
      this.fail(id, new Error(`Filmless's decode router does not understand ${String(type)} ${path.join('.')}`));
      return;
    }
    this.decode(task).then(
      (frame) => this.answer(id, { type: 'RAW', value: withViewablePixels(frame) }),
      (error: unknown) => this.fail(id, error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Called by Cornerstone's worker manager when it terminates its workers. */
  terminate(): void {
    for (const decoder of this.decoders) decoder?.worker.terminate();
    this.decoders.fill(undefined);
    for (const waiter of this.pending.values()) waiter.reject(new Error('The decoders were terminated'));
    this.pending.clear();
  }

  private async decode(task: DecodeTask): Promise<NativeImageFrame & Record<string, unknown>> {
    if (canDecodeNatively(task.imageFrame, task.transferSyntax, task.options)) {
      return decodeNativeFrame(task.imageFrame, task.pixelData, task.options);
    }
    return this.decodeInWorker(task);
  }

  private decodeInWorker(task: DecodeTask): Promise<NativeImageFrame & Record<string, unknown>> {
    const decoder = this.leastBusy();
    this.sequence += 1;
    const id = this.sequence;
    // Only the frame's own bytes, not its instance's whole buffer, and moved rather than cloned.
    const pixelData = task.pixelData.slice();
    const request: DecodeRequest = { filmlessDecode: id, imageFrame: task.imageFrame, transferSyntax: task.transferSyntax, pixelData, decodeConfig: task.decodeConfig, options: task.options };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { decoder, resolve: resolve as (frame: unknown) => void, reject });
      decoder.busy += 1;
      decoder.worker.postMessage(request, [pixelData.buffer]);
    });
  }

  private leastBusy(): Decoder {
    let best: Decoder | undefined;
    for (let i = 0; i < this.count; i++) {
      const decoder = (this.decoders[i] ??= this.startDecoder());
      if (!best || decoder.busy < best.busy) best = decoder;
    }
    return best!;
  }

  /** Not `start`: comlink calls an endpoint's `start()` (MessagePort's) before every message. */
  private startDecoder(): Decoder {
    const worker = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-decoder');
    const decoder: Decoder = { worker, busy: 0 };
    worker.onmessage = (event: MessageEvent<DecodeAnswer>) => {
      const answer = event.data;
      const waiter = this.pending.get(answer?.filmlessDecoded);
      if (!waiter) return;
      this.pending.delete(answer.filmlessDecoded);
      decoder.busy -= 1;
      if ('error' in answer) waiter.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
      else waiter.resolve(answer.frame);
    };
    worker.onerror = (event) => {
      // The decoder did not load or died: its frames fail (the viewer reports them), a new one starts on demand.
      event.preventDefault();
      worker.terminate();
      const index = this.decoders.indexOf(decoder);
      if (index >= 0) this.decoders[index] = undefined;
      for (const [id, waiter] of this.pending) {
        if (waiter.decoder !== decoder) continue;
        this.pending.delete(id);
        waiter.reject(new Error(event.message || 'A decode worker failed'));
      }
    };
    return decoder;
  }

  private answer(id: string | undefined, wire: Record<string, unknown>): void {
    const data = { ...wire, id };
    for (const listener of [...this.listeners]) listener({ data });
  }

  /** An error as comlink's "throw" handler serialises it: `wrap()` rejects the call with it. */
  private fail(id: string | undefined, error: Error): void {
    this.answer(id, { type: 'HANDLER', name: 'throw', value: { isError: true, value: { message: error.message, name: error.name, stack: error.stack } } });
  }
}

/**
 * The decoded pixels as `createImage` can take them without a copy: `setPixelDataType` builds
 * `new TypedArray(pixelData)` of the type the frame's smallest and largest values call for, a copy when
 * handed a typed array and a view when handed its ArrayBuffer. The buffer is handed over only when that
 * view is exactly the array (same type, same bytes); otherwise the array stays, and Cornerstone copies it.
 */
function withViewablePixels<T extends { pixelData?: unknown; smallestPixelValue?: number; largestPixelValue?: number }>(frame: T): T {
  const pixels = frame.pixelData;
  if (!ArrayBuffer.isView(pixels) || !(pixels.buffer instanceof ArrayBuffer)) return frame;
  const { smallestPixelValue: min, largestPixelValue: max } = frame;
  if (typeof min !== 'number' || typeof max !== 'number') return frame;
  const exact = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength;
  if (!exact || pixels.constructor !== (getPixelDataTypeFromMinMax(min, max) as unknown)) return frame;
  frame.pixelData = pixels.buffer;
  return frame;
}
