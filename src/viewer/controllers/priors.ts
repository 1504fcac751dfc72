/**
 * Priors: once the open study's first image is on screen, the patient's other CT and MR studies are
 * searched in every source the token may search (a refusal hides the list and is never an error of the
 * open study), listed newest first, and one can be compared: opened beside the current study in a 1×2
 * layout, its series matched to the one being read.
 */
import type { ReactiveController } from 'lit';
import type { DicomwebClient } from '../../dicomweb/client.js';
import { isAbortError } from '../../errors.js';
import { IssuerOfPatientID, matchSeries, normalOf, searchPriors, seriesNormal } from '../../study/priors.js';
import { seriesOfStudy } from '../../study/resolver.js';
import { chooseDefaultSeries, isImageSeries } from '../../study/series-selection.js';
import type { DicomwebSource } from '../../study/sources.js';
import type { StudySummary } from '../../study/types.js';
import { stringValue } from '../../dicomweb/dicom-json.js';
import type { FilmlessFirstImageDetail, FilmlessLayout, FilmlessPrior } from '../events.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';

/** What the priors need from the element's study resolution. */
export interface PriorsSources {
  /** The open study, if any. */
  readonly study: StudySummary | undefined;
  effectiveSources(): DicomwebSource[];
  clientFor(source: DicomwebSource): DicomwebClient;
  clientForStudy(study: StudySummary): DicomwebClient;
}

export interface PriorsHooks {
  /** Milliseconds each source may take (the element's `source-timeout`). */
  timeout(): number;
  /** Whether the most recent prior opens by itself (the `compare-prior` attribute). */
  autoCompare(): boolean;
  /** Sets the element's layout (as `layout` does: the grid follows at once). */
  setLayout(layout: FilmlessLayout): void;
  /** A prior is open beside the current study (scroll sync starts). */
  compared(): void;
}

/** `searching` until the sources answer; `hidden` when none lets the token search the patient. */
export type PriorsState = 'idle' | 'waiting' | 'searching' | 'known' | 'hidden';

export function priorDetail(study: StudySummary): FilmlessPrior {
  return {
    studyInstanceUID: study.studyInstanceUID,
    studyDate: study.studyDate,
    modalities: [...study.modalities],
    description: study.description,
    sources: study.sources.filter(Boolean),
  };
}

export class PriorsController implements ReactiveController {
  state: PriorsState = 'idle';
  /** The patient's other CT/MR studies, newest first (empty until known). */
  priors: StudySummary[] = [];
  /** The prior being opened by Compare (its UID), while its series are asked for. */
  opening: string | undefined;
  /** When the last Compare was asked for (the start of its time to the prior's first image). */
  compareStartedAt = 0;

