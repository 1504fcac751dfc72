import { FilmlessError, codeForHttpStatus, isAbortError } from '../errors.js';
import type { DicomJsonDataset } from './dicom-json.js';
import { MultipartReader, boundaryOf, mediaTypeParameter, parseMultipart } from './multipart.js';
import type { FrameBytes, SeriesSplitter } from './frame-bytes.js';
import { RETRY_POLICY, type RetryPolicy, isRetryableStatus, retryDelay, sleep } from './retry-policy.js';
import { LinkSpeed } from './link-speed.js';

export type { FrameBytes } from './frame-bytes.js';

/** The `fetch` signature Filmless uses; hosts may inject their own (e.g. to add tracing). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface DicomwebClientOptions {
  /** DICOMweb base URL, e.g. `https://pacs.example.org/dicom-web` (no trailing slash needed). */
  baseUrl: string;
  fetch?: FetchLike;
  /** Returns the current bearer token, if any. Read on every request so a refreshed token is used. */
  getToken?: () => string | undefined;
  /** Called once when a request answers 401; the request is then retried with the token it returns. */
  refreshToken?: () => Promise<string | undefined>;
  /**
   * Milliseconds a request may wait for its response headers, and a response body may go without a
   * byte, before the attempt counts as a network failure (and is retried). Default RETRY_POLICY.timeoutMs.
   */
  timeoutMs?: number;
  /** Overrides of the retry policy (retry-policy.ts); the viewer uses the defaults. */
  retry?: Partial<RetryPolicy>;
  /** Observes every request the client sends (URL and headers), for host diagnostics. */
  onRequest?: (url: string, headers: Headers) => void;
  /** Told before each retry: why, and how long the client waits first (for the `debug` log). */
  onRetry?: (path: string, error: FilmlessError, delayMs: number) => void;
}

/** A failure while a series stream's body was flowing: never retried (the caller fetches what is missing). */
class AfterStart {
  constructor(readonly error: unknown) {}
}

/**
 * One attempt's own abort: the caller's signal, or the per-request timeout, which runs until the
 * response headers and again after every body chunk (`touch`), so a slow but moving body never times out.
 */
class TimedAttempt {
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    outer: AbortSignal,
    readonly timeoutMs: number,
  ) {
    this.signal = AbortSignal.any([outer, this.controller.signal]);
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException(`No answer within ${this.timeoutMs} ms`, 'TimeoutError'));
    }, this.timeoutMs);
  }

  end(): void {
    clearTimeout(this.timer);
  }
}

export const FRAMES_AS_STORED = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
export const INSTANCES_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';
/** Implicit VR Little Endian: what a frame without a transfer-syntax parameter is in (PS3.18 8.7.3.5). */
const DEFAULT_FRAME_SYNTAX = '1.2.840.10008.1.2';

/** Encodes one path segment (UIDs are safe, but the value may come from a URL or the host). */
function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * A small fetch-based DICOMweb client: QIDO-RS searches and WADO-RS retrieval, each request with the
 * bearer token in the Authorization header (never in the URL) and an AbortSignal.
 */
export class DicomwebClient {
  readonly baseUrl: string;
  private readonly options: DicomwebClientOptions;
  /** How fast frames have come from this server: whether its link is slow (a phone on a mobile network). */
  readonly link = new LinkSpeed();

  constructor(options: DicomwebClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** QIDO-RS series search at the root (`/series?…`): one round trip answers study and series together. */
  searchSeries(query: Record<string, string>, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/series${this.queryString(query)}`, signal);
  }

  /** QIDO-RS study search (`/studies?…`). */
  searchStudies(query: Record<string, string>, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/studies${this.queryString(query)}`, signal);
  }

