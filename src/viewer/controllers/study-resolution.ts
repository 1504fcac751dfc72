/**
 * Which study to show: the accession number (or study UID, or patient) searched across every source in
 * parallel, Turkey's SGK special accession numbers, the chooser when several studies match, and the
 * DICOMweb client for each source. Hands the opened study, with its series, to the element.
 */
import type { ReactiveController } from 'lit';
import { Task } from '@lit/task';
import { isSourceAllowed, sourceOrigin } from '../../dicomweb/allowed-sources.js';
import { DicomwebClient, type FetchLike } from '../../dicomweb/client.js';
import { FilmlessError } from '../../errors.js';
import { resolveStudies, searchPatientStudies, seriesOfStudy } from '../../study/resolver.js';
import { type DicomwebSource, searchAllSources } from '../../study/sources.js';
import { specialAccession } from '../../study/special-accessions.js';
import type { StudySummary } from '../../study/types.js';
import { mark } from '../../viewport/viewport-load.js';
import type { ViewerContext } from './viewer-context.js';

/** The element's properties this controller reads. */
export interface ResolutionInputs {
  dicomwebUrl: string;
  accessionNumber: string;
  issuer: string;
  studyUid: string;
  patientId: string;
  studyDate: string;
  modality: string;
  mostRecent: number;
  sources: DicomwebSource[] | undefined;
  allowedSources: string[] | undefined;
  sourceTimeout: number;
  /** Milliseconds each DICOMweb request may wait for its answer, or a body for its next bytes (retry-policy.ts). */
  requestTimeout: number;
  token: string | undefined;
  tokenProvider: (() => Promise<string>) | undefined;
  fetch: FetchLike | undefined;
}

export interface ResolutionEvents {
  /** A new search starts: whatever was shown goes. */
  reset(): void;
  /** The study to show, with its series (after `filmless-resolved`). */
  opened(study: StudySummary): void;
}

/** Studies newest first, at most `limit` of them (0: all). */
function newestFirst(studies: StudySummary[], limit: number): StudySummary[] {
  const sorted = [...studies].sort((a, b) => b.studyDate.localeCompare(a.studyDate));
  return limit > 0 ? sorted.slice(0, limit) : sorted;
}

export class StudyResolution implements ReactiveController {
  /** The open study (its series known), if any. */
  study: StudySummary | undefined;
  /** Studies offered by the chooser; empty when none is shown. */
  candidates: StudySummary[] = [];
  /** Whether the chooser lists the studies of an accession number or of a patient (always confirmed). */
  chooserKind: 'accession' | 'patient' = 'accession';
  /** Names of sources that failed or timed out during the last search. */
  unreachable: string[] = [];
  /** When the user asked for what is being loaded (the start of the time-to-image measures). */
  startedAt = performance.now();

  private opening: AbortController | undefined;

  private readonly task: Task;

  constructor(
    private readonly context: ViewerContext,
    private readonly inputs: ResolutionInputs,
    private readonly events: ResolutionEvents,
  ) {
    context.host.addController(this);
    this.task = new Task(context.host, {
      args: () => [inputs.dicomwebUrl, inputs.accessionNumber, inputs.issuer, inputs.studyUid, inputs.patientId, inputs.studyDate, inputs.modality, inputs.sources, inputs.mostRecent, inputs.allowedSources] as const,
      task: ([, accessionNumber, issuer, studyUid, patientId, studyDate, modality], { signal }) =>
        this.resolve({ accessionNumber, issuer, studyUid, patientId, studyDate, modality }, signal),
    });
  }

  hostDisconnected(): void {
    this.task.abort();
    this.opening?.abort();
  }

  /** Searches again (after an error, or when the element is put back on the page). */
  run(): void {
    void this.task.run();
  }

  /** Opens one of the studies offered by the chooser. */
  select(studyInstanceUID: string): void {
    const study = this.candidates.find((s) => s.studyInstanceUID === studyInstanceUID);
    if (!study) return;
    this.candidates = [];
    this.open(study);
  }

  /**
   * A client for one source; tokens are read per request, so a refreshed token is used at once. The
   * requests that meet a 401 together ask the token provider once: they share its answer.
   */
  clientFor(source: DicomwebSource): DicomwebClient {
    const inputs = this.inputs;
    const isDefault = !inputs.sources?.includes(source);
    const provider = isDefault ? inputs.tokenProvider : source.tokenProvider;
    const timeout = Number(inputs.requestTimeout);
    return new DicomwebClient({
      baseUrl: source.dicomwebUrl,
      fetch: inputs.fetch,
      getToken: () => (isDefault ? inputs.token : source.token),
      refreshToken: provider
        ? () => {
            let pending = this.refreshing.get(provider);
            if (!pending) {
              pending = provider().then((token) => {
                if (isDefault) inputs.token = token;
                else source.token = token;
                return token;
              });
              this.refreshing.set(provider, pending);
              const forget = () => this.refreshing.delete(provider);
              pending.then(forget, forget);
            }
            return pending;
          }
        : undefined,
      ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
      onRetry: (path, error, delayMs) => this.context.log(`retrying ${path} in ${delayMs} ms`, error.message),
    });
  }

  /** Token providers asked and not yet answered (see clientFor). */
  private readonly refreshing = new Map<() => Promise<string>, Promise<string>>();

