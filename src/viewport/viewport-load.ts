/**
 * One viewport and its load: a series' first image (found by number and drawn without Cornerstone when
 * it can be), the rest of the series streamed and decoded nearest-first, progress, and the Cornerstone
 * stack that shows it. Each viewport owns its AbortController: showing another series in it aborts this
 * viewport's requests and decoding, and nothing of any other viewport's.
 */
import { DicomwebClient, type FrameBytes } from '../dicomweb/client.js';
import { type DicomJsonDataset, Tag, stringValue } from '../dicomweb/dicom-json.js';
import { frameKey } from '../dicomweb/frame-key.js';
import { inlinePaletteTables } from '../dicomweb/palette-tables.js';
import { SeriesFrames } from '../dicomweb/series-frames.js';
import { FilmlessError, type FilmlessErrorCode, isAbortError, toFilmlessError } from '../errors.js';
import { type GreyFrame, canDrawLean, decodeFirstFrame, frameModalityValue } from '../first-image/first-frame.js';
import { drawFirstImage, releaseCanvas } from '../first-image/first-image-canvas.js';
import { type MiddleFound, type ProbableMiddle, fetchProbableMiddle } from '../first-image/probable-middle.js';
import { PREVIEW_DELAY_MS, drawPreview, fetchPreview, fileWindow, previewSize } from '../first-image/preview.js';
import { DecodeQueue, backgroundDecodes } from '../imaging/decode-queue.js';
import { LazyStack, loadImaging } from '../imaging/lazy-stack.js';
import { nextTask } from '../imaging/next-task.js';
import { type DisplayState, plainDisplay } from '../imaging/display-state.js';
import { chooseDefaultSeries, isImageSeries } from '../study/series-selection.js';
import { type FrameRef, frameGeometry, framesOf, isLocalizerInstance } from '../study/slice-order.js';
import { type Stack, isLossyTransferSyntax, largestStack, seriesWarnings, splitStacks, stackSummary } from '../study/stacks.js';
import { type OrientationMarkers, orientationMarkers } from '../study/orientation.js';
import type { SeriesSummary, SeriesWarning, StackSummary, StudySummary } from '../study/types.js';
import type { FilmlessFirstImageDetail, FilmlessPreviewDetail, FilmlessProgressDetail, FilmlessReadyDetail } from '../viewer/events.js';

/** One loaded series: ordered frames and the store their bytes come from. */
export interface LoadedSeries {
  study: StudySummary;
  seriesInstanceUID: string;
  description: string;
  modality: string;
  /** The frames of the stack shown, in scroll order. */
  frames: FrameRef[];
  /** Every stack of the series (one orientation and acquisition each); `frames` are those of `stacks[stackIndex]`. */
  stacks: Stack[];
  stackIndex: number;
  /** Cornerstone image IDs, once Cornerstone is loaded (empty while the lean first image is shown). */
  imageIds: string[];
  /** Unregisters the series' frames from Cornerstone's loader. */
  release: () => void;
}

/** The DOM a viewport draws into: Cornerstone's element and the lean first image's canvas. */
export interface ViewportElements {
  viewport: HTMLDivElement;
  firstImage: HTMLCanvasElement;
}

/** Details as a viewport knows them; the grid adds which viewport it is. */
type CellDetail<T> = Omit<T, 'viewportIndex'>;

/** What a viewport tells its grid. */
export interface ViewportEvents {
  firstImage(detail: CellDetail<FilmlessFirstImageDetail>): void;
  /** A preview of the first image is on screen (slow link), until `firstImage`. */
  preview(detail: CellDetail<FilmlessPreviewDetail>): void;
  ready(detail: CellDetail<FilmlessReadyDetail>): void;
  /** One more image decoded (or found undecodable). */
  progress(detail: FilmlessProgressDetail): void;
  /** Something drawn changed (display, progress bar, a damaged slice): re-render. */
  changed(): void;
  /** The user changed the view (slice, window, zoom) in Cornerstone. */
  viewChanged(): void;
  /** The series' metadata has been read: its stacks and warnings are known (before the first image when the metadata comes first). */
  seriesChecked(detail: SeriesCheck): void;
  /** A frame could not be fetched or decoded (reported once per series): its index in the stack shown. */
  badFrame(error: unknown, imageIndex: number): void;
  log(message: string, ...details: unknown[]): void;
}

