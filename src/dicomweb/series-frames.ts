import { FilmlessError, codeForHttpStatus, isAbortError } from '../errors.js';
import type { DicomwebClient, FrameBytes } from './client.js';

interface Waiter {
  resolve: (frame: FrameBytes) => void;
  reject: (error: unknown) => void;
}

export interface SeriesFramesOptions {
  client: DicomwebClient;
  studyUID: string;
  seriesUID: string;
  /** Frames of the series, for counting: `${sop}/${frame}` keys. */
  frameKeys: string[];
  signal: AbortSignal;
  /** Called each time another frame's bytes are in. */
  onFrameArrived?: (sopInstanceUID: string, frameNumber: number) => void;
  /** Called when the bulk series retrieval failed and frames are fetched one by one instead. */
  onFallback?: (error: unknown) => void;
  /** Called when the server would not cut a frame out (400 or 5xx) and frames come from the series stream instead. */
  onFramesRefused?: (error: unknown) => void;
}

/**
 * A frame request the server answered with 400 or a 5xx (not 502-504, which say the server is away and
 * are retried) while it may well send the whole instance: a
 * server that cannot cut frames out of some files (Orthanc: big endian, deflated, retired JPEG processes,
 * fragmented multi-frame JPEG without an offset table). Not 401/403/404 (about access or existence,
 * the stream would answer the same), not an abort or a network failure (nothing was answered).
 */
/** A failed series stream as the error a host sees (the worker reports only a status and a message). */
function asFilmlessError(error: unknown): unknown {
  if (!(error instanceof WorkerStreamError)) return error;
  const { status } = error;
  return new FilmlessError(status === undefined ? 'network' : codeForHttpStatus(status), `Series retrieval failed: ${error.message}`, {
    status,
    retryable: status === undefined || isRetryableStatus(status),
    cause: error,
  });
}

function isFrameRefusal(error: unknown): boolean {
  const status = error instanceof FilmlessError ? error.status : undefined;
  // 502, 503, 504 say the server is away, not that it cannot cut frames: retried as network faults.
  return status !== undefined && (status === 400 || (status >= 500 && !isRetryableStatus(status)));
}

import { frameKey } from './frame-key.js';
import { isRetryableStatus, retryDelay, sleep } from './retry-policy.js';
import { type SplitInstance, WorkerStreamError, splitInWorker, streamSeriesInWorker } from './part10-splitter.js';

export { frameKey };

/** Frames of one instance asked for in one request when the series stream did not bring them. */
const MAX_FRAMES_PER_REQUEST = 64;

/**
 * The bytes of every frame of one series, as stored on the server.
 *
 * Retrieval is shaped by what cross-origin deployments cost: each authorized request is preflighted per
 * URL, so one request per frame means an extra round trip per frame. The series therefore arrives in ONE
 * streamed WADO-RS series retrieval (Part-10 instances, transfer syntax as stored); a frame the viewer
 * needs before the stream reaches it (the first image, or a slice the user scrolled to) is fetched on its
 * own. Servers that cannot stream a series fall back to per-frame requests, a few at a time.
 */
export class SeriesFrames {
  /**
   * The first frame request the server refused (see isFrameRefusal). From then on no frame is asked
   * for alone: every frame waits for the one series stream, and what it did not bring fails at once.
   * At most the requests already in flight fail with it (the fallback runs four at a time).
   */
  private framesRefused: unknown;
  /** The series stream has ended (or failed): a frame it did not bring will not come that way. */
  private bulkEnded = false;
  private readonly frames = new Map<string, FrameBytes>();
  private readonly arrivedKeys = new Set<string>();
  /** Frames whose bytes were released once decoded (see forget). */
  private readonly released = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly individual = new Map<string, Promise<FrameBytes>>();
  private bulk: Promise<void> | undefined;
  private nearest: Promise<void> | undefined;
  private bulkFailed = false;

  constructor(private readonly options: SeriesFramesOptions) {}

  /** Number of frames whose bytes have arrived. */
  get arrivedCount(): number {
    return this.arrivedKeys.size;
  }

  /** Starts the one-request series retrieval (idempotent). Resolves when the stream ends. */
  startBulk(): Promise<void> {
    this.bulk ??= this.runBulk();
    return this.bulk;
  }

