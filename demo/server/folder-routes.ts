/**
 * The read-only DICOMweb URL space (PS3.18 10.4 and 10.6) as a table of path patterns, and the
 * parsing of a request path into one typed route.
 */

export type Route =
  | { kind: 'search-studies' }
  | { kind: 'search-series'; study?: string }
  | { kind: 'search-instances'; study?: string; series?: string }
  | { kind: 'metadata'; study: string; series?: string; instance?: string }
  | { kind: 'retrieve'; study: string; series?: string; instance?: string }
  | { kind: 'frames'; study: string; series: string; instance: string; frameNumbers: number[] }
  /** PS3.18 9.5: a series (its preview), an instance, or frames of an instance as an image. */
  | { kind: 'rendered'; study: string; series: string; instance?: string; frameNumbers?: number[] };

/** Why a path is not a DICOMweb resource this server knows; answered with 400. */
export class RouteError extends Error {}

type Kind = Route['kind'];

const PATTERNS: readonly (readonly [string, Kind])[] = [
  ['studies', 'search-studies'],
  ['series', 'search-series'],
  ['instances', 'search-instances'],
  ['studies/:study', 'retrieve'],
  ['studies/:study/metadata', 'metadata'],
  ['studies/:study/series', 'search-series'],
  ['studies/:study/instances', 'search-instances'],
  ['studies/:study/series/:series', 'retrieve'],
  ['studies/:study/series/:series/metadata', 'metadata'],
  ['studies/:study/series/:series/instances', 'search-instances'],
  ['studies/:study/series/:series/instances/:instance', 'retrieve'],
  ['studies/:study/series/:series/instances/:instance/metadata', 'metadata'],
  ['studies/:study/series/:series/instances/:instance/frames/:frames', 'frames'],
  ['studies/:study/series/:series/rendered', 'rendered'],
  ['studies/:study/series/:series/instances/:instance/rendered', 'rendered'],
  ['studies/:study/series/:series/instances/:instance/frames/:frames/rendered', 'rendered'],
];

/** Letters appear in some real-world (non-conformant) UIDs; anything else in a UID is an error. */
const UID_SEGMENT = /^[0-9A-Za-z._-]{1,128}$/;
const FRAME_LIST = /^[1-9]\d*(,[1-9]\d*)*$/;

/**
 * Parses the path below the DICOMweb prefix, e.g. `/studies/1.2.3/series`.
 * @throws RouteError when it matches no pattern or a UID or frame list is malformed.
 */
export function parseRoute(path: string): Route {
  const segments = path.split('/').filter((segment) => segment !== '').map(decodeSegment);
  for (const [pattern, kind] of PATTERNS) {
    const parameters = matchPattern(pattern.split('/'), segments);
    if (parameters) return toRoute(kind, parameters);
  }
  throw new RouteError(`not a DICOMweb resource: ${path || '/'}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RouteError(`malformed percent-encoding in "${segment}"`);
  }
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Map<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const parameters = new Map<string, string>();
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) parameters.set(part.slice(1), segments[i]);
    else if (part !== segments[i]) return undefined;
  }
  return parameters;
}

function toRoute(kind: Kind, parameters: ReadonlyMap<string, string>): Route {
  const uid = (name: string): string | undefined => {
    const value = parameters.get(name);
    if (value !== undefined && !UID_SEGMENT.test(value)) throw new RouteError(`malformed ${name} UID "${value}"`);
    return value;
  };
  const study = uid('study');
  const series = uid('series');
  const instance = uid('instance');
  switch (kind) {
    case 'search-studies':
      return { kind };
    case 'search-series':
      return { kind, study };
    case 'search-instances':
      return { kind, study, series };
    case 'metadata':
    case 'retrieve':
      return { kind, study: study ?? '', series, instance };
    case 'frames':
      return { kind, study: study ?? '', series: series ?? '', instance: instance ?? '', frameNumbers: frameList(parameters) };
    case 'rendered':
      return {
        kind,
        study: study ?? '',
        series: series ?? '',
        instance,
        frameNumbers: parameters.has('frames') ? frameList(parameters) : undefined,
      };
  }
}

function frameList(parameters: ReadonlyMap<string, string>): number[] {
  const text = parameters.get('frames') ?? '';
  if (!FRAME_LIST.test(text)) throw new RouteError(`malformed frame list "${text}" (expected e.g. 1 or 1,3,5)`);
  return text.split(',').map(Number);
}
