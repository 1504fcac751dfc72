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
  /** Object URLs of series previews, by SeriesInstanceUID. */
  urls = new Map<string, string>();
  private controller: AbortController | undefined;

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
    fetchPreview(first)
      .then(() => Promise.allSettled(rest.map(fetchPreview)))
      .catch((error: unknown) => this.context.log('no series previews from this server', error));
  }

  release(): void {
    this.controller?.abort();
    this.controller = undefined;
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls = new Map();
    this.context.host.requestUpdate();
  }
}