/** What a series' metadata tells about its stacks and warnings. */
export interface SeriesCheck {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  stacks: StackSummary[];
  warnings: SeriesWarning[];
  /** Each stack's middle frame (for its thumbnail); not part of the public event. */
  middles: { sopInstanceUID: string; frameNumber: number }[];
}

/** The check of a series from its stacks. */
export function seriesCheck(studyInstanceUID: string, seriesInstanceUID: string, stacks: Stack[]): SeriesCheck {
  const middles = stacks.map((s) => s.frames[Math.floor((s.frames.length - 1) / 2)]!).map(({ sopInstanceUID, frameNumber }) => ({ sopInstanceUID, frameNumber }));
  return { studyInstanceUID, seriesInstanceUID, stacks: stacks.map(stackSummary), warnings: seriesWarnings(stacks), middles };
}

export interface ShowSeriesOptions {
  client: DicomwebClient;
  /** When the user asked for this: the start of `timeToFirstImageMs` and `timeToInteractiveMs`. */
  startedAt: number;
  /**
   * The viewer chose this series itself (the study's main series): a series that turns out to be a
   * localizer then gives way to a real one. A series the user or host asked for is shown as it is.
   */
  chosenByViewer?: boolean;
  /** Which stack of the series (0-based, see `LoadedSeries.stacks`); the largest when absent or out of range. */
  stack?: number;
}

/**
 * What a load ended in: shown; a better series to show instead (the asked one was a localizer); or
 * aborted (the viewport was given another series, or released), which is never a failure.
 */
export type LoadOutcome = { shown: true } | { shown: false; instead: string } | { shown: false; aborted: true };

/**
 * User Timing marks (`filmless:load-start`, `:resolved`, `:metadata`, `:first-image`, `:series-decoded`):
 * free when nobody looks, and they let a host or a benchmark see where load time goes.
 */
export function mark(name: string): void {
  performance.mark(`filmless:${name}`);
}

/**
 * Resolves once the frame being prepared has been painted (the task after the next animation frame), or
 * after 100 ms: a hidden page runs no animation frames, and loading must go on there.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/**
 * A failure of one image rather than of the viewer: its data (damaged, an unsupported encoding) or its
 * fetch (the server refused or lost that frame). Other images of the series may still be shown.
 */
function isImageProblem(error: unknown): boolean {
  if (isAbortError(error) || !(error instanceof FilmlessError)) return false;
  return ['bad-data', 'unsupported', 'not-found', 'forbidden', 'server', 'network'].includes(error.code);
}

/** A failure of the server (no answer, 5xx) rather than of one image's data or one frame's refusal. */
function isServerProblem(error: unknown): boolean {
  return error instanceof FilmlessError && (error.code === 'network' || error.code === 'server');
}

/** How long the series metadata waits for the middle image's frame once it is asked for (a slow link's frame takes seconds). */
const MIDDLE_FRAME_WAIT_MS = 10_000;
/** How long the series metadata waits for the middle image to be found (one search: a round trip or two on a phone). */
const MIDDLE_SEARCH_WAIT_MS = 1000;

/** How often the loading bar is redrawn while a series decodes (the final state is drawn at once). */
const PROGRESS_REDRAW_MS = 250;

export class ViewportLoad {
  readonly stack = new LazyStack();
  /** The series shown (or loading) here. */
  series: LoadedSeries | undefined;
  /** What is drawn: slice, window, zoom; undefined before the first image. */
  display: DisplayState | undefined;
  /** Progress as drawn (at most once per animation frame). */
  progress: FilmlessProgressDetail = { loaded: 0, total: 0 };
  /** Slices that could not be decoded: each shows a notice instead of an image. */
  undecodable = new Set<number>();
  /** Why each slice of `undecodable` could not be shown (the tile's reason). */
  imageErrors = new Map<number, FilmlessErrorCode>();