  /** QIDO-RS series of one study. */
  searchSeriesOfStudy(studyUID: string, query: Record<string, string>, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/studies/${segment(studyUID)}/series${this.queryString(query)}`, signal);
  }

  /** QIDO-RS instances of one series (`/studies/{s}/series/{se}/instances?…`). */
  searchInstancesOfSeries(studyUID: string, seriesUID: string, query: Record<string, string>, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/studies/${segment(studyUID)}/series/${segment(seriesUID)}/instances${this.queryString(query)}`, signal);
  }

  /** WADO-RS metadata of one instance. */
  retrieveInstanceMetadata(studyUID: string, seriesUID: string, sopUID: string, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/studies/${segment(studyUID)}/series/${segment(seriesUID)}/instances/${segment(sopUID)}/metadata`, signal);
  }

  /** WADO-RS metadata of every instance of a series. */
  retrieveSeriesMetadata(studyUID: string, seriesUID: string, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    return this.getJson(`/studies/${segment(studyUID)}/series/${segment(seriesUID)}/metadata`, signal);
  }

  /** WADO-RS frames of one instance, as stored (compressed data stays compressed). */
  retrieveFrames(
    studyUID: string,
    seriesUID: string,
    sopUID: string,
    frameNumbers: number[],
    signal: AbortSignal,
    /** Told the transfer syntax the response's headers name (Orthanc's top-level type), before its body arrives. */
    onSyntax?: (transferSyntaxUID: string) => void,
  ): Promise<FrameBytes[]> {
    const path =
      `/studies/${segment(studyUID)}/series/${segment(seriesUID)}/instances/${segment(sopUID)}` +
      `/frames/${frameNumbers.join(',')}`;
    const asked = performance.now();
    return this.exchange(path, FRAMES_AS_STORED, signal, undefined, async (response, attempt) => {
      const contentType = response.headers.get('content-type');
      const boundary = boundaryOf(contentType);
      const announced = mediaTypeParameter(contentType, 'transfer-syntax');
      if (announced && onSyntax) onSyntax(announced);
      const body = await this.readBody(response, attempt);
      this.link.note(body.length, performance.now() - asked);
      if (!boundary) {
        throw new FilmlessError('server', `Frames answer is not multipart/related (${contentType ?? 'no type'})`, { status: response.status });
      }
      const reader = new MultipartReader(boundary);
      const parts = reader.push(body);
      if (!reader.done) {
        // The body ended before its closing boundary: cut on the way (a proxy, a dropped connection).
        throw new FilmlessError('network', `Frames answer ended before its closing boundary (${body.length} bytes)`, { retryable: true });
      }
      if (parts.length === 0) throw new FilmlessError('server', 'Frames answer has no parts', { status: response.status });
      // Orthanc puts the syntax in the top-level type parameter, the standard in each part: read both.
      const topLevelSyntax = mediaTypeParameter(contentType, 'transfer-syntax');
      return parts.map((part) => ({
        bytes: part.body,
        transferSyntaxUID:
          mediaTypeParameter(part.headers['content-type'], 'transfer-syntax') ?? topLevelSyntax ?? DEFAULT_FRAME_SYNTAX,
      }));
    });
  }

  /**
   * WADO-RS bulk data named by a `BulkDataURI` of the metadata (e.g. a palette's lookup table). Servers
   * write those URIs with their own address, which behind a gateway is not the one the browser may ask:
   * the part from `/studies/` on is asked of this client's base URL, with the token, like every request.
   */
  retrieveBulkData(bulkDataURI: string, signal: AbortSignal): Promise<Uint8Array> {
    const at = bulkDataURI.indexOf('/studies/');
    if (at < 0) return Promise.reject(new FilmlessError('unsupported', 'Bulk data outside the study tree'));
    return this.exchange(bulkDataURI.slice(at), 'multipart/related; type="application/octet-stream"', signal, undefined, async (response, attempt) => {
      const contentType = response.headers.get('content-type');
      const body = await this.readBody(response, attempt);
      const [part] = contentType?.startsWith('multipart/') ? parseMultipart(body, contentType) : [{ body }];
      if (!part) throw new FilmlessError('server', 'Empty bulk data answer');
      return part.body;
    });
  }

  /**
   * The series stream request (see streamSeriesInstances) for a worker to send itself, or undefined
   * where it must stay on this thread: with a fetch the host injected, which cannot move to a worker.
   * The token goes in the Authorization header, as on every request.
   */
  seriesStreamRequest(studyUID: string, seriesUID: string): { url: string; headers: Record<string, string>; timeoutMs: number } | undefined {
    if (this.options.fetch) return undefined;
    const headers: Record<string, string> = { Accept: INSTANCES_AS_STORED };
    const token = this.options.getToken?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const url = `${this.baseUrl}/studies/${segment(studyUID)}/series/${segment(seriesUID)}`;
    this.options.onRequest?.(url, new Headers(headers));
    return { url, headers, timeoutMs: this.policy.timeoutMs };
  }

  /** The retry policy this client follows (RETRY_POLICY with the options' overrides). */
  get policy(): RetryPolicy {
    return { ...RETRY_POLICY, ...this.options.retry, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}) };
  }

  /**
   * WADO-RS retrieval of a whole series as Part-10 instances in ONE response. Across origins every
   * authorized request costs a CORS preflight per URL, so one request for the series instead of one per
   * frame saves a round trip per image. The body's bytes go, as they arrive, to the splitter `open`
   * returns for the response's multipart boundary; resolves once the splitter has handed over all.
   * The request is retried (retry-policy.ts) until bytes flow; a stream that breaks after that is not
   * sent again: the caller fetches the frames it did not bring. `refusedToken`: the token a worker's
   * same request was just refused with (401): a new one is asked for before sending.
   */
  async streamSeriesInstances(
    studyUID: string,
    seriesUID: string,
    signal: AbortSignal,
    open: (boundary: string) => SeriesSplitter,
    refusedToken?: string,
  ): Promise<void> {
    const path = `/studies/${segment(studyUID)}/series/${segment(seriesUID)}`;
    await this.exchange(path, INSTANCES_AS_STORED, signal, refusedToken, async (response, attempt) => {
      const boundary = boundaryOf(response.headers.get('content-type'));
      if (!boundary || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        throw new FilmlessError('unsupported', 'Series retrieval did not answer multipart/related');
      }
      const splitter = open(boundary);
      const stream = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await stream.read();
          if (done) break;
          attempt.touch();
          splitter.push(value);
        }
        attempt.end();
        await splitter.finish();
      } catch (error) {
        throw new AfterStart(this.mapFailure(error, attempt, signal, path));
      } finally {
        splitter.close();
        stream.releaseLock();
      }
    });
  }

  /**
   * A small rendered preview of a series (WADO-RS `/rendered`), as an image Blob. Servers pick the
   * instance, unless `frame` names one; Filmless uses it only as a thumbnail, never for reading.
   */
  retrieveSeriesPreview(studyUID: string, seriesUID: string, size: number, signal: AbortSignal, frame?: { sopInstanceUID: string; frameNumber: number }): Promise<Blob> {
    // With `frame`: that frame's preview (a stack of the series has its own thumbnail).
    const of = frame ? `/instances/${segment(frame.sopInstanceUID)}/frames/${Math.max(1, Math.trunc(frame.frameNumber))}` : '';
    const path = `/studies/${segment(studyUID)}/series/${segment(seriesUID)}${of}/rendered?viewport=${size},${size}`;
    // One media type only: Orthanc answers 400 to an Accept list.
    return this.exchange(path, 'image/jpeg', signal, undefined, async (response, attempt) => {
      const type = response.headers.get('content-type') ?? '';
      const body = await this.readBody(response, attempt);
      if (!type.startsWith('image/')) throw new FilmlessError('unsupported', `Preview is not an image (${type})`);
      return new Blob([body as Uint8Array<ArrayBuffer>], { type });
    });
  }

  /**
   * One frame (or, without `frameNumber`, one instance) rendered by the server (WADO-RS `/rendered`) to
   * fit `viewport` pixels, in `window` (modality values; the server's choice without it), as a JPEG
   * Blob: the first image's preview on a slow link, never read for values.
   */
  retrieveRenderedImage(
    studyUID: string,
    seriesUID: string,
    target: { sopInstanceUID: string; frameNumber?: number },
    viewport: { width: number; height: number },
    signal: AbortSignal,
    window?: { center: number; width: number; function: 'linear' | 'linear-exact' | 'sigmoid' },
  ): Promise<Blob> {
    const frame = target.frameNumber === undefined ? '' : `/frames/${Math.max(1, Math.trunc(target.frameNumber))}`;
    const size = `${Math.max(1, Math.round(viewport.width))},${Math.max(1, Math.round(viewport.height))}`;
    const voi = window && Number.isFinite(window.center) && window.width > 0 ? `&window=${window.center},${window.width},${window.function}` : '';
    const path = `/studies/${segment(studyUID)}/series/${segment(seriesUID)}/instances/${segment(target.sopInstanceUID)}${frame}/rendered?viewport=${size}${voi}`;
    return this.exchange(path, 'image/jpeg', signal, undefined, async (response, attempt) => {
      const type = response.headers.get('content-type') ?? '';
      const body = await this.readBody(response, attempt);
      if (!type.startsWith('image/')) throw new FilmlessError('unsupported', `Rendered answer is not an image (${type})`);
      return new Blob([body as Uint8Array<ArrayBuffer>], { type });
    });
  }

  private queryString(query: Record<string, string>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) params.append(key, value);
    // Commas stay commas: Orthanc reads `includefield=A%2CB` as one unknown attribute, and answers without A and B.
    const text = params.toString().replace(/%2C/gi, ',');
    return text ? `?${text}` : '';
  }

  private getJson(path: string, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    const where = path.split('?')[0];
    return this.exchange(path, 'application/dicom+json', signal, undefined, async (response, attempt) => {
      // Some servers answer an empty search with 204 and no body.
      if (response.status === 204) return [];
      const type = response.headers.get('content-type') ?? '';
      const text = new TextDecoder().decode(await this.readBody(response, attempt));
      if (text.trim() === '') return [];
      // A login page or a proxy's error page, sent with 200: the same request would get the same.
      if (/^text\/html/i.test(type) || /^\s*</.test(text)) {
        throw new FilmlessError('server', `Answer to ${where} is an HTML page (${response.status}, ${type || 'no type'}), not DICOM JSON`, { status: response.status });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new FilmlessError('server', `Answer to ${where} is not DICOM JSON`, { status: response.status, cause: error });
      }
      if (!Array.isArray(parsed)) {
        throw new FilmlessError('server', `Answer to ${where} is not a JSON array`, { status: response.status });
      }
      return parsed as DicomJsonDataset[];
    });
  }

  /** Reads a whole body, re-arming the attempt's timeout at every chunk. */
  private async readBody(response: Response, attempt: TimedAttempt): Promise<Uint8Array> {
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      attempt.touch();
      chunks.push(value);
      length += value.length;
    }
    if (chunks.length === 1) return chunks[0]!;
    const body = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    return body;
  }

  /**
   * One GET with the bearer header, and its body read by `read`, tried again as retry-policy.ts says: a
   * 401 asks the token provider once for a new token (unless another request already got one) and is
   * sent again at once; a network failure, a timeout, 429 and the transient 5xx wait and try again, at
   * most `maxAttempts` times in all; anything else fails at once, as a FilmlessError with the status.
   */
  private async exchange<T>(
    path: string,
    accept: string,
    signal: AbortSignal,
    refusedToken: string | undefined,
    read: (response: Response, attempt: TimedAttempt) => Promise<T>,
  ): Promise<T> {
    const policy = this.policy;
    let refreshed = false;
    // The token a refresh gave this request (used even if the host's getToken does not return it yet).
    let fresh: string | undefined;
    for (let attemptNumber = 1; ; attemptNumber++) {
      const attempt = new TimedAttempt(signal, policy.timeoutMs);
      let retryAfter: string | null = null;
      let failure: unknown;
      try {
        if (refusedToken !== undefined && !refreshed && this.options.refreshToken && this.options.getToken?.() === refusedToken) {
          refreshed = true;
          fresh = await this.freshToken(refusedToken);
          signal.throwIfAborted();
        }
        const token = fresh ?? this.options.getToken?.();
        const response = await this.send(path, accept, attempt, token);
        if (response.status === 401 && this.options.refreshToken && !refreshed) {
          await response.body?.cancel().catch(() => undefined);
          refreshed = true;
          fresh = await this.freshToken(token);
          signal.throwIfAborted();
          if (fresh) {
            attemptNumber -= 1; // the token's own retry: not one of the policy's
            continue;
          }
        }
        if (!response.ok) {
          retryAfter = response.headers.get('retry-after');
          await response.body?.cancel().catch(() => undefined);
          const status = response.status;
          throw new FilmlessError(codeForHttpStatus(status), `${status} ${response.statusText} for ${path.split('?')[0]}`, {
            status,
            retryable: isRetryableStatus(status),
          });
        }
        return await read(response, attempt);
      } catch (error) {
        if (error instanceof AfterStart) throw error.error;
        failure = this.mapFailure(error, attempt, signal, path);
      } finally {
        attempt.end();
      }
      if (!(failure instanceof FilmlessError) || !failure.retryable) throw failure;
      const delay = retryDelay(attemptNumber, retryAfter, policy);
      if (delay === undefined) throw failure;
      this.options.onRetry?.(path.split('?')[0]!, failure, delay);
      await sleep(delay, signal);
    }
  }

  /** A new token after a 401: the one another request already got, else the token provider's. */
  private async freshToken(sent: string | undefined): Promise<string | undefined> {
    const now = this.options.getToken?.();
    if (now && now !== sent) return now;
    try {
      return await this.options.refreshToken!();
    } catch (error) {
      throw new FilmlessError('unauthorized', 'The token provider failed', { status: 401, cause: error });
    }
  }

  private async send(path: string, accept: string, attempt: TimedAttempt, token: string | undefined): Promise<Response> {
    const headers = new Headers({ Accept: accept });
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const url = `${this.baseUrl}${path}`;
    this.options.onRequest?.(url, headers);
    const fetchImpl: FetchLike = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    return fetchImpl(url, { method: 'GET', headers, signal: attempt.signal, credentials: 'omit', mode: 'cors' });
  }

  /**
   * What a failed attempt is to the caller: the caller's abort as it is; a timeout or a failed fetch or
   * body read as a retryable `network` error; a FilmlessError as it is.
   */
  private mapFailure(error: unknown, attempt: TimedAttempt, signal: AbortSignal, path: string): unknown {
    if (signal.aborted) return signal.reason ?? error;
    if (error instanceof FilmlessError) return error;
    if (attempt.timedOut) {
      return new FilmlessError('network', `Timed out: no answer within ${attempt.timeoutMs} ms for ${path.split('?')[0]}`, { retryable: true, cause: error });
    }
    if (isAbortError(error)) return error;
    return new FilmlessError('network', error instanceof Error ? error.message : String(error), {
      retryable: true,
      cause: error,
    });
  }
}
