/**
 * Reads a DICOMweb request exactly as the browser sent it (the raw request target, before any URL
 * normalization) and turns it into a route and parameters the policy can judge, or a refusal.
 *
 * The rule is "one spelling per request": anything a proxy, the gateway and the PACS could read
 * differently is refused with 400 instead of being normalized, because a normalizer that disagrees
 * with the PACS is how a path under an allowed study ends up reading another one. Refused:
 * control characters (raw or %-encoded), backslashes in the path (raw or %5C), %-encoded slashes, `.`/`..`
 * segments (raw or encoded), empty segments (`//`, a trailing `/`), parameters given twice (also
 * with other letter case, or once as keyword and once as tag), parameter names that are neither a
 * keyword nor a tag, the identifying keywords the policy judges in any other letter case
 * (`studyinstanceuid`), and a token in the query string.
 * Paths outside the DICOMweb routes below answer 404.
 */

/** Where a request is going, by the DICOMweb resource model (PS3.18). */
export type DicomwebRoute =
  | { kind: 'search'; level: 'studies' | 'series' | 'instances'; study?: string; series?: string }
  | {
      kind: 'retrieve';
      resource: 'study' | 'series' | 'instance' | 'frames';
      /** `metadata`, `rendered` or `thumbnail` after the resource; undefined for the resource itself. */
      view?: 'metadata' | 'rendered' | 'thumbnail';
      study: string;
      series?: string;
      instance?: string;
      frames?: string;
    };

export interface QueryParameter {
  /** The name as sent (decoded), e.g. `AccessionNumber` or `00080050`. */
  name: string;
  /** One name per attribute: tags in upper-case hex, known keywords as their tag, other names lower case. */
  key: string;
  value: string;
}

export interface DicomwebRequest {
  route: DicomwebRoute;
  params: QueryParameter[];
}

export interface RequestProblem {
  status: 400 | 404;
  /** A short machine-readable reason (audit log and response body). */
  reason: string;
}

/** Attributes the policy needs to recognize, by keyword and tag. */
export const Tags = {
  AccessionNumber: '00080050',
  IssuerOfAccessionNumber: '00080051.00400031',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
} as const;

const KEYWORD_TAGS: Record<string, string> = {
  AccessionNumber: Tags.AccessionNumber,
  PatientID: Tags.PatientID,
  StudyInstanceUID: Tags.StudyInstanceUID,
  SeriesInstanceUID: Tags.SeriesInstanceUID,
  SOPInstanceUID: Tags.SOPInstanceUID,
};

/**
 * The judged keywords in lower case: `studyinstanceuid` is not the keyword to the gateway but may be to
 * a case-blind PACS, so any other spelling of them is refused (found by gateway-fuzz.test.ts, where
 * `studyinstanceuid=?` went to the PACS beside the forced StudyInstanceUID).
 */
const JUDGED_LOWER = new Set(Object.keys(KEYWORD_TAGS).map((keyword) => keyword.toLowerCase()));

const UID = /^[0-9]+(\.[0-9]+)*$/;
const FRAME_LIST = /^[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,99}$/;
const KEYWORD = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const TAG_PATH = /^[0-9A-Fa-f]{8}(\.[0-9A-Fa-f]{8}){0,3}$/;
/** A %-encoded control character (C0, DEL). */
const ENCODED_CONTROL = /%[01][0-9a-f]|%7f/i;
const BACKSLASH = /\\|%5c/i;
const ENCODED_SLASH = /%2f/i;
/** Names under which clients put bearer tokens in URLs (RFC 6750 2.3 and common variants). */
const TOKEN_PARAMETERS = new Set(['access_token', 'token', 'id_token', 'jwt', 'bearer', 'authorization']);
const VIEWS = new Set(['metadata', 'rendered', 'thumbnail']);