  private controller: AbortController | undefined;
  private attached: Promise<void> | undefined;
  private decodeQueue: DecodeQueue | undefined;
  private reportedBadFrame = false;
  private decoded: FilmlessProgressDetail = { loaded: 0, total: 0 };
  private progressFrame = 0;
  private elementsNow: ViewportElements | undefined;
  /** The lean first image's decoded frame while it is on screen (its values answer `modalityValueAt`). */
  private leanFrame: GreyFrame | undefined;
  /**
   * The first image's preview (the server's rendering, see preview.ts) while it is on the lean canvas in
   * the image's place: its size; the cell labels it, and it answers no values.
   */
  preview: { width: number; height: number } | undefined;
  /** Stops the preview's request and keeps it from being drawn (the image itself is on screen, or the load ended). */
  private previewController: AbortController | undefined;

  constructor(
    private readonly elements: () => Promise<ViewportElements>,
    private readonly events: ViewportEvents,
  ) {}

  /**
   * Shows a series here, aborting what this viewport was loading. The lean first image (no Cornerstone)
   * is used while this viewport has never shown a series through Cornerstone.
   */
  async show(study: StudySummary, seriesUID: string, options: ShowSeriesOptions): Promise<LoadOutcome> {
    this.release();
    const controller = new AbortController();
    this.controller = controller;
    try {
      return await this.load(study, seriesUID, options, controller.signal);
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return { shown: false, aborted: true };
      // The load failed: a preview does not stay as if it were the image.
      if (this.preview) this.hideLeanFirstImage();
      else this.endPreview();
      throw error;
    }
  }