  /**
   * Retrieval for a slow link (link-speed.ts), instead of the series stream: one frame per request, two at
   * a time, always the frame nearest to the one on screen (`current`, an index into `frameKeys`) that has
   * not come yet, so the slices a reader scrolls to next come first; the stream would bring them in the
   * server's order, minutes apart. Each request costs a round trip more (its CORS preflight), small next
   * to a frame's transfer on such a link. A server that will not send frames alone is left to the series
   * stream (fetchOne). Idempotent; resolves when every frame has come or failed.
   */
  startNearestFirst(current: () => number): Promise<void> {
    if (this.bulk) return this.bulk; // the stream was started first: it brings everything
    this.nearest ??= this.runNearestFirst(current);
    return this.nearest;
  }

  private async runNearestFirst(current: () => number): Promise<void> {
    const keys = this.options.frameKeys;
    const left = new Set(keys.keys());
    const next = (): { sop: string; frames: number[] } | undefined => {
      const at = current();
      let best: number | undefined;
      for (const index of left) {
        const key = keys[index]!;
        if (this.arrivedKeys.has(key) || this.released.has(key)) {
          left.delete(index);
          continue;
        }
        if (this.individual.has(key)) continue; // asked for already (on screen): it comes that way
        if (best === undefined || Math.abs(index - at) < Math.abs(best - at)) best = index;
      }
      if (best === undefined) return undefined;
      left.delete(best);
      const key = keys[best]!;
      const slash = key.lastIndexOf('/');
      return { sop: key.slice(0, slash), frames: [Number(key.slice(slash + 1))] };
    };
    await this.fetchEach(next, 2);
  }

  /** The bytes of one frame; waits for the series stream, or fetches the frame alone if it is not coming. */
  frameBytes(sopInstanceUID: string, frameNumber: number, signal?: AbortSignal): Promise<FrameBytes> {
    const key = frameKey(sopInstanceUID, frameNumber);
    const ready = this.frames.get(key);
    if (ready) return Promise.resolve(ready);
    // Displayed frames must not wait behind the whole stream: fetch them directly.
    return this.fetchOne(sopInstanceUID, frameNumber, signal);
  }

  /** Releases a frame's bytes once the decoded image is cached elsewhere. */
  forget(sopInstanceUID: string, frameNumber: number): void {
    // Frames the server will not send alone cannot be asked for again: their bytes stay (compressed).
    if (this.framesRefused !== undefined) return;
    const key = frameKey(sopInstanceUID, frameNumber);
    this.frames.delete(key);
    this.released.add(key);
  }

