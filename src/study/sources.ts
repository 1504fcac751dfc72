import { FilmlessError, isAbortError, toFilmlessError } from '../errors.js';
import type { DicomwebClient } from '../dicomweb/client.js';
import type { StudySummary } from './types.js';

/** One DICOMweb source, e.g. one hospital's PACS. */
export interface DicomwebSource {
  /** Shown to the user next to each study it holds ("Ankara Şehir Hastanesi"). */
  name: string;
  dicomwebUrl: string;
  /** Issuer of Accession Number used by this hospital, if its numbers are not unique nationally. */
  issuer?: string;
  token?: string;
  tokenProvider?: () => Promise<string>;
}

/** A source that failed or timed out; its failure never hides the other sources' studies. */
export interface SourceFailure {
  source: string;
  error: FilmlessError;
}

export interface MultiSourceResult {
  studies: StudySummary[];
  failures: SourceFailure[];
}

/**
 * Runs one search against every source in parallel, each with its own timeout, and merges the answers:
 * a study held by two sources (same StudyInstanceUID) appears once, listing both. Sources that answer
 * "not found" simply contribute nothing.
 */
export async function searchAllSources(
  sources: DicomwebSource[],
  search: (client: DicomwebClient, source: DicomwebSource, signal: AbortSignal) => Promise<StudySummary[]>,
  clientFor: (source: DicomwebSource) => DicomwebClient,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<MultiSourceResult> {
  const settled = await Promise.allSettled(
    sources.map(async (source) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        return await search(clientFor(source), source, AbortSignal.any([signal, timeout]));
      } catch (error) {
        if (timeout.aborted && !signal.aborted) {
          throw new FilmlessError('network', `${source.name} did not answer within ${timeoutMs} ms`, { retryable: true, cause: error });
        }
        throw error;
      }
    }),
  );
  signal.throwIfAborted();
  const merged = new Map<string, StudySummary>();
  const failures: SourceFailure[] = [];
  settled.forEach((outcome, index) => {
    const source = sources[index]!;
    if (outcome.status === 'rejected') {
      if (isAbortError(outcome.reason) && signal.aborted) return;
      const failure = toFilmlessError(outcome.reason, 'network');
      if (failure.code !== 'not-found') failures.push({ source: source.name, error: failure });
      return;
    }
    for (const study of outcome.value) {
      const known = merged.get(study.studyInstanceUID);
      if (known) {
        if (!known.sources.includes(source.name)) known.sources.push(source.name);
      } else {
        merged.set(study.studyInstanceUID, { ...study, sources: [source.name] });
      }
    }
  });
  return { studies: [...merged.values()], failures };
}