  private async load(study: StudySummary, seriesUID: string, { client, startedAt, chosenByViewer, stack }: ShowSeriesOptions, signal: AbortSignal): Promise<LoadOutcome> {
    const leanAllowed = !this.stack.isShowing;
    if (!leanAllowed) void this.ensureAttached(signal).catch(() => undefined); // awaited below
    const summary = study.series.find((s) => s.seriesInstanceUID === seriesUID);
    let metadataRequest: Promise<DicomJsonDataset[]> | undefined;
    const requestMetadata = () => {
      if (!metadataRequest) {
        metadataRequest = client.retrieveSeriesMetadata(study.studyInstanceUID, seriesUID, signal);
        metadataRequest.catch(() => undefined); // awaited below
      }
      return metadataRequest;
    };
    const loaded: LoadedSeries = {
      study,
      seriesInstanceUID: seriesUID,
      description: summary?.description ?? '',
      modality: summary?.modality ?? '',
      frames: [],
      stacks: [],
      stackIndex: 0,
      imageIds: [],
      release: () => undefined,
    };
    this.series = loaded;
    this.undecodable = new Set();
    this.imageErrors = new Map();
    this.stack.beginLoading();

    // While the server builds the series metadata (it reads every file), the middle image is found by
    // its instance number, fetched and drawn.
    let early: ProbableMiddle | undefined;
    let firstImageAt: number | undefined;
    if (leanAllowed && summary) ({ early, firstImageAt } = await this.showProbableMiddle(client, study, summary, requestMetadata, signal, startedAt));
    // With the first image on screen (or known to need Cornerstone), Cornerstone loads while the metadata
    // comes; after the next paint, so that compiling a megabyte of script cannot hold the first image back.
    if (firstImageAt !== undefined) await afterNextPaint();
    if (early) void this.ensureAttached(signal).catch(() => undefined); // awaited below

    const instances = await requestMetadata();
    signal.throwIfAborted();
    if (instances.length === 0) throw new FilmlessError('not-found', 'The series has no instances');
    await inlinePaletteTables(client, instances, signal);
    mark('metadata');
    // With the first image on screen, reading the series' metadata (its answer parsed, then the series
    // ordered, then the element redrawn for it) takes a task per step, not one long one (issue 11, P4).
    const stepAfterFirstImage = async () => {
      if (firstImageAt === undefined) return;
      await nextTask();
      signal.throwIfAborted();
    };
    await stepAfterFirstImage();
    // One stack at a time: frames of other orientations or acquisitions (echoes, phases) are never interleaved.
    const stacks = splitStacks(framesOf(instances));
    // The largest stack (the first of equals, whatever the early image was), unless one was asked for.
    const stackIndex = stack !== undefined && Number.isInteger(stack) && stacks[stack] ? stack : largestStack(stacks.map((s) => s.frames.length));
    const frames = stacks[stackIndex]!.frames;
    loaded.stacks = stacks;
    loaded.stackIndex = stackIndex;
    if (chosenByViewer && instances.every(isLocalizerInstance) && summary) {
      // QIDO could not tell this was a scout; metadata can. Prefer a real series when there is one.
      const other = chooseDefaultSeries(study.series.filter((s) => s.seriesInstanceUID !== seriesUID && isImageSeries(s)));
      if (other && other.imageCount > 0) {
        this.release();
        return { shown: false, instead: other.seriesInstanceUID };
      }
    }

    // The middle slice is the most informative first view: it is fetched alone and drawn before anything
    // else happens; only then does the rest of the series stream in.
    const earlySop = early?.sopInstanceUID;
    const earlyIndex = earlySop ? frames.findIndex((f) => f.sopInstanceUID === earlySop && f.frameNumber === 1) : -1;
    const first = earlyIndex >= 0 ? earlyIndex : Math.floor((frames.length - 1) / 2);
    const firstFrame = frames[first]!;
    const store = new SeriesFrames({
      client,
      studyUID: study.studyInstanceUID,
      seriesUID,
      frameKeys: frames.map((f) => frameKey(f.sopInstanceUID, f.frameNumber)),
      signal,
      onFallback: (error) => this.events.log('series retrieval failed, fetching frame by frame', error),
    });
    if (early && earlyIndex >= 0) store.adopt(early.sopInstanceUID, 1, Promise.resolve([early.bytes]));
    // The early image belongs to another stack than the one shown: it goes, never to be taken for this stack's.
    else if (early && firstImageAt !== undefined) this.hideLeanFirstImage();
    // The closures made here outlive the load (release, decode queue): let them not keep the frame's bytes.
    // eslint-disable-next-line no-useless-assignment -- read by no one after this: it is here to be forgotten
    early = undefined;
    const firstBytes = store.frameBytes(firstFrame.sopInstanceUID, firstFrame.frameNumber, signal);
    firstBytes.catch(() => undefined); // observed below
    loaded.frames = frames;
    // A lossy transfer syntax shows in the frames' bytes (metadata rarely carries it): checked once the first frame is in.
    const checked = firstBytes.then(
      (bytes) => {
        if (isLossyTransferSyntax(bytes.transferSyntaxUID)) for (const s of stacks) if (!s.warnings.includes('lossy')) s.warnings.push('lossy');
      },
      () => undefined,
    ).then(() => {
      if (signal.aborted) return undefined;
      const check = seriesCheck(study.studyInstanceUID, seriesUID, stacks);
      this.events.seriesChecked(check);
      return check;
    });
    await stepAfterFirstImage();
    loaded.description ||= stringValue(instances[0], Tag.SeriesDescription);
    loaded.modality ||= stringValue(instances[0], Tag.Modality);
    this.setProgress({ loaded: 0, total: frames.length });

    if (firstImageAt !== undefined && this.display) {
      // Drawn before the metadata: now its place in the ordered series is known.
      this.display = { ...this.display, imageIndex: first, imageCount: frames.length };
      this.events.changed();
    } else if (leanAllowed && canDrawLean(firstFrame.instance)) {
      try {
        firstImageAt = await this.showLeanFirstImage(study, seriesUID, firstFrame.instance, await firstBytes, first, frames.length, signal, startedAt);
      } catch (error) {
        if (signal.aborted || !isImageProblem(error)) throw error;
        // A damaged first frame: Cornerstone's path meets it again, shows its tile and the series' other images.
        this.events.log('lean first image failed', error);
      }
    }
    // Cornerstone (about 1 MB of script, WebGL, decode workers) loads only now, when the first image is on
    // screen or the lean path could not draw it; the series streams in meanwhile, unless the link is slow
    // (link-speed.ts, told by the first frame): then the code of the tools goes first, alone on the link,
    // and the series follows nearest-first once the tools work (below).
    if (firstImageAt !== undefined) {
      await afterNextPaint();
      if (!client.link.isSlow) void store.startBulk();
    }
    const viewportReady = this.ensureAttached(signal);
    viewportReady.catch(() => undefined); // awaited below
    const imaging = await loadImaging();
    signal.throwIfAborted();
    const sourceKey = imaging.addFrameSource(store);
    loaded.release = () => imaging.removeFrameSource(sourceKey);
    loaded.imageIds = frames.map((f) => imaging.frameImageId(sourceKey, f.sopInstanceUID, f.frameNumber, f.instance));
    await viewportReady;
    signal.throwIfAborted();
    const shownFirst = await this.showFirstDecodable(loaded.imageIds, first, signal, imaging.loadAndCacheFrame);
    signal.throwIfAborted();
    store.forget(firstFrame.sopInstanceUID, firstFrame.frameNumber); // decoded and cached by Cornerstone now
    this.hideLeanFirstImage();
    if (firstImageAt === undefined) {
      if (!client.link.isSlow) void store.startBulk();
      firstImageAt = performance.now();
      this.announceFirstImage(study, seriesUID, first, frames.length, firstImageAt, startedAt);
    }
    mark('ready');
    const check = await checked;
    signal.throwIfAborted();
    this.events.ready({
      studyInstanceUID: study.studyInstanceUID,
      seriesInstanceUID: seriesUID,
      imageCount: frames.length,
      timeToFirstImageMs: Math.round(firstImageAt - startedAt),
      timeToInteractiveMs: Math.round(performance.now() - startedAt),
      renderer: imaging.activeRenderer(),
      warnings: check?.stacks[stackIndex]?.warnings ?? [],
      stackIndex,
      stackCount: stacks.length,
    });
    this.stack.applyPendingInput();
    this.countDecoded();
    this.prefetch(store, frames, loaded.imageIds, first, signal, imaging.loadAndCacheFrame, shownFirst);
    if (client.link.isSlow) void store.startNearestFirst(() => this.stack.state().imageIndex);
    return { shown: true };
  }