/** Whether the text holds a C0 control character or DEL (NUL, CR, LF, TAB, ESC…). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function isUid(segment: string): boolean {
  return segment.length <= 64 && UID.test(segment);
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The route of a path below the gateway's prefix (e.g. `/studies/1.2.3/series`). */
function parseRoute(path: string): DicomwebRoute | RequestProblem {
  const notFound: RequestProblem = { status: 404, reason: 'unknown-route' };
  if (path === '' || path === '/') return notFound;
  const segments: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    const segment = decode(raw);
    if (segment === undefined) return { status: 400, reason: 'bad-encoding' };
    if (segment === '.' || segment === '..') return { status: 400, reason: 'dot-segment' };
    if (segment === '') return { status: 400, reason: 'empty-segment' };
    segments.push(segment);
  }
  const [root, study, level2, series, level4, instance, level6, frames, view8, ...rest] = segments;
  if (rest.length > 0) return notFound;
  if (segments.length === 1) {
    return root === 'studies' || root === 'series' || root === 'instances' ? { kind: 'search', level: root } : notFound;
  }
  if (root !== 'studies' || !isUid(study!)) return notFound;
  if (segments.length === 2) return { kind: 'retrieve', resource: 'study', study: study! };
  if (segments.length === 3) {
    if (level2 === 'series' || level2 === 'instances') return { kind: 'search', level: level2, study: study! };
    return VIEWS.has(level2!) ? { kind: 'retrieve', resource: 'study', view: level2 as 'metadata', study: study! } : notFound;
  }
  if (level2 !== 'series' || !isUid(series!)) return notFound;
  if (segments.length === 4) return { kind: 'retrieve', resource: 'series', study: study!, series: series! };
  if (segments.length === 5) {
    if (level4 === 'instances') return { kind: 'search', level: 'instances', study: study!, series: series! };
    return VIEWS.has(level4!) ? { kind: 'retrieve', resource: 'series', view: level4 as 'metadata', study: study!, series: series! } : notFound;
  }
  if (level4 !== 'instances' || !isUid(instance!)) return notFound;
  const ids = { study: study!, series: series!, instance: instance! };
  if (segments.length === 6) return { kind: 'retrieve', resource: 'instance', ...ids };
  if (segments.length === 7) {
    return VIEWS.has(level6!) ? { kind: 'retrieve', resource: 'instance', view: level6 as 'metadata', ...ids } : notFound;
  }
  if (level6 !== 'frames' || !FRAME_LIST.test(frames!)) return notFound;
  if (segments.length === 8) return { kind: 'retrieve', resource: 'frames', ...ids, frames: frames! };
  return view8 === 'rendered' || view8 === 'thumbnail'
    ? { kind: 'retrieve', resource: 'frames', view: view8, ...ids, frames: frames! }
    : notFound;
}

function parameterKey(name: string): string {
  if (TAG_PATH.test(name)) return name.toUpperCase();
  return KEYWORD_TAGS[name] ?? name.toLowerCase();
}

function parseQuery(query: string): QueryParameter[] | RequestProblem {
  const params: QueryParameter[] = [];
  const seen = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode((equals < 0 ? part : part.slice(0, equals)).replace(/\+/g, ' '));
    const value = decode((equals < 0 ? '' : part.slice(equals + 1)).replace(/\+/g, ' '));
    if (name === undefined || value === undefined) return { status: 400, reason: 'bad-encoding' };
    if (TOKEN_PARAMETERS.has(name.toLowerCase())) return { status: 400, reason: 'token-in-query' };
    if (!KEYWORD.test(name) && !TAG_PATH.test(name)) return { status: 400, reason: 'parameter-name' };
    const key = parameterKey(name);
    // Also catches `AccessionNumber` vs `accessionnumber`: servers differ on whether names are case-sensitive.
    const caseKey = name.toLowerCase();
    const earlier = seen.get(key) ?? seen.get(caseKey);
    if (earlier !== undefined) {
      const reason =
        earlier === name ? 'duplicate-parameter' : earlier.toLowerCase() === caseKey ? 'mixed-case-duplicate' : 'duplicate-attribute';
      return { status: 400, reason };
    }
    if (KEYWORD_TAGS[name] === undefined && JUDGED_LOWER.has(name.toLowerCase())) return { status: 400, reason: 'keyword-case' };
    seen.set(key, name);
    seen.set(caseKey, name);
    params.push({ name, key, value });
  }
  return params;
}

/**
 * Parses the raw request target's path (below the prefix, starting with `/` or empty) and its raw
 * query (without `?`).
 */
export function parseDicomwebRequest(rawPath: string, rawQuery: string): DicomwebRequest | RequestProblem {
  const target = `${rawPath}?${rawQuery}`;
  if (hasControlCharacter(target) || ENCODED_CONTROL.test(target)) return { status: 400, reason: 'control-character' };
  // In a path a backslash is a separator to some servers; in a query value it is DICOM's value
  // separator (ModalitiesInStudy=CT\MR), which the policy judges per attribute.
  if (BACKSLASH.test(rawPath)) return { status: 400, reason: 'backslash' };
  if (ENCODED_SLASH.test(rawPath)) return { status: 400, reason: 'encoded-slash' };
  if (rawPath.includes('//')) return { status: 400, reason: 'double-slash' };
  const route = parseRoute(rawPath);
  if ('status' in route) return route;
  const params = parseQuery(rawQuery);
  if ('status' in params) return params;
  return { route, params };
}

export function isRequestProblem(value: DicomwebRequest | RequestProblem): value is RequestProblem {
  return 'status' in value;
}

/** Builds a query string from parameters (each value encoded once, the way the policy read it). */
export function formatQuery(params: readonly { name: string; value: string }[]): string {
  if (params.length === 0) return '';
  return `?${params.map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}`;
}

/** The path of a route, rebuilt from the parsed parts (so the PACS receives exactly what was judged). */
export function formatRoute(route: DicomwebRoute): string {
  if (route.kind === 'search') {
    if (!route.study) return `/${route.level}`;
    return route.series ? `/studies/${route.study}/series/${route.series}/instances` : `/studies/${route.study}/${route.level}`;
  }
  let path = `/studies/${route.study}`;
  if (route.series) path += `/series/${route.series}`;
  if (route.instance) path += `/instances/${route.instance}`;
  if (route.frames) path += `/frames/${route.frames}`;
  return route.view ? `${path}/${route.view}` : path;
}