  /** Priors whose series are known, by StudyInstanceUID. */
  private readonly opened = new Map<string, StudySummary>();
  private searchedFor: string | undefined;
  private search: AbortController | undefined;
  private searchDone: Promise<void> | undefined;
  private comparison: AbortController | undefined;
  private autoCompared = false;

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
    private readonly sources: PriorsSources,
    private readonly hooks: PriorsHooks,
  ) {
    context.host.addController(this);
  }

  hostConnected(): void {
    this.context.host.addEventListener('filmless-first-image', this.firstImage);
  }

  hostDisconnected(): void {
    this.context.host.removeEventListener('filmless-first-image', this.firstImage);
    this.reset();
  }

  /** After each render: a search waiting for the open series' metadata (its patient's issuer) starts. */
  hostUpdated(): void {
    if (this.state !== 'waiting') return;
    const study = this.sources.study;
    const cell = study && this.cellShowing(study.studyInstanceUID);
    if (!study || !cell || (cell.load.series?.frames.length ?? 0) === 0) return;
    this.start(study, stringValue(cell.load.series!.frames[0]!.instance, IssuerOfPatientID));
  }

  /** A new study is on its way: the old one's priors go. */
  /** Back to the open study alone: the viewports showing a prior show the open study's series again. */
  end(): void {
    const study = this.sources.study;
    const open = study?.studyInstanceUID;
    const reading = this.grid.cells.find((cell) => cell.load.series?.study.studyInstanceUID === open)?.load.series?.seriesInstanceUID;
    for (const cell of this.grid.cells) if (cell.load.series && cell.load.series.study.studyInstanceUID !== open) cell.load.release();
    this.grid.activate(0);
    this.hooks.setLayout('1x1');
    if (study && reading && this.grid.cells[0]?.load.series?.seriesInstanceUID !== reading) {
      void this.grid.show(0, study, reading, this.sources.clientForStudy(study), performance.now());
    }
  }

  reset(): void {
    this.search?.abort();
    this.comparison?.abort();
    this.search = undefined;
    this.comparison = undefined;
    this.searchDone = undefined;
    this.searchedFor = undefined;
    this.opening = undefined;
    this.autoCompared = false;
    this.priors = [];
    this.opened.clear();
    this.state = 'idle';
    this.context.host.requestUpdate();
  }

  /** A study opened as a prior (its series known), or the open study itself. */
  studyFor(studyInstanceUID: string): StudySummary | undefined {
    const open = this.sources.study;
    if (open?.studyInstanceUID === studyInstanceUID) return open;
    return this.opened.get(studyInstanceUID);
  }

  /** Whether a prior is shown in one of the viewports. */
  get comparing(): boolean {
    const open = this.sources.study?.studyInstanceUID;
    return this.grid.cells.some((cell) => cell.load.series && cell.load.series.study.studyInstanceUID !== open);
  }

  /** The prior's series (asked for once), for `showSeries` with a study UID. */
  async priorStudy(studyInstanceUID: string, signal: AbortSignal): Promise<StudySummary | undefined> {
    const known = this.studyFor(studyInstanceUID);
    if (known) return known;
    await this.searchDone;
    const summary = this.priors.find((s) => s.studyInstanceUID === studyInstanceUID);
    if (!summary) return undefined;
    const series = await seriesOfStudy(this.sources.clientForStudy(summary), summary.studyInstanceUID, signal);
    signal.throwIfAborted();
    const study = { ...summary, series };
    this.opened.set(studyInstanceUID, study);
    return study;
  }

  /** Shows a series of a prior in one viewport (`showSeries` with a study UID); unknown ones are ignored. */
  async showPriorSeries(index: number, studyInstanceUID: string, seriesInstanceUID: string): Promise<void> {
    try {
      const signal = new AbortController().signal;
      const prior = await this.priorStudy(studyInstanceUID, signal);
      if (!prior?.series.some((s) => s.seriesInstanceUID === seriesInstanceUID)) return;
      await this.grid.show(index, prior, seriesInstanceUID, this.sources.clientForStudy(prior), performance.now());
    } catch (error) {
      this.context.log('the prior could not be opened', error);
    }
  }

  /**
   * Opens a prior beside the current study (1×2): the current series on the left, the prior's best
   * match on the right. Unknown studies are ignored; a failure to open the prior is reported on its
   * viewport's load like any series', never as a failure of the open study's search.
   */
  async compare(studyInstanceUID: string): Promise<void> {
    const study = this.sources.study;
    if (!study || studyInstanceUID === study.studyInstanceUID) return;
    this.comparison?.abort();
    const controller = new AbortController();
    this.comparison = controller;
    const { signal } = controller;
    this.compareStartedAt = performance.now();
    this.opening = studyInstanceUID;
    this.context.host.requestUpdate();
    try {
      const prior = await this.priorStudy(studyInstanceUID, signal);
      if (!prior || signal.aborted) return;
      const reference = this.referenceCell(study.studyInstanceUID);
      const series = reference?.load.series;
      const summary = series && study.series.find((s) => s.seriesInstanceUID === series.seriesInstanceUID);
      const match = await this.matchPriorSeries(prior, summary?.modality ?? series?.modality ?? '', series?.description ?? '', series?.frames[0]?.instance, signal);
      if (!match || signal.aborted) return;
      const referenceIndex = reference ? this.grid.cells.indexOf(reference) : -1;
      const left = referenceIndex === 1 ? 1 : 0;
      const right = 1 - left;
      this.hooks.setLayout('1x2');
      const startedAt = this.compareStartedAt;
      if (series && this.grid.cells[left]?.load.series?.seriesInstanceUID !== series.seriesInstanceUID) {
        void this.grid.show(left, study, series.seriesInstanceUID, this.sources.clientForStudy(study), startedAt);
      }
      void this.grid.show(right, prior, match.seriesInstanceUID, this.sources.clientForStudy(prior), startedAt);
      this.grid.activate(left);
      this.hooks.compared();
    } catch (error) {
      if (!signal.aborted && !isAbortError(error)) this.context.log('the prior could not be opened', error);
    } finally {
      if (this.comparison === controller) this.opening = undefined;
      this.context.host.requestUpdate();
    }
  }

  private readonly firstImage = (event: Event): void => {
    const detail = (event as CustomEvent<FilmlessFirstImageDetail>).detail;
    const study = this.sources.study;
    if (!study || detail.studyInstanceUID !== study.studyInstanceUID || this.searchedFor === study.studyInstanceUID) return;
    this.searchedFor = study.studyInstanceUID;
    // The first image is on screen; the search waits for the series' metadata (already on its way) to
    // learn the patient's issuer, then runs while the rest of the series streams.
    this.state = 'waiting';
    this.context.host.requestUpdate();
  };

  private start(study: StudySummary, issuer: string): void {
    this.state = 'searching';
    const controller = new AbortController();
    this.search = controller;
    let sources: DicomwebSource[];
    try {
      sources = this.sources.effectiveSources();
    } catch {
      this.state = 'hidden';
      return;
    }
    this.searchDone = (async () => {
      try {
        const result = await searchPriors(
          sources,
          (source) => this.sources.clientFor(source),
          { studyInstanceUID: study.studyInstanceUID, patientID: study.patientID, ...(issuer ? { issuer } : {}) },
          controller.signal,
          this.hooks.timeout(),
        );
        if (controller.signal.aborted) return;
        if (result.failures.length) this.context.log('priors: sources that did not search', result.failures);
        if (result.refused) {
          this.state = 'hidden';
          return;
        }
        this.priors = result.priors;
        this.state = 'known';
        this.context.emit('filmless-priors', { priors: result.priors.map(priorDetail) });
        if (this.hooks.autoCompare() && !this.autoCompared && result.priors[0]) {
          this.autoCompared = true;
          void this.compare(result.priors[0].studyInstanceUID);
        }
      } catch (error) {
        // Never an error of the open study: the list simply stays hidden.
        if (!controller.signal.aborted) this.context.log('priors search failed', error);
        this.state = 'hidden';
      } finally {
        if (!controller.signal.aborted) this.context.host.requestUpdate();
      }
    })();
  }

  /** The viewport the prior is matched to: the active one if it shows the open study, else the first that does. */
  private referenceCell(studyInstanceUID: string): ViewportCell | undefined {
    const active = this.grid.active;
    if (active.load.series?.study.studyInstanceUID === studyInstanceUID && this.grid.activeIndex < 2) return active;
    return this.cellShowing(studyInstanceUID);
  }

  private cellShowing(studyInstanceUID: string): ViewportCell | undefined {
    return this.grid.cells.find((cell) => cell.load.series?.study.studyInstanceUID === studyInstanceUID);
  }

  /** The prior's series most like the one being read (see matchSeries), its orientation asked for by QIDO. */
  private async matchPriorSeries(
    prior: StudySummary,
    modality: string,
    description: string,
    instance: Parameters<typeof normalOf>[0],
    signal: AbortSignal,
  ) {
    const client = this.sources.clientForStudy(prior);
    const candidates = prior.series.filter((s) => isImageSeries(s) && s.modality.toUpperCase() === modality.toUpperCase());
    if (candidates.length === 0) return chooseDefaultSeries(prior.series);
    const withNormals = await Promise.all(
      candidates.map(async (series) => {
        const normal = candidates.length > 1 ? await seriesNormal(client, prior.studyInstanceUID, series.seriesInstanceUID, signal) : undefined;
        return normal ? { series, normal } : { series };
      }),
    );
    const normal = normalOf(instance);
    return matchSeries({ modality, description, ...(normal ? { normal } : {}) }, withNormals) ?? chooseDefaultSeries(prior.series);
  }
}