  /**
   * Shows the stack on its first image; when that image cannot be shown (damaged, unsupported, not sent),
   * on the nearest one that can, then moves to the first image's place, where its tile tells why. Throws
   * the first image's error when no image of the stack can be shown (the series fails as a whole).
   * Resolves the indexes tried on the way (decoded or found bad), which the prefetch leaves out.
   */
  private async showFirstDecodable(
    imageIds: string[],
    first: number,
    signal: AbortSignal,
    loadAndCacheFrame: (imageId: string) => Promise<unknown>,
  ): Promise<Set<number>> {
    const tried = new Set([first]);
    let firstError: unknown;
    try {
      await this.stack.show(imageIds, first);
      return tried;
    } catch (error) {
      // A server that does not answer is no image's fault: the load fails as before, without asking for every other image.
      if (signal.aborted || !isImageProblem(error) || isServerProblem(error)) throw error;
      firstError = error;
      this.imageFailed(first, error, false);
    }
    // Nearest first: first + 1, first - 1, first + 2, …
    const order = imageIds.map((_, i) => i).filter((i) => i !== first).sort((a, b) => Math.abs(a - first) - Math.abs(b - first) || b - a);
    for (const index of order) {
      signal.throwIfAborted();
      tried.add(index);
      try {
        await loadAndCacheFrame(imageIds[index]!);
      } catch (error) {
        if (signal.aborted || !isImageProblem(error) || isServerProblem(error)) throw error;
        this.imageFailed(index, error, false);
        this.countDecoded();
        continue;
      }
      signal.throwIfAborted();
      await this.stack.show(imageIds, index);
      this.countDecoded();
      // Reported only now: a series none of whose images can be shown fails once, as a whole.
      this.imageFailed(first, firstError);
      this.stack.setImageIndex(first);
      return tried;
    }
    throw firstError;
  }

  /** The frame on screen, once the series' metadata is known. */
  currentFrame(): FrameRef | undefined {
    return this.display ? this.series?.frames[this.display.imageIndex] : undefined;
  }

  /** The orientation markers of the image on screen, after its rotation and flips ('' where unknown). */
  orientation(): OrientationMarkers {
    const frame = this.currentFrame();
    const iop = frame ? frameGeometry(frame.instance, frame.frameNumber - 1).iop : undefined;
    return orientationMarkers(iop, this.display ?? { rotation: 0, flipH: false, flipV: false });
  }

