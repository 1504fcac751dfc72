/**
 * What each series' metadata tells beyond QIDO: its stacks and its warnings. Recorded when a viewport
 * reads a series, and read in the background for the open study's other image series once the first
 * series is ready, one at a time and only while no viewport is loading (so it never competes with what
 * is on screen), leaving out the series a viewport is showing (that viewport reads them); each becomes one
 * `filmless-series-checked` event, and the open study's series entries gain `stacks` and `warnings`.
 */
import type { ReactiveController } from 'lit';
import type { DicomwebClient } from '../../dicomweb/client.js';
import { isAbortError } from '../../errors.js';
import { isImageSeries } from '../../study/series-selection.js';
import { framesOf } from '../../study/slice-order.js';
import { splitStacks } from '../../study/stacks.js';
import type { StudySummary } from '../../study/types.js';
import { type SeriesCheck, seriesCheck } from '../../viewport/viewport-load.js';
import type { ViewerContext } from './viewer-context.js';

export class SeriesChecks implements ReactiveController {
  /** Checks by SeriesInstanceUID (of any study shown: priors too). */
  checks = new Map<string, SeriesCheck>();
  private controller: AbortController | undefined;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly context: ViewerContext,
    /** The open study, whose series entries gain what is learnt. */
    private readonly openStudy: () => StudySummary | undefined,
    /** The series the viewports show, and whether any of them is still loading. */
    private readonly viewports: () => { shown: Set<string>; loading: boolean },
    /** A series of the open study turned out to hold several stacks (their thumbnails). */
    private readonly severalStacks: (check: SeriesCheck) => void = () => undefined,
  ) {
    context.host.addController(this);
  }

  /** Every render may be the end of a viewport's load: background reading goes on then. */
  hostUpdated(): void {
    if (this.waiting && !this.viewports().loading) {
      const resume = this.waiting;
      this.waiting = undefined;
      resume();
    }
  }

  /** Resolves once no viewport is loading (at once when none is). */
  private idle(): Promise<void> {
    if (!this.viewports().loading) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  hostDisconnected(): void {
    this.release();
  }

  /** A series' stacks and warnings are known: kept, announced (again only when they changed). */
  record(check: SeriesCheck): void {
    const before = this.checks.get(check.seriesInstanceUID);
    if (before && JSON.stringify(before) === JSON.stringify(check)) return;
    const { studyInstanceUID, seriesInstanceUID, stacks, warnings } = check;
    this.checks = new Map(this.checks).set(check.seriesInstanceUID, check);
    const study = this.openStudy();
    if (study?.studyInstanceUID === check.studyInstanceUID) {
      const entry = study.series.find((s) => s.seriesInstanceUID === check.seriesInstanceUID);
      if (entry) {
        entry.stacks = check.stacks;
        entry.warnings = check.warnings;
      }
    }
    this.context.host.requestUpdate();
    if (study?.studyInstanceUID === studyInstanceUID && stacks.length > 1 && !before) this.severalStacks(check);
    this.context.emit('filmless-series-checked', { studyInstanceUID, seriesInstanceUID, stacks: stacks.map((s) => ({ ...s, warnings: [...s.warnings] })), warnings: [...warnings] });
  }

  /** Reads the metadata of the study's image series not checked yet, one at a time, once per study. */
  load(study: StudySummary, client: DicomwebClient): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void (async () => {
      for (const series of study.series.filter(isImageSeries)) {
        await this.idle();
        if (controller.signal.aborted) return;
        if (this.checks.has(series.seriesInstanceUID) || this.viewports().shown.has(series.seriesInstanceUID)) continue;
        try {
          const instances = await client.retrieveSeriesMetadata(study.studyInstanceUID, series.seriesInstanceUID, controller.signal);
          if (controller.signal.aborted || this.checks.has(series.seriesInstanceUID) || instances.length === 0) continue;
          this.record(seriesCheck(study.studyInstanceUID, series.seriesInstanceUID, splitStacks(framesOf(instances))));
        } catch (error) {
          if (controller.signal.aborted || isAbortError(error)) return;
          this.context.log('series metadata not read', series.seriesInstanceUID, error);
        }
      }
    })();
  }

  /** A new study: forget the checks and stop reading. */
  release(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.waiting = undefined;
    this.checks = new Map();
  }
}
