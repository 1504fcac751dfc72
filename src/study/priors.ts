/**
 * Priors: the patient's other CT and MR studies, and which of a prior's series to put beside the one
 * being read. Pure study logic (no element, no Cornerstone): searched across every source in parallel
 * with the sources' own timeout, newest first, the open study left out.
 */
import type { DicomwebClient } from '../dicomweb/client.js';
import { type DicomJsonDataset, Tag, numberValues, stringValue } from '../dicomweb/dicom-json.js';
import { isAbortError } from '../errors.js';
import { searchPatientStudies } from './resolver.js';
import { isImageSeries, looksLikeLocalizer } from './series-selection.js';
import { sliceNormal } from './slice-order.js';
import { type DicomwebSource, type SourceFailure, searchAllSources } from './sources.js';
import type { SeriesSummary, StudySummary } from './types.js';

/** Modalities whose priors are compared slice by slice. */
export const PRIOR_MODALITIES = ['CT', 'MR'] as const;

export const IssuerOfPatientID = '00100021';
export const FrameOfReferenceUID = '00200052';

/** The open study, as the priors search needs it. */
export interface PriorsQuery {
  studyInstanceUID: string;
  patientID: string;
  /** IssuerOfPatientID of the open study, when it has one: priors must come from the same issuer. */
  issuer?: string;
}

export interface PriorsResult {
  /** The other CT/MR studies, newest first. */
  priors: StudySummary[];
  /**
   * True when no source would search this patient (each answered 401/403, or failed): there is nothing
   * to show, and the priors panel stays hidden. A source that answers with nothing is not a refusal.
   */
  refused: boolean;
  failures: SourceFailure[];
}

/** A 401 or 403: the token may open the study but not search the patient. */
export function isRefusal(failure: SourceFailure): boolean {
  return failure.error.code === 'unauthorized' || failure.error.code === 'forbidden';
}

/**
 * Searches every source for the patient's other CT and MR studies, each source with its own timeout;
 * a source that fails or refuses leaves the others' answers standing.
 */
export async function searchPriors(
  sources: DicomwebSource[],
  clientFor: (source: DicomwebSource) => DicomwebClient,
  query: PriorsQuery,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<PriorsResult> {
  const patientId = query.patientID.trim();
  if (!patientId || /[*?\\^]/.test(patientId)) return { priors: [], refused: true, failures: [] };
  const cx = query.issuer ? `${patientId}^^^${query.issuer}` : patientId;
  const { studies, failures } = await searchAllSources(
    sources,
    (client, _source, sig) => searchPatientStudies(client, { patientId: cx, modality: PRIOR_MODALITIES.join(',') }, sig),
    clientFor,
    signal,
    timeoutMs,
  );
  const priors = studies
    .filter((study) => study.studyInstanceUID !== query.studyInstanceUID)
    .sort((a, b) => b.studyDate.localeCompare(a.studyDate));
  return { priors, refused: failures.length === sources.length, failures };
}

/** The slice normal of a dataset (an instance's metadata or a QIDO instance answer), if it carries one. */
export function normalOf(dataset: DicomJsonDataset | undefined): [number, number, number] | undefined {
  return sliceNormal(numberValues(dataset, Tag.ImageOrientationPatient));
}

/**
 * The orientation of a series, from its first instance's ImageOrientationPatient asked for by QIDO
 * (one small answer, where the series metadata would make the server read every file). Undefined when
 * the server does not say.
 */
export async function seriesNormal(client: DicomwebClient, studyUID: string, seriesUID: string, signal: AbortSignal): Promise<[number, number, number] | undefined> {
  try {
    const instances = await client.searchInstancesOfSeries(studyUID, seriesUID, { includefield: Tag.ImageOrientationPatient, limit: '1' }, signal);
    return normalOf(instances[0]);
  } catch (error) {
    if (signal.aborted || isAbortError(error)) throw error;
    return undefined;
  }
}

/** Words of a description, lower case, without punctuation: "T1 MPRAGE sag 1.2 mm" gives t1, mprage, sag, 1.2, mm. */
function words(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^\p{L}\p{N}.]+/u).filter(Boolean));
}

/** How alike two series descriptions are, 0–1 (shared words over all words). */
export function descriptionSimilarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared++;
  return shared / (left.size + right.size - shared);
}

/** The series of a prior being read, as matching needs it. */
export interface SeriesToMatch {
  modality: string;
  description: string;
  normal?: [number, number, number];
}

export interface CandidateSeries {
  series: SeriesSummary;
  normal?: [number, number, number];
}

/**
 * The prior's series to show beside the current one: the same modality; among those, the closest
 * orientation (slice normals most nearly parallel), then the most similar description, then the most
 * images. Localizers only when nothing else has the modality. Undefined when no image series has it.
 */
export function matchSeries(current: SeriesToMatch, candidates: CandidateSeries[]): SeriesSummary | undefined {
  const modality = current.modality.toUpperCase();
  const sameModality = candidates.filter(({ series }) => isImageSeries(series) && series.modality.toUpperCase() === modality);
  const preferred = sameModality.filter(({ series }) => !looksLikeLocalizer(series));
  const pool = preferred.length > 0 ? preferred : sameModality;
  const alignment = (normal: [number, number, number] | undefined) =>
    current.normal && normal ? Math.abs(current.normal[0] * normal[0] + current.normal[1] * normal[1] + current.normal[2] * normal[2]) : 0.5;
  const scored = pool.map((candidate) => ({
    series: candidate.series,
    // Orientations within about 25° count as the same plane; inside it, the description decides.
    plane: alignment(candidate.normal) > 0.9 ? 2 : alignment(candidate.normal) >= 0.5 ? 1 : 0,
    alignment: alignment(candidate.normal),
    similarity: descriptionSimilarity(current.description, candidate.series.description),
  }));
  scored.sort(
    (a, b) =>
      b.plane - a.plane ||
      b.similarity - a.similarity ||
      b.alignment - a.alignment ||
      b.series.imageCount - a.series.imageCount,
  );
  return scored[0]?.series;
}

/** The FrameOfReferenceUID of a dataset, '' when absent. */
export function frameOfReference(dataset: DicomJsonDataset | undefined): string {
  return stringValue(dataset, FrameOfReferenceUID);
}