  /** The modality value at an image pixel of what is on screen: the lean first image's, then Cornerstone's. */
  modalityValueAt(column: number, row: number): number | undefined {
    // An image that cannot be shown has no values (the viewport still holds the previous image's pixels).
    if (this.display && this.undecodable.has(this.display.imageIndex)) return undefined;
    // A preview is a picture of the image, not its data.
    if (this.preview) return undefined;
    return this.leanFrame ? frameModalityValue(this.leanFrame, column, row) : this.stack.modalityValueAt(column, row);
  }

  /** The user is reading (scrolling, dragging, keys): background decoding gives way for a moment. */
  noteInteraction(): void {
    this.decodeQueue?.interacted();
  }

  /** Stops this viewport's load and forgets its series (the stack stays attached for the next one). */
  release(): void {
    this.hideLeanFirstImage();
    this.controller?.abort();
    this.controller = undefined;
    this.decodeQueue?.stop();
    this.decodeQueue = undefined;
    this.series?.release();
    this.series = undefined;
    this.display = undefined;
    this.reportedBadFrame = false;
    this.setProgress({ loaded: 0, total: 0 });
  }

  /** Releases everything, the Cornerstone viewport too (the element left the page, or the cell went). */
  detach(): void {
    this.release();
    this.stack.detach();
    this.attached = undefined;
    this.elementsNow = undefined;
  }

  /** Attaches the Cornerstone viewport (once; later loads share it); a load left meanwhile starts none. */
  private async ensureAttached(signal: AbortSignal): Promise<void> {
    const elements = await this.elements();
    signal.throwIfAborted();
    this.elementsNow = elements;
    const attaching = (this.attached ??= this.stack.attach(elements.viewport).catch((error: unknown) => {
      if (this.attached === attaching) this.attached = undefined;
      // Detached while attaching: not a renderer failure.
      throw error instanceof FilmlessError || isAbortError(error) ? error : new FilmlessError('webgl', 'Could not start the renderer', { cause: error });
    }));
    await this.attached;
    this.stack.onChange = (display) => {
      this.display = display;
      this.events.changed();
      if (this.series) this.events.viewChanged();
    };
    this.stack.onImageError = (imageId, error) => {
      const index = this.series?.imageIds.indexOf(imageId) ?? -1;
      if (index >= 0 && !isAbortError(error)) this.imageFailed(index, error);
    };
  }

