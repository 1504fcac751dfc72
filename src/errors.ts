/**
 * Every failure a host page can observe is one `FilmlessError` with a code from this closed union.
 * Later work may add codes; it never renames or removes one.
 *
 * - `not-found`     no study matches the accession number / study UID
 * - `ambiguous`     several studies match and none was chosen
 * - `unauthorized`  the server answered 401 (also after one token refresh)
 * - `forbidden`     the server answered 403
 * - `network`       the server could not be reached, or a request timed out
 * - `server`        the server answered 5xx or something that is not DICOMweb
 * - `unsupported`   the data is valid DICOM that Filmless cannot display (no image series, unknown codec)
 * - `bad-data`      the data is corrupt: unparsable metadata, a frame that does not decode
 * - `config`        the element is missing something it needs (no dicomweb-url, no accession number)
 * - `webgl`         the browser cannot draw images at all: no WebGL and no 2D canvas (without WebGL
 *                   alone, Cornerstone's CPU renderer draws the stacks and MPR is not offered)
 * - `no-digital-images`   accession number 9999 (Turkey's SGK): the exam was done on an analog device
 * - `no-accession-number` accession number 9998 (SGK): digital images exist but carry no accession number,
 *                         and no patient ID was given to search by
 * - `invalid-measurement` `addMeasurement` was given a kind, image or points it cannot use (the viewer's
 *                         status does not change)
 * - `sync`          a view state given to `applyViewState` or received in a consultation is invalid
 *                   (unknown version, extra fields, wrong types, out-of-range indexes, unknown series);
 *                   the view and the status stay as they were
 * - `source-not-allowed` the DICOMweb URL (or a source) is not among the element's `allowedSources`: nothing
 *                   is requested from it. Apart from `config` because it is not a mistake of the page's
 *                   code but, typically, a crafted link naming someone else's server
 * - `internal`      a fault in Filmless itself (a bug, not the data, the server or the browser); the original
 *                   error and its stack go to the console (`console.error`), whatever the `debug` flag
 *
 * Whether a failure stopped the viewer is told by `FilmlessErrorDetail.fatal`, not by the code: one image
 * that does not decode is a non-fatal `bad-data`, a series none of whose images decodes a fatal one.
 */
export type FilmlessErrorCode =
  | 'not-found'
  | 'ambiguous'
  | 'unauthorized'
  | 'forbidden'
  | 'network'
  | 'server'
  | 'unsupported'
  | 'bad-data'
  | 'config'
  | 'webgl'
  | 'no-digital-images'
  | 'no-accession-number'
  | 'invalid-measurement'
  | 'sync'
  | 'internal'
  | 'source-not-allowed';

export const FILMLESS_ERROR_CODES: readonly FilmlessErrorCode[] = [
  'not-found',
  'ambiguous',
  'unauthorized',
  'forbidden',
  'network',
  'server',
  'unsupported',
  'bad-data',
  'config',
  'webgl',
  'no-digital-images',
  'no-accession-number',
  'invalid-measurement',
  'sync',
  'internal',
  'source-not-allowed',
];

export interface FilmlessErrorOptions {
  /** HTTP status, when the failure came from a response. */
  status?: number;
  /** Whether trying the same thing again may succeed (network blips, 5xx, 429). */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error type Filmless reports. Its `message` is for developers; users see a localized text. */
export class FilmlessError extends Error {
  readonly code: FilmlessErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(code: FilmlessErrorCode, message: string, options: FilmlessErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'FilmlessError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** Maps an HTTP status to the error code a host page can act on. */
export function codeForHttpStatus(status: number): FilmlessErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 406 || status === 415 || status === 501) return 'unsupported';
  return 'server';
}

/** True for the rejection an aborted fetch or task produces: aborts are never reported as errors. */
export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof DOMException && error.name === 'AbortError') ||
    (error instanceof Error && error.name === 'AbortError')
  );
}

/**
 * True for the TypeError `fetch()` itself rejects with when a request cannot be made (server unreachable,
 * DNS, CORS refused, connection reset), as each engine words it; any other TypeError is a bug.
 */
export function isFetchFailure(error: unknown): boolean {
  return error instanceof TypeError && /failed to fetch|fetch failed|network ?error|load failed|network connection was lost/i.test(error.message);
}

/** The error types JavaScript throws for a fault in the code itself (not the data, the server, the browser). */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/** True for a fault in the code itself: a TypeError (not a failed fetch), RangeError, ReferenceError, … */
export function isProgrammingError(error: unknown): boolean {
  return PROGRAMMING_ERRORS.some((type) => error instanceof type) && !isFetchFailure(error);
}

/**
 * Turns anything thrown into a FilmlessError, keeping the original as `cause`: a FilmlessError stays as it
 * is, a failed fetch becomes a retryable `network`, a programming error `internal`, anything else (a host
 * callback's own error, a thrown string) `fallback`. Code that decodes data wraps its failures as
 * `bad-data` itself: an unknown error is never assumed to be damaged data.
 */
export function toFilmlessError(error: unknown, fallback: FilmlessErrorCode = 'internal'): FilmlessError {
  if (error instanceof FilmlessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isFetchFailure(error)) return new FilmlessError('network', message, { retryable: true, cause: error });
  if (isProgrammingError(error)) return new FilmlessError('internal', `${(error as Error).name}: ${message}`, { cause: error });
  return new FilmlessError(fallback, message, { cause: error });
}
