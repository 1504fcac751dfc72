/**
 * QIDO-RS over the folder index: which studies, series or instances match a query, and which
 * attributes each result carries (PS3.18 10.6).
 */
import type { DicomIndex, IndexedInstance, IndexedSeries, IndexedStudy } from './dicom-index.js';
import type { DicomJsonAttribute, DicomJsonDataset, DicomJsonValue } from './folder-dicom-json.js';
import { standardVr, tagOfAttribute } from './folder-dictionary.js';

export type QueryLevel = 'study' | 'series' | 'instance';

/** Where in the hierarchy a query looks, from the path (`/studies/{s}/series/...`). */
export interface QueryScope {
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
}

/** A query parameter the server cannot make sense of; answered with 400. */
export class QueryError extends Error {}

interface Filter {
  readonly tag: string;
  readonly vr: string;
  readonly value: string;
}

interface ParsedQuery {
  readonly filters: readonly Filter[];
  readonly includeAll: boolean;
  readonly includeTags: readonly string[];
  readonly limit: number;
  readonly offset: number;
}

const STUDY_ATTRIBUTES = [
  '00080005', '00080020', '00080030', '00080050', '00080056', '00080061', '00080090', '00080080',
  '00081030', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00201206',
  '00201208',
];
const SERIES_ATTRIBUTES = [
  ...STUDY_ATTRIBUTES,
  '00080021', '00080031', '00080060', '00080070', '0008103E', '00180015', '0020000E', '00200011',
  '00201209', '00400244', '00400245',
];
const INSTANCE_ATTRIBUTES = [
  ...SERIES_ATTRIBUTES,
  '00080008', '00080016', '00080018', '00083002', '00180050', '00200013', '00200032', '00200037',
  '00280002', '00280004', '00280008', '00280010', '00280011', '00280030', '00280100', '00280101',
  '00280103',
];
const ATTRIBUTES_OF_LEVEL: Record<QueryLevel, readonly string[]> = {
  study: STUDY_ATTRIBUTES,
  series: SERIES_ATTRIBUTES,
  instance: INSTANCE_ATTRIBUTES,
};

const MODALITY = '00080060';
const MODALITIES_IN_STUDY = '00080061';
/** Parameters that steer the query rather than match attributes. */
const CONTROL_PARAMETERS = new Set(['limit', 'offset', 'includefield', 'fuzzymatching']);

/**
 * Runs a QIDO-RS query: the matching results at `level` within `scope`, in index order, each
 * with the level's default attributes plus any `includefield`. A scope UID that does not exist
 * simply matches nothing (the caller decides whether that is a 404).
 * @throws QueryError for malformed `limit`, `offset` or date ranges.
 */
export function runQuery(
  index: DicomIndex,
  level: QueryLevel,
  scope: QueryScope,
  query: URLSearchParams,
): DicomJsonDataset[] {
  const parsed = parseQuery(query, level);
  const candidates = candidatesAt(index, level, scope);
  const matching = candidates.filter((candidate) => parsed.filters.every((f) => matches(candidate, f)));
  return matching
    .slice(parsed.offset, parsed.offset + parsed.limit)
    .map((candidate) => selectAttributes(candidate, level, parsed));
}

function parseQuery(query: URLSearchParams, level: QueryLevel): ParsedQuery {
  const filters: Filter[] = [];
  const includeTags: string[] = [];
  let includeAll = false;
  for (const [key, value] of query) {
    if (key === 'includefield') {
      for (const field of value.split(',').map((f) => f.trim())) {
        const tag = tagOfAttribute(field);
        if (field === 'all') includeAll = true;
        else if (tag) includeTags.push(tag);
      }
      continue;
    }
    if (CONTROL_PARAMETERS.has(key)) continue;
    // Unknown keys and nested (dotted) keys are ignored, as Orthanc does: a harmless extra
    // parameter should not break a viewer.
    const tag = tagOfAttribute(key);
    if (tag === undefined || value === '') continue;
    const matchedTag = level === 'study' && tag === MODALITY ? MODALITIES_IN_STUDY : tag;
    const vr = standardVr(matchedTag) ?? 'UN';
    if (vr === 'DA' && !/^(\d{8})?(-(\d{8})?)?$/.test(value)) {
      throw new QueryError(`${key}: expected YYYYMMDD or a YYYYMMDD-YYYYMMDD range, got "${value}"`);
    }
    filters.push({ tag: matchedTag, vr, value });
  }
  return {
    filters,
    includeAll,
    includeTags,
    limit: nonNegativeInteger(query, 'limit') ?? Number.MAX_SAFE_INTEGER,
    offset: nonNegativeInteger(query, 'offset') ?? 0,
  };
}