  /**
   * Draws the probable middle image (found by instance number) while the series metadata is still on
   * its way. Gives up, silently, when the metadata comes first or the server cannot tell: the regular
   * path then draws the middle slice from the metadata.
   */
  private async showProbableMiddle(
    client: DicomwebClient,
    study: StudySummary,
    summary: SeriesSummary,
    requestMetadata: () => Promise<unknown>,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<{ early?: ProbableMiddle; firstImageAt?: number }> {
    const probeController = new AbortController();
    const probeSignal = AbortSignal.any([signal, probeController.signal]);
    let askedAt: number | undefined;
    const onFound = (found: MiddleFound, arrived: Promise<unknown>) => {
      askedAt = performance.now();
      void this.previewWhileSlow(client, study, summary.seriesInstanceUID, found, arrived, signal, startedAt);
    };
    const probe = fetchProbableMiddle(client, study.studyInstanceUID, summary.seriesInstanceUID, summary.imageCount, probeSignal, onFound).catch((error: unknown) => {
      this.events.log('middle image not found by instance number', error);
      return undefined;
    });
    // The series metadata makes the server read every file of the series: asked for once the middle
    // image is in, so the two do not compete for the server's disks and cores, nor, on a slow link, for
    // its bandwidth (a phone's 1.6 Mbit/s: megabytes of series metadata beside the frame made the frame
    // twice as slow). Only when the middle image is not even found within a second (a slow search) does
    // it go at once; a frame that does not come within MIDDLE_FRAME_WAIT_MS no longer holds it back.
    const waited = (ms: number) => new Promise<undefined>((resolve) => setTimeout(resolve, ms));
    const frameWait = () => Promise.race([probe, waited(Math.max(0, MIDDLE_FRAME_WAIT_MS - (performance.now() - askedAt!)))]);
    await Promise.race([probe, waited(MIDDLE_SEARCH_WAIT_MS)]);
    if (askedAt !== undefined) await frameWait();
    const metadataIn = requestMetadata().then(
      () => 'metadata' as const,
      () => 'metadata' as const,
    );
    let early = await Promise.race([probe, metadataIn]);
    // The metadata came first, but the middle frame is on its way: asking for it again would throw away
    // what has come of it (seconds on a slow link).
    if (early === 'metadata' && askedAt !== undefined) early = await frameWait();
    if (early === 'metadata' || !early) {
      probeController.abort();
      return {};
    }
    signal.throwIfAborted();
    if (!canDrawLean(early.instance)) return { early };
    try {
      const at = await this.showLeanFirstImage(study, summary.seriesInstanceUID, early.instance, early.bytes, early.estimatedIndex, summary.imageCount, signal, startedAt);
      return { early, firstImageAt: at };
    } catch (error) {
      if (signal.aborted) throw error;
      // A damaged frame is reported by the regular path, which meets it again.
      this.events.log('early first image failed', error);
      return {};
    }
  }

  /**
   * Draws the first frame on the lean canvas, without Cornerstone. Returns when it was drawn, or
   * undefined when its format needs Cornerstone after all; a damaged frame throws `bad-data`.
   */
  private async showLeanFirstImage(
    study: StudySummary,
    seriesUID: string,
    instance: DicomJsonDataset,
    bytes: FrameBytes,
    index: number,
    count: number,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<number | undefined> {
    const grey = await decodeFirstFrame(instance, bytes, signal);
    signal.throwIfAborted();
    if (!grey) return undefined;
    const canvas = (this.elementsNow = await this.elements()).firstImage;
    signal.throwIfAborted();
    canvas.hidden = false;
    if (!drawFirstImage(canvas, grey)) {
      canvas.hidden = true;
      return undefined;
    }
    const at = performance.now();
    this.leanFrame = grey;
    this.endPreview(); // drawn over it
    this.display = plainDisplay(index, count, grey.windowCenter, grey.windowWidth);
    this.events.changed();
    this.announceFirstImage(study, seriesUID, index, count, at, startedAt);
    return at;
  }

  /**
   * On a slow link, a preview in the first image's place: when the middle image's frame (or its metadata)
   * has not arrived PREVIEW_DELAY_MS after it was asked for, the server's rendering of it at the
   * viewport's size is fetched and drawn on the lean canvas, labelled, until the image replaces it. A
   * server that renders nothing means no preview, silently (logged).
   */
  private async previewWhileSlow(
    client: DicomwebClient,
    study: StudySummary,
    seriesUID: string,
    found: MiddleFound,
    arrived: Promise<unknown>,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<void> {
    this.endPreview();
    const controller = new AbortController();
    this.previewController = controller;
    const previewSignal = AbortSignal.any([signal, controller.signal]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = await Promise.race([
      arrived.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), PREVIEW_DELAY_MS))),
    ]);
    clearTimeout(timer);
    if (!slow || previewSignal.aborted) return;
    try {
      // In the file's window, as the image will be shown: its metadata is small and usually in by now.
      const voiWindow = fileWindow(await Promise.race([found.metadata, new Promise<undefined>((resolve) => setTimeout(resolve, PREVIEW_DELAY_MS))]));
      if (previewSignal.aborted) return;
      const elements = (this.elementsNow = await this.elements());
      const box = elements.viewport.getBoundingClientRect();
      const size = previewSize(box, globalThis.devicePixelRatio || 1, found.columns && found.rows ? { columns: found.columns, rows: found.rows } : undefined);
      if (!size) return;
      const bitmap = await fetchPreview(client, study.studyInstanceUID, seriesUID, found.sopInstanceUID, size, voiWindow, previewSignal);
      const { width, height } = bitmap;
      let drawn = false;
      if (!previewSignal.aborted) {
        const canvas = elements.firstImage;
        canvas.hidden = false;
        drawn = drawPreview(canvas, bitmap);
        if (!drawn) canvas.hidden = true;
      }
      bitmap.close();
      if (!drawn) return;
      this.preview = { width, height };
      this.events.changed();
      mark('preview');
      this.events.preview({ studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: seriesUID, timeToPreviewMs: Math.round(performance.now() - startedAt), width, height });
    } catch (error) {
      if (!previewSignal.aborted) this.events.log('no preview of the first image', error);
    }
  }

