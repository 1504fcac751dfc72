/**
 * Series previews: a small rendered image of every image series, fetched once the first series is on
 * screen so previews never compete with it. A server without `/rendered` costs one refused request and
 * leaves the text-only tiles. Object URLs are revoked when the study changes.
 */
import type { ReactiveController } from 'lit';
import type { DicomwebClient } from '../../dicomweb/client.js';
import { isImageSeries } from '../../study/series-selection.js';
import type { SeriesSummary, StudySummary } from '../../study/types.js';
import type { ViewerContext } from './viewer-context.js';

export class SeriesThumbnails implements ReactiveController {
  /** Object URLs of series previews, by SeriesInstanceUID; a stack's by `<SeriesInstanceUID>#<stack index>`. */
  urls = new Map<string, string>();
  private controller: AbortController | undefined;
  /** Whether the server renders previews (known after the first); stacks asked for before wait for it. */
  private rendered: Promise<boolean> | undefined;
  /** Stacks whose previews were asked for before the study's previews started. */
  private pendingStacks: (() => void)[] = [];

  constructor(private readonly context: ViewerContext) {
    context.host.addController(this);
  }

  hostDisconnected(): void {
    this.release();
  }

  /** Fetches the study's previews, once per study. */
  load(study: StudySummary, client: DicomwebClient): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    const fetchPreview = (series: SeriesSummary) =>
      client.retrieveSeriesPreview(study.studyInstanceUID, series.seriesInstanceUID, 96, controller.signal).then((blob) => {
        if (controller.signal.aborted) return;
        this.urls = new Map(this.urls).set(series.seriesInstanceUID, URL.createObjectURL(blob));
        this.context.host.requestUpdate();
      });
    const [first, ...rest] = study.series.filter(isImageSeries);
    if (!first) return;
    // Ask for one preview first: a server without /rendered then costs one refused request, not one per series.
    this.rendered = fetchPreview(first).then(
      () => true,
      (error: unknown) => (this.context.log('no series previews from this server', error), false),
    );
    void this.rendered.then(async (ok) => {
      if (!ok) return;
      for (const run of this.pendingStacks.splice(0)) run();
      await Promise.allSettled(rest.map(fetchPreview));
    });
  }

  /**
   * Previews of a series' stacks, each from its middle frame (a series of several stacks has a tile per
   * stack), once the study's previews have started and only when the server renders them.
   */
  loadStacks(study: StudySummary, client: DicomwebClient, seriesUID: string, middles: { sopInstanceUID: string; frameNumber: number }[]): void {
    const run = () => {
      const controller = this.controller;
      if (!controller) return;
      middles.forEach((frame, index) =>
        client.retrieveSeriesPreview(study.studyInstanceUID, seriesUID, 96, controller.signal, frame).then(
          (blob) => {
            if (controller.signal.aborted) return;
            this.urls = new Map(this.urls).set(`${seriesUID}#${index}`, URL.createObjectURL(blob));
            this.context.host.requestUpdate();
          },
          (error: unknown) => this.context.log('no preview of a stack', error),
        ),
      );
    };
    // Series are checked before the first one is ready; the study's previews start then.
    if (!this.rendered) this.pendingStacks.push(run);
    else void this.rendered.then((ok) => ok && run());
  }

  release(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.rendered = undefined;
    this.pendingStacks = [];
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls = new Map();
    this.context.host.requestUpdate();
  }
}
