import { FilmlessError, codeForHttpStatus, isAbortError } from '../errors.js';
import type { DicomJsonDataset } from './dicom-json.js';
import { boundaryOf, mediaTypeParameter, parseMultipart } from './multipart.js';
import type { FrameBytes, SeriesSplitter } from './frame-bytes.js';

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
  /** Milliseconds a JSON request (QIDO, metadata) may take before it counts as a network failure. */
  timeoutMs?: number;
  /** Observes every request the client sends (URL and headers), for host diagnostics. */
  onRequest?: (url: string, headers: Headers) => void;
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
  async retrieveFrames(
    studyUID: string,
    seriesUID: string,
    sopUID: string,
    frameNumbers: number[],
    signal: AbortSignal,
  ): Promise<FrameBytes[]> {
    const path =
      `/studies/${segment(studyUID)}/series/${segment(seriesUID)}/instances/${segment(sopUID)}` +
      `/frames/${frameNumbers.join(',')}`;
    const response = await this.request(path, FRAMES_AS_STORED, signal);
    const contentType = response.headers.get('content-type');
    const body = new Uint8Array(await this.readBody(response));
    const parts = parseMultipart(body, contentType);
    if (parts.length === 0) {
      throw new FilmlessError('server', `Frames answer is not multipart/related (${contentType ?? 'no type'})`);
    }
    // Orthanc puts the syntax in the top-level type parameter, the standard in each part: read both.
    const topLevelSyntax = mediaTypeParameter(contentType, 'transfer-syntax');
    return parts.map((part) => ({
      bytes: part.body,
      transferSyntaxUID:
        mediaTypeParameter(part.headers['content-type'], 'transfer-syntax') ?? topLevelSyntax ?? DEFAULT_FRAME_SYNTAX,
    }));
  }

  /**
   * WADO-RS bulk data named by a `BulkDataURI` of the metadata (e.g. a palette's lookup table). Servers
   * write those URIs with their own address, which behind a gateway is not the one the browser may ask:
   * the part from `/studies/` on is asked of this client's base URL, with the token, like every request.
   */
  async retrieveBulkData(bulkDataURI: string, signal: AbortSignal): Promise<Uint8Array> {
    const at = bulkDataURI.indexOf('/studies/');
    if (at < 0) throw new FilmlessError('unsupported', 'Bulk data outside the study tree');
    const response = await this.request(bulkDataURI.slice(at), 'multipart/related; type="application/octet-stream"', signal);
    const contentType = response.headers.get('content-type');
    const body = new Uint8Array(await this.readBody(response));
    const [part] = contentType?.startsWith('multipart/') ? parseMultipart(body, contentType) : [{ body }];
    if (!part) throw new FilmlessError('server', 'Empty bulk data answer');
    return part.body;
  }

  /**
   * The series stream request (see streamSeriesInstances) for a worker to send itself, or undefined
   * where it must stay on this thread: with a fetch the host injected, which cannot move to a worker.
   * The token goes in the Authorization header, as on every request.
   */
  seriesStreamRequest(studyUID: string, seriesUID: string): { url: string; headers: Record<string, string> } | undefined {
    if (this.options.fetch) return undefined;
    const headers: Record<string, string> = { Accept: INSTANCES_AS_STORED };
    const token = this.options.getToken?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const url = `${this.baseUrl}/studies/${segment(studyUID)}/series/${segment(seriesUID)}`;
    this.options.onRequest?.(url, new Headers(headers));
    return { url, headers };
  }

  /**
   * WADO-RS retrieval of a whole series as Part-10 instances in ONE response. Across origins every
   * authorized request costs a CORS preflight per URL, so one request for the series instead of one per
   * frame saves a round trip per image. The body's bytes go, as they arrive, to the splitter `open`
   * returns for the response's multipart boundary; resolves once the splitter has handed over all.
   */
  async streamSeriesInstances(
    studyUID: string,
    seriesUID: string,
    signal: AbortSignal,
    open: (boundary: string) => SeriesSplitter,
  ): Promise<void> {
    const path = `/studies/${segment(studyUID)}/series/${segment(seriesUID)}`;
    const response = await this.request(path, INSTANCES_AS_STORED, signal, false);
    const boundary = boundaryOf(response.headers.get('content-type'));
    if (!boundary || !response.body) {
      throw new FilmlessError('unsupported', 'Series retrieval did not answer multipart/related');
    }
    const splitter = open(boundary);
    const stream = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await stream.read();
        if (done) break;
        splitter.push(value);
      }
      await splitter.finish();
    } catch (error) {
      throw this.mapFailure(error);
    } finally {
      splitter.close();
      stream.releaseLock();
    }
  }

  /**
   * A small rendered preview of a series (WADO-RS `/rendered`), as an image Blob. Servers pick the
   * instance, unless `frame` names one; Filmless uses it only as a thumbnail, never for reading.
   */
  async retrieveSeriesPreview(studyUID: string, seriesUID: string, size: number, signal: AbortSignal, frame?: { sopInstanceUID: string; frameNumber: number }): Promise<Blob> {
    // With `frame`: that frame's preview (a stack of the series has its own thumbnail).
    const of = frame ? `/instances/${segment(frame.sopInstanceUID)}/frames/${Math.max(1, Math.trunc(frame.frameNumber))}` : '';
    const path = `/studies/${segment(studyUID)}/series/${segment(seriesUID)}${of}/rendered?viewport=${size},${size}`;
    // One media type only: Orthanc answers 400 to an Accept list.
    const response = await this.request(path, 'image/jpeg', signal);
    const type = response.headers.get('content-type') ?? '';
    const blob = await response.blob().catch((error: unknown) => {
      throw this.mapFailure(error);
    });
    if (!type.startsWith('image/')) throw new FilmlessError('unsupported', `Preview is not an image (${type})`);
    return blob;
  }

  private queryString(query: Record<string, string>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) params.append(key, value);
    // Commas stay commas: Orthanc reads `includefield=A%2CB` as one unknown attribute, and answers without A and B.
    const text = params.toString().replace(/%2C/gi, ',');
    return text ? `?${text}` : '';
  }

  private async getJson(path: string, signal: AbortSignal): Promise<DicomJsonDataset[]> {
    const response = await this.request(path, 'application/dicom+json', signal);
    // Some servers answer an empty search with 204 and no body.
    if (response.status === 204) return [];
    const text = new TextDecoder().decode(await this.readBody(response));
    if (text.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new FilmlessError('server', `Answer to ${path.split('?')[0]} is not DICOM JSON`, { cause: error });
    }
    if (!Array.isArray(parsed)) {
      throw new FilmlessError('server', `Answer to ${path.split('?')[0]} is not a JSON array`);
    }
    return parsed as DicomJsonDataset[];
  }

  private async readBody(response: Response): Promise<ArrayBuffer> {
    try {
      return await response.arrayBuffer();
    } catch (error) {
      throw this.mapFailure(error);
    }
  }

  /**
   * Sends one GET with the bearer header. A 401 asks the token provider once for a new token and
   * retries; any other non-2xx becomes a FilmlessError with the status.
   */
  private async request(path: string, accept: string, signal: AbortSignal, timed = true): Promise<Response> {
    let response = await this.send(path, accept, signal, timed);
    if (response.status === 401 && this.options.refreshToken) {
      await response.body?.cancel().catch(() => undefined);
      let refreshed: string | undefined;
      try {
        refreshed = await this.options.refreshToken();
      } catch (error) {
        throw new FilmlessError('unauthorized', 'The token provider failed', { status: 401, cause: error });
      }
      signal.throwIfAborted();
      if (refreshed) response = await this.send(path, accept, signal, timed, refreshed);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      throw new FilmlessError(codeForHttpStatus(status), `${status} ${response.statusText} for ${path.split('?')[0]}`, {
        status,
        retryable: status >= 500 || status === 429,
      });
    }
    return response;
  }

  private async send(
    path: string,
    accept: string,
    signal: AbortSignal,
    timed: boolean,
    tokenOverride?: string,
  ): Promise<Response> {
    const headers = new Headers({ Accept: accept });
    const token = tokenOverride ?? this.options.getToken?.();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const url = `${this.baseUrl}${path}`;
    this.options.onRequest?.(url, headers);
    const timeout = timed ? AbortSignal.timeout(this.options.timeoutMs ?? 30_000) : undefined;
    const combined = timeout ? AbortSignal.any([signal, timeout]) : signal;
    const fetchImpl: FetchLike = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    try {
      return await fetchImpl(url, { method: 'GET', headers, signal: combined, credentials: 'omit', mode: 'cors' });
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (timeout?.aborted) {
        throw new FilmlessError('network', `Timed out: ${path.split('?')[0]}`, { retryable: true, cause: error });
      }
      throw this.mapFailure(error);
    }
  }

  private mapFailure(error: unknown): unknown {
    if (isAbortError(error) || error instanceof FilmlessError) return error;
    return new FilmlessError('network', error instanceof Error ? error.message : String(error), {
      retryable: true,
      cause: error,
    });
  }
}