function nonNegativeInteger(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new QueryError(`${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/**
 * One candidate result: the attributes it can be matched on, i.e. those of a representative
 * instance plus the ones the server computes (counts, modalities, availability).
 */
type Candidate = DicomJsonDataset;

function candidatesAt(index: DicomIndex, level: QueryLevel, scope: QueryScope): Candidate[] {
  const studies = scope.studyInstanceUID
    ? [index.studies.get(scope.studyInstanceUID)].filter((s): s is IndexedStudy => s !== undefined)
    : [...index.studies.values()];
  return studies.flatMap((study) => {
    const studyAttributes = computedStudyAttributes(study);
    if (level === 'study') return [{ ...firstInstanceOf(study)?.json, ...studyAttributes }];

    const seriesList = scope.seriesInstanceUID
      ? [study.series.get(scope.seriesInstanceUID)].filter((s): s is IndexedSeries => s !== undefined)
      : [...study.series.values()];
    return seriesList.flatMap((series) => {
      const seriesAttributes = computedSeriesAttributes(series);
      if (level === 'series') {
        return [{ ...firstOf(series.instances)?.json, ...studyAttributes, ...seriesAttributes }];
      }
      return [...series.instances.values()].map((instance) => ({
        ...instance.json,
        ...studyAttributes,
        ...seriesAttributes,
        ...computedInstanceAttributes(instance),
      }));
    });
  });
}

function computedStudyAttributes(study: IndexedStudy): DicomJsonDataset {
  const series = [...study.series.values()];
  const modalities = new Set(
    series.map((s) => firstOf(s.instances)?.json[MODALITY]?.Value?.[0]).filter((m) => typeof m === 'string'),
  );
  const instanceCount = series.reduce((sum, s) => sum + s.instances.size, 0);
  return {
    '00080056': { vr: 'CS', Value: ['ONLINE'] },
    [MODALITIES_IN_STUDY]: modalities.size > 0 ? { vr: 'CS', Value: [...modalities] } : { vr: 'CS' },
    '00201206': { vr: 'IS', Value: [series.length] },
    '00201208': { vr: 'IS', Value: [instanceCount] },
  };
}

function computedSeriesAttributes(series: IndexedSeries): DicomJsonDataset {
  return { '00201209': { vr: 'IS', Value: [series.instances.size] } };
}

function computedInstanceAttributes(instance: IndexedInstance): DicomJsonDataset {
  // Frames are served as stored, so the stored syntax is the one available.
  return { '00083002': { vr: 'UI', Value: [instance.transferSyntaxUID] } };
}

function firstInstanceOf(study: IndexedStudy): IndexedInstance | undefined {
  const firstSeries = firstOf(study.series);
  return firstSeries ? firstOf(firstSeries.instances) : undefined;
}

function firstOf<T>(map: ReadonlyMap<string, T>): T | undefined {
  return map.values().next().value;
}

function matches(candidate: Candidate, filter: Filter): boolean {
  const values = comparableValues(candidate[filter.tag]);
  if (values.length === 0) return false;
  switch (filter.vr) {
    case 'UI':
      return anyOf(filter.value, (uid) => values.includes(uid));
    case 'DA':
    case 'TM':
    case 'DT':
      return values.some((value) => inRange(value, filter.value));
    case 'PN': {
      const pattern = wildcardPattern(foldName(filter.value));
      return values.some((value) => pattern.test(foldName(value)));
    }
    default:
      // Multi-valued attributes (ModalitiesInStudy) match if any value is one asked for.
      return anyOf(filter.value, (wanted) => values.includes(wanted));
  }
}

/** UID lists and multi-valued keys may be written `A,B` or `A\B`. */
function anyOf(queryValue: string, test: (one: string) => boolean): boolean {
  return queryValue.split(/[,\\]/).some((one) => test(one.trim()));
}

function comparableValues(attribute: DicomJsonAttribute | undefined): string[] {
  return (attribute?.Value ?? []).flatMap((value: DicomJsonValue) => {
    if (typeof value === 'string') return [value];
    if (typeof value === 'number') return [String(value)];
    if (value && typeof value === 'object' && 'Alphabetic' in value) return [String(value.Alphabetic ?? '')];
    return [];
  });
}

/** `20260101`, `20260101-`, `-20261231` or `20260101-20261231`; bounds inclusive. */
function inRange(value: string, range: string): boolean {
  if (!range.includes('-')) return value === range;
  const [lower, upper] = range.split('-');
  const comparable = value.slice(0, Math.max(lower.length, upper.length) || value.length);
  return (lower === '' || comparable >= lower) && (upper === '' || comparable <= upper);
}

/** `*` any run of characters, `?` one character; case-insensitive, as most archives match names. */
function wildcardPattern(text: string): RegExp {
  const escaped = text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'iu');
}

/**
 * Names compared without diacritics, so a name typed on any keyboard finds the stored one:
 * "sahin*" and "şahi*" both find "ŞAHİN". Turkish dotless ı has no decomposition; it folds to i.
 */
function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/ı/g, 'i');
}

function selectAttributes(candidate: Candidate, level: QueryLevel, query: ParsedQuery): DicomJsonDataset {
  if (query.includeAll) return withoutBulkData(candidate);
  const selected: DicomJsonDataset = {};
  for (const tag of [...ATTRIBUTES_OF_LEVEL[level], ...query.includeTags].sort()) {
    const attribute = candidate[tag];
    if (attribute) selected[tag] = attribute;
  }
  return selected;
}

/** `includefield=all` still leaves out inline binary values: search results are meant to be small. */
function withoutBulkData(candidate: Candidate): DicomJsonDataset {
  const entries = Object.entries(candidate).filter(([, attribute]) => attribute.InlineBinary === undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