  /** The preview goes (the image itself replaces it, or the load ended); its request stops. */
  private endPreview(): void {
    this.previewController?.abort();
    this.previewController = undefined;
    if (!this.preview) return;
    this.preview = undefined;
    this.events.changed();
  }

  private announceFirstImage(study: StudySummary, seriesUID: string, index: number, count: number, at: number, startedAt: number): void {
    mark('first-image');
    this.events.firstImage({
      studyInstanceUID: study.studyInstanceUID,
      seriesInstanceUID: seriesUID,
      imageIndex: index,
      imageCount: count,
      timeToFirstImageMs: Math.round(at - startedAt),
    });
  }

  /** Cornerstone shows the image now: the lean canvas goes, and so does its memory. */
  private hideLeanFirstImage(): void {
    this.leanFrame = undefined;
    this.endPreview();
    const canvas = this.elementsNow?.firstImage;
    if (!canvas || canvas.hidden) return;
    canvas.hidden = true;
    releaseCanvas(canvas);
  }

  /**
   * Decodes every other image as its bytes arrive, through a queue that takes the slices nearest to the
   * one on screen first and holds back while the user interacts (see decode-queue.ts).
   */
  private prefetch(
    store: SeriesFrames,
    frames: FrameRef[],
    imageIds: string[],
    first: number,
    signal: AbortSignal,
    loadAndCacheFrame: (imageId: string) => Promise<unknown>,
    done: Set<number>,
  ): void {
    const failed = (index: number, error: unknown) => {
      if (signal.aborted || isAbortError(error)) return;
      this.imageFailed(index, error);
      this.countDecoded();
    };
    const queue = new DecodeQueue({
      concurrency: backgroundDecodes(),
      current: () => this.stack.state().imageIndex,
      decode: async (index) => {
        const frame = frames[index]!;
        try {
          signal.throwIfAborted();
          await loadAndCacheFrame(imageIds[index]!);
          store.forget(frame.sopInstanceUID, frame.frameNumber);
          this.countDecoded();
        } catch (error) {
          failed(index, error);
        }
      },
    });
    this.decodeQueue = queue;
    signal.addEventListener('abort', () => queue.stop(), { once: true });
    frames.forEach((frame, index) => {
      if (index === first || done.has(index)) return;
      store.whenArrived(frame.sopInstanceUID, frame.frameNumber).then(
        () => queue.add(index),
        (error: unknown) => failed(index, error),
      );
    });
  }

  /** One image cannot be shown: its tile says why, and the series' first such failure is reported (not fatal). */
  private imageFailed(index: number, error: unknown, report = true): void {
    if (!this.undecodable.has(index)) this.imageErrors.set(index, toFilmlessError(error).code);
    this.markUndecodable(index);
    if (report && !this.reportedBadFrame) {
      this.reportedBadFrame = true;
      this.events.badFrame(error, index);
    }
  }

  private markUndecodable(index: number): void {
    this.undecodable = new Set([...this.undecodable, index]);
    this.events.changed();
  }

  private setProgress(progress: FilmlessProgressDetail): void {
    clearTimeout(this.progressFrame);
    this.progressFrame = 0;
    this.decoded = { ...progress };
    this.progress = progress;
    this.events.changed();
  }

  /** Images decoded so far; `progress` (what is drawn) follows it at most once per animation frame. */
  private countDecoded(): void {
    const { total } = this.decoded;
    const loaded = Math.min(total, this.decoded.loaded + 1);
    this.decoded = { loaded, total };
    this.events.progress({ loaded, total });
    if (loaded === total) {
      mark('series-decoded');
      this.setProgress({ loaded, total });
    } else if (!this.progressFrame) {
      // Hundreds of images decode per second, and each redraw of the viewer costs the main thread tens of
      // milliseconds while the series streams (P4): the bar and its text follow a few times a second.
      this.progressFrame = window.setTimeout(() => {
        this.progressFrame = 0;
        this.progress = { ...this.decoded };
        this.events.changed();
      }, PROGRESS_REDRAW_MS);
    }
  }
}
