/**
 * filmless: our element as a hospital page embeds it: `dist/filmless-viewer.js` from a script tag (see
 * filmless.html), then a DICOMweb URL, a bearer token and the accession number. Only public API is
 * used: `filmless-first-image` (the middle slice drawn at full quality, by the lean first-image path),
 * `filmless-preview` (on the phone's slow link, a labelled preview of it first: the step `preview`),
 * `filmless-ready` (tools work: marked as the step `interactive`, P8), `filmless-progress` (frames
 * decoded), `scrollImages()`, `filmless-statechange` to count slice changes (its image index changed),
 * and for P9 `comparePrior()` with the `filmless-first-image` / `filmless-ready` of viewport 1.
 */
import type { FilmlessFirstImageDetail, FilmlessProgressDetail, FilmlessReadyDetail, FilmlessViewer } from '../../src/index.js';
import { markStep, runBenchPage, type BenchViewer } from './harness.js';
import type { PageConfig } from './protocol.js';

class FilmlessBenchViewer implements BenchViewer {
  private readonly viewer = document.querySelector('filmless-viewer') as FilmlessViewer;
  private progress: FilmlessProgressDetail = { loaded: 0, total: 0 };
  private middle = 0;
  private changes = 0;
  private readonly complete: Promise<void>;
  private readonly ready: Promise<void>;

  constructor() {
    this.ready = new Promise<void>((resolve) => {
      this.viewer.addEventListener(
        'filmless-ready',
        () => {
          markStep('interactive');
          resolve();
        },
        { once: true },
      );
    });
    this.complete = new Promise<void>((resolve) => {
      this.viewer.addEventListener('filmless-progress', (event) => {
        this.progress = event.detail;
        if (event.detail.loaded === event.detail.total) resolve();
      });
    });
    // P10: a preview of the first image, shown on a slow link before the image at full quality.
    this.viewer.addEventListener('filmless-preview', () => markStep('preview'), { once: true });
    let shown = -1;
    this.viewer.addEventListener('filmless-statechange', (event) => {
      if (event.detail.imageIndex !== shown) this.changes += 1;
      shown = event.detail.imageIndex;
    });
  }

  async firstImage(config: PageConfig): Promise<void> {
    await customElements.whenDefined('filmless-viewer');
    markStep('defined');
    const ready = new Promise<FilmlessFirstImageDetail>((resolve, reject) => {
      this.viewer.addEventListener('filmless-first-image', (event) => resolve(event.detail), { once: true });
      this.viewer.addEventListener('filmless-error', (event) => reject(new Error(`${event.detail.code}: ${event.detail.message}`)), { once: true });
      this.viewer.addEventListener('filmless-resolved', () => markStep('resolved'), { once: true });
    });
    this.viewer.token = config.token;
    this.viewer.dicomwebUrl = config.gateway;
    this.viewer.accessionNumber = config.accessionNumber;
    const detail = await ready;
    this.progress = { loaded: Math.max(this.progress.loaded, 0), total: detail.imageCount };
    this.middle = detail.imageIndex;
  }

  seriesReady(): Promise<void> {
    return this.complete;
  }

  interactive(): Promise<void> {
    return this.ready;
  }

  compare(priorStudyInstanceUID: string): { firstImage: Promise<void>; ready: Promise<void> } {
    const ofPrior = (detail: { studyInstanceUID: string; viewportIndex: number }) => detail.studyInstanceUID === priorStudyInstanceUID && detail.viewportIndex === 1;
    const firstImage = new Promise<void>((resolve) => {
      const listener = (event: CustomEvent<FilmlessFirstImageDetail>) => {
        if (!ofPrior(event.detail)) return;
        this.viewer.removeEventListener('filmless-first-image', listener);
        resolve();
      };
      this.viewer.addEventListener('filmless-first-image', listener);
    });
    const ready = new Promise<void>((resolve) => {
      const listener = (event: CustomEvent<FilmlessReadyDetail>) => {
        if (!ofPrior(event.detail)) return;
        this.viewer.removeEventListener('filmless-ready', listener);
        resolve();
      };
      this.viewer.addEventListener('filmless-ready', listener);
    });
    this.viewer.comparePrior(priorStudyInstanceUID);
    return { firstImage, ready };
  }

  step(delta: 1 | -1): void {
    this.viewer.scrollImages(delta);
  }

  start(): number {
    return this.middle;
  }

  count(): number {
    return this.progress.total;
  }

  loaded(): number {
    return this.progress.loaded;
  }

  renders(): number {
    return this.changes;
  }

  element(): Element | undefined {
    return this.viewer.shadowRoot?.querySelector('[part="viewport"]') ?? this.viewer;
  }
}

void runBenchPage('filmless', new FilmlessBenchViewer());