  /** Waits for a frame to arrive by any route (stream or individual fetch). */
  whenArrived(sopInstanceUID: string, frameNumber: number): Promise<FrameBytes> {
    const key = frameKey(sopInstanceUID, frameNumber);
    const ready = this.frames.get(key);
    if (ready) return Promise.resolve(ready);
    if (this.bulkFailed) return this.fetchOne(sopInstanceUID, frameNumber);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(key, list);
    });
  }

  /**
   * Adopts a frame request started before this store existed (the first image is requested as soon as
   * the metadata is in, while the imaging code is still loading).
   */
  adopt(sop: string, frame: number, request: Promise<FrameBytes[]>): void {
    this.track(sop, frame, request);
  }

  private fetchOne(sop: string, frame: number, signal?: AbortSignal): Promise<FrameBytes> {
    const pending = this.individual.get(frameKey(sop, frame));
    if (pending) return pending;
    if (this.framesRefused !== undefined) return this.fromStream(sop, frame);
    const combined = signal ? AbortSignal.any([this.options.signal, signal]) : this.options.signal;
    const { client, studyUID, seriesUID } = this.options;
    return this.track(sop, frame, client.retrieveFrames(studyUID, seriesUID, sop, [frame], combined));
  }

  /** Records an individual frame request until it settles; its bytes count as arrived. */
  private track(sop: string, frame: number, request: Promise<FrameBytes[]>): Promise<FrameBytes> {
    const key = frameKey(sop, frame);
    const pending = request.then(
      (parts) => {
        const first = parts[0];
        if (!first || first.bytes.length === 0) throw new FilmlessError('bad-data', `Frame ${frame} of ${sop} is empty`);
        this.arrived(sop, frame, first);
        return first;
      },
      (error: unknown) => {
        if (!isFrameRefusal(error) || this.options.signal.aborted) throw error;
        if (this.framesRefused === undefined) {
          this.framesRefused = error;
          this.options.onFramesRefused?.(error);
        }
        return this.fromStream(sop, frame);
      },
    );
    pending.catch(() => undefined).finally(() => this.individual.delete(key));
    this.individual.set(key, pending);
    return pending;
  }

  /** A frame the server will not send alone: from the series stream (started if it was not). */
  private fromStream(sop: string, frame: number): Promise<FrameBytes> {
    const key = frameKey(sop, frame);
    const ready = this.frames.get(key);
    if (ready) return Promise.resolve(ready);
    if (this.bulkEnded) return Promise.reject(this.notInStream(sop, frame));
    const waiting = new Promise<FrameBytes>((resolve, reject) => {
      const list = this.waiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(key, list);
    });
    void this.startBulk();
    return waiting;
  }

  /** Why a refused frame is not coming: the series stream ended without it in a form we can read. */
  private notInStream(sop: string, frame: number): FilmlessError {
    if (this.damagedFiles.has(sop)) return new FilmlessError('bad-data', `Frame ${frame} of ${sop}: the file's pixel data contradicts its header (cut short)`, { cause: this.framesRefused });
    return new FilmlessError('unsupported', `The server cannot send frame ${frame} of ${sop} alone, and the series retrieval did not bring it in a form the viewer reads`, {
      cause: this.framesRefused,
    });
  }

  private arrived(sop: string, frame: number, bytes: FrameBytes): void {
    const key = frameKey(sop, frame);
    const isNew = !this.arrivedKeys.has(key);
    this.arrivedKeys.add(key);
    // A frame decoded and released already (the first image, fetched alone) may come again with the
    // stream: it is not kept a second time.
    if (!this.released.has(key)) this.frames.set(key, bytes);
    for (const waiter of this.waiters.get(key) ?? []) waiter.resolve(bytes);
    this.waiters.delete(key);
    if (isNew) this.options.onFrameArrived?.(sop, frame);
  }

  private async runBulk(): Promise<void> {
    const { client, studyUID, seriesUID, signal } = this.options;
    let streamError: unknown;
    try {
      const inWorker = await this.streamInWorker();
      if (inWorker !== true) {
        await client.streamSeriesInstances(studyUID, seriesUID, signal, (boundary) => splitInWorker(boundary, (instance) => this.acceptInstance(instance)), inWorker.refusedToken);
      }
    } catch (error) {
      if (isAbortError(error) || signal.aborted) return;
      this.bulkFailed = true;
      this.options.onFallback?.(error);
      streamError = error;
    }
    this.bulkEnded = true;
    // Whatever the stream did not bring (server without series retrieval, a cut connection, missing
    // instances) is fetched frame by frame, unless the server already refused to send frames alone.
    this.bulkFailed = true; // from now on, waiting for a frame means fetching it
    const missing = this.options.frameKeys.filter((key) => !this.arrivedKeys.has(key));
    if (this.framesRefused !== undefined) {
      this.rejectWaiting(missing, streamError);
      return;
    }
    await this.fetchMissing(missing);
  }

  /** Fails the frames still awaited: with the stream's own failure, else as not readable from it. */
  private rejectWaiting(keys: string[], streamError: unknown): void {
    for (const key of [...keys, ...this.waiters.keys()]) {
      const slash = key.lastIndexOf('/');
      const error = streamError !== undefined ? asFilmlessError(streamError) : this.notInStream(key.slice(0, slash), Number(key.slice(slash + 1)));
      for (const waiter of this.waiters.get(key) ?? []) waiter.reject(error);
      this.waiters.delete(key);
    }
  }

  /**
   * Fetches and splits the stream in a worker where the client allows it (the main thread then never
   * touches the 150 MB). True when the stream ended there; else it should be sent from this thread
   * instead: a 401 the token provider may fix (`refusedToken`: the one refused), or a worker that could not start. Until bytes
   * flow, a failure the retry policy calls transient (no answer, a timeout, 429, 5xx) is tried again
   * after its backoff or `Retry-After`, as the client does. A stream that broke after bytes arrived
   * rethrows: the frames still missing are then fetched one by one.
   */
  private async streamInWorker(): Promise<true | { refusedToken?: string }> {
    const { client, studyUID, seriesUID, signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      const request = client.seriesStreamRequest(studyUID, seriesUID);
      if (!request) return {};
      try {
        await streamSeriesInWorker(request, (instance) => this.acceptInstance(instance), signal);
        return true;
      } catch (error) {
        if (!(error instanceof WorkerStreamError) || error.started) throw error;
        if (!error.details.fetched) return {};
        if (error.status === 401) return { refusedToken: request.headers.Authorization?.replace(/^Bearer /, '') ?? '' };
        const transient = error.status === undefined || isRetryableStatus(error.status);
        const delay = transient ? retryDelay(attempt, error.details.retryAfter, client.policy) : undefined;
        if (delay === undefined) throw error; // the server refuses series retrieval, or keeps failing
        await sleep(delay, signal);
      }
    }
  }

  /**
   * Fetches the frames the series stream did not bring, four requests at a time, each frame once (with
   * the client's retries): one request per instance for its missing frames (up to 64), so a multi-frame
   * instance the stream cut midway costs one request, not one per frame. A request that still fails
   * with a transient error (no answer, 429, 5xx) after its retries means the server is away: the frames
   * not yet asked for fail with the same error, unasked, instead of a request storm against a server
   * that is down.
   */
  private async fetchMissing(keys: string[]): Promise<void> {
    const byInstance = new Map<string, number[]>();
    for (const key of keys) {
      const slash = key.lastIndexOf('/');
      const sop = key.slice(0, slash);
      byInstance.set(sop, [...(byInstance.get(sop) ?? []), Number(key.slice(slash + 1))]);
    }
    const queue: { sop: string; frames: number[] }[] = [];
    for (const [sop, frames] of byInstance) {
      for (let at = 0; at < frames.length; at += MAX_FRAMES_PER_REQUEST) queue.push({ sop, frames: frames.slice(at, at + MAX_FRAMES_PER_REQUEST) });
    }
    await this.fetchEach(() => queue.shift(), 4);
  }

  /**
   * Fetches what `next` hands out, `concurrency` requests at a time, until it hands out nothing. A request
   * that still fails with a transient error (no answer, 429, 5xx) after its retries means the server is
   * away: what is handed out after that fails with the same error, unasked, instead of a request storm
   * against a server that is down.
   */
  private async fetchEach(next: () => { sop: string; frames: number[] } | undefined, concurrency: number): Promise<void> {
    let serverAway: unknown;
    const worker = async () => {
      for (let item = next(); item !== undefined; item = next()) {
        const { sop, frames } = item;
        try {
          // Once the server refused a frame, the rest would be refused too: no request storm.
          if (this.framesRefused !== undefined) throw this.notInStream(sop, frames[0]!);
          if (serverAway !== undefined) throw serverAway;
          if (frames.length === 1) await this.fetchOne(sop, frames[0]!);
          else await this.fetchSeveral(sop, frames);
        } catch (error) {
          if (this.options.signal.aborted) return;
          if (error instanceof FilmlessError && error.retryable) serverAway ??= error;
          for (const frame of frames) {
            const key = frameKey(sop, frame);
            for (const waiter of this.waiters.get(key) ?? []) waiter.reject(error);
            this.waiters.delete(key);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Several frames of one instance in one request; a refusal (400, 5xx) is handled as fetchOne's is. */
  private async fetchSeveral(sop: string, frames: number[]): Promise<void> {
    const { client, studyUID, seriesUID, signal } = this.options;
    let parts: FrameBytes[];
    try {
      parts = await client.retrieveFrames(studyUID, seriesUID, sop, frames, signal);
    } catch (error) {
      if (!isFrameRefusal(error) || signal.aborted) throw error;
      if (this.framesRefused === undefined) {
        this.framesRefused = error;
        this.options.onFramesRefused?.(error);
      }
      throw this.notInStream(sop, frames[0]!);
    }
    if (parts.length !== frames.length) {
      throw new FilmlessError('server', `Asked for ${frames.length} frames of ${sop}, the server sent ${parts.length}`);
    }
    frames.forEach((frame, index) => {
      const part = parts[index]!;
      if (part.bytes.length === 0) {
        const key = frameKey(sop, frame);
        for (const waiter of this.waiters.get(key) ?? []) waiter.reject(new FilmlessError('bad-data', `Frame ${frame} of ${sop} is empty`));
        this.waiters.delete(key);
      } else {
        this.arrived(sop, frame, part);
      }
    });
  }

  /** Takes the frames of one streamed instance; frames it could not give are left to the per-frame fallback. */
  private acceptInstance(instance: SplitInstance): void {
    // A file whose pixel data contradicts its header gives no frames (part10-frames.ts): it is damaged.
    if (instance.frames.length === 0) this.damagedFiles.add(instance.sopInstanceUID);
    instance.frames.forEach((frame, index) => this.arrived(instance.sopInstanceUID, index + 1, frame));
  }

  /** Instances the series stream brought whole, but with pixel data their header contradicts (cut short). */
  private readonly damagedFiles = new Set<string>();
}