  /** The sources to search: the `sources` property, or the single `dicomweb-url` with the element's token. */
  effectiveSources(): DicomwebSource[] {
    const sources = this.inputs.sources && this.inputs.sources.length > 0 ? this.inputs.sources : undefined;
    if (!sources && !this.inputs.dicomwebUrl.trim()) throw new FilmlessError('config', 'dicomweb-url is not set');
    const effective = sources ?? [{ name: '', dicomwebUrl: this.inputs.dicomwebUrl }];
    const allowed = this.inputs.allowedSources;
    const refused = allowed ? effective.find((source) => !isSourceAllowed(source.dicomwebUrl, allowed, document.baseURI)) : undefined;
    // The message is the refused origin alone: the localized text shows it to the user.
    if (refused) throw new FilmlessError('source-not-allowed', sourceOrigin(refused.dicomwebUrl, document.baseURI));
    return effective;
  }

  /** The source a study is loaded from: the first that holds it. */
  sourceOf(study: StudySummary): DicomwebSource {
    const sources = this.effectiveSources();
    return sources.find((source) => study.sources.includes(source.name)) ?? sources[0]!;
  }

  clientForStudy(study: StudySummary): DicomwebClient {
    return this.clientFor(this.sourceOf(study));
  }

  private async resolve(
    query: { accessionNumber: string; issuer: string; studyUid: string; patientId: string; studyDate: string; modality: string },
    signal: AbortSignal,
  ): Promise<void> {
    const { accessionNumber, issuer, studyUid, patientId, studyDate, modality } = query;
    this.clear();
    const patientOnly = !accessionNumber.trim() && !studyUid.trim() && Boolean(patientId.trim());
    if (!accessionNumber.trim() && !studyUid.trim() && !patientOnly) {
      this.context.setStatus('idle');
      return;
    }
    this.startedAt = performance.now();
    mark('load-start');
    this.context.setStatus('resolving');
    try {
      const special = studyUid.trim() || patientOnly ? undefined : specialAccession(accessionNumber);
      if (special === 'analog-device') {
        // No request at all: there is nothing digital to find.
        throw new FilmlessError('no-digital-images', 'Accession number 9999: analog device, no digital images');
      }
      if (special === 'no-accession-number' && !patientId.trim()) {
        throw new FilmlessError('no-accession-number', 'Accession number 9998 and no patient-id to search by');
      }
      const sources = this.effectiveSources();
      const byPatient = patientOnly || special === 'no-accession-number';
      const clientFor = (source: DicomwebSource) => this.clientFor(source);
      const timeout = this.inputs.sourceTimeout;
      const { studies: found, failures } = byPatient
        ? await searchAllSources(sources, (client, _source, sig) => searchPatientStudies(client, { patientId, studyDate, modality }, sig), clientFor, signal, timeout)
        : await searchAllSources(sources, (client, source, sig) => resolveStudies(client, { accessionNumber, issuer: source.issuer ?? issuer, studyUid }, sig), clientFor, signal, timeout);
      const studies = byPatient ? newestFirst(found, this.inputs.mostRecent) : found;
      this.unreachable = failures.map((f) => f.source).filter(Boolean);
      if (studies.length === 0) {
        if (failures[0]) throw failures.length === 1 ? failures[0].error : new FilmlessError('network', `No source answered: ${this.unreachable.join(', ')}`, { cause: failures[0].error });
        throw new FilmlessError('not-found', 'No study found', { status: 404 });
      }
      // Found elsewhere: each source that failed is reported, not fatal (it is also named on the image).
      for (const failure of failures) {
        this.context.warn(failure.error, this.context.localize.term('unreachableSources', { sources: failure.source || '?' }));
      }
      // A study found through the patient instead of its accession number (9998) is always confirmed.
      this.chooserKind = byPatient ? 'patient' : 'accession';
      if (studies.length === 1 && special !== 'no-accession-number') {
        this.open(studies[0]!);
      } else {
        this.candidates = studies;
        this.context.host.requestUpdate();
        this.context.emit('filmless-candidates', { studies, unreachableSources: this.unreachable });
      }
    } catch (error) {
      this.context.fail(error, signal);
    }
  }

  private clear(): void {
    this.opening?.abort();
    this.opening = undefined;
    this.candidates = [];
    this.unreachable = [];
    this.study = undefined;
    this.events.reset();
  }

  /** Opens a study; one found by a study-level search gets its series asked for now that it is chosen. */
  private open(study: StudySummary): void {
    mark('resolved');
    this.opening?.abort();
    const controller = new AbortController();
    this.opening = controller;
    void (async () => {
      try {
        let opened = study;
        if (opened.series.length === 0) {
          const series = await seriesOfStudy(this.clientForStudy(opened), opened.studyInstanceUID, controller.signal);
          if (series.length === 0) throw new FilmlessError('not-found', 'The study has no series');
          opened = { ...opened, series };
        }
        controller.signal.throwIfAborted();
        this.study = opened;
        this.context.host.requestUpdate();
        this.context.emit('filmless-resolved', {
          studyInstanceUID: opened.studyInstanceUID,
          patientName: opened.patientName,
          patientID: opened.patientID,
          studyDate: opened.studyDate,
          series: opened.series,
          sources: opened.sources,
          unreachableSources: this.unreachable,
        });
        this.events.opened(opened);
      } catch (error) {
        this.context.fail(error, controller.signal);
      }
    })();
  }
}
