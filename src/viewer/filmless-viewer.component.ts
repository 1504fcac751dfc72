import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { DicomwebClient, type FetchLike } from '../dicomweb/client.js';
import { frameKey } from '../dicomweb/frame-key.js';
import { SeriesFrames } from '../dicomweb/series-frames.js';
import type { FrameBytes } from '../dicomweb/client.js';
import { type ProbableMiddle, fetchProbableMiddle } from '../first-image/probable-middle.js';
import { type DicomJsonDataset, Tag, stringValue } from '../dicomweb/dicom-json.js';
import { canDrawLean, decodeFirstFrame } from '../first-image/first-frame.js';
import { drawFirstImage, releaseCanvas } from '../first-image/first-image-canvas.js';
import { FilmlessError, isAbortError, toFilmlessError } from '../errors.js';
import { LocalizeController } from '../i18n/localize-controller.js';
import { formatPersonName } from '../i18n/person-name.js';
import { LazyStack, loadImaging } from '../imaging/lazy-stack.js';
import { DecodeQueue } from '../imaging/decode-queue.js';
import { type RendererPreference, getRendererPreference, setRendererPreference } from '../imaging/renderer-preference.js';
import type { DisplayState, PrimaryTool } from '../imaging/stack-controller.js';
import { helpOverlay } from './help-overlay.js';
import { actionForKey, type ShortcutAction } from './shortcuts.js';
import { toolbar } from './toolbar.js';
import { sharePanel, type SharePanelState } from './share-panel.js';
import { type ShareTokenProvider, buildShareLink, drawQrCode, toGrant } from '../share/share-link.js';
import { getDefaultViewerUrl } from '../share/default-viewer-url.js';
import { TouchGestures } from './touch-gestures.js';
import { CT_PRESETS } from './window-presets.js';
import { resolveStudies, searchPatientStudies, seriesOfStudy } from '../study/resolver.js';
import { type DicomwebSource, searchAllSources } from '../study/sources.js';
import { specialAccession } from '../study/special-accessions.js';
import { chooseDefaultSeries, isImageSeries } from '../study/series-selection.js';
import { type FrameRef, framesOf, isLocalizerInstance, orderFrames } from '../study/slice-order.js';
import type { SeriesSummary, StudySummary } from '../study/types.js';
import type {
  FilmlessErrorDetail,
  FilmlessEventMap,
  FilmlessFirstImageDetail,
  FilmlessProgressDetail,
  FilmlessReadyDetail,
  FilmlessResolvedDetail,
  FilmlessStatus,
  FilmlessViewState,
} from './events.js';
import { styles } from './filmless-viewer.styles.js';

/**
 * User Timing marks (`filmless:load-start`, `:resolved`, `:metadata`, `:first-image`, `:series-decoded`):
 * free when nobody looks, and they let a host or a benchmark see where load time goes.
 */
function mark(name: string): void {
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

/** Studies newest first, at most `limit` of them (0: all). */
function newestFirst(studies: StudySummary[], limit: number): StudySummary[] {
  const sorted = [...studies].sort((a, b) => b.studyDate.localeCompare(a.studyDate));
  return limit > 0 ? sorted.slice(0, limit) : sorted;
}

/** One loaded series: ordered frames and the store their bytes come from. */
interface LoadedSeries {
  study: StudySummary;
  seriesInstanceUID: string;
  description: string;
  modality: string;
  frames: FrameRef[];
  /** Cornerstone image IDs, once Cornerstone is loaded (empty while the lean first image is shown). */
  imageIds: string[];
  /** Aborts this series' streaming and decoding, which outlive the task that started them. */
  controller: AbortController;
  /** Unregisters the series' frames from Cornerstone's loader. */
  release: () => void;
}

/**
 * A zero-footprint DICOMweb viewer: give it a DICOMweb URL, an accession number (or study UID) and a
 * bearer token, and it finds the study, shows its main CT/MR series and lets the user read it.
 *
 * @tag filmless-viewer
 * @summary Shows a study from a DICOMweb PACS, resolved by accession number or study UID.
 *
 * @attr {string} token - Bearer token for plain HTML pages: moved into the `token` property and removed from the DOM at once.
 * @attr {string} lang - `en`, `tr` or `vi`; without it the nearest `[lang]` ancestor, the document, then the browser decide.
 *
 * @fires {CustomEvent<FilmlessResolvedDetail>} filmless-resolved - The study to show is known.
 * @fires {CustomEvent<FilmlessCandidatesDetail>} filmless-candidates - Several studies match; a chooser is shown until one is picked.
 * @fires {CustomEvent<FilmlessProgressDetail>} filmless-progress - More images of the shown series are decoded.
 * @fires {CustomEvent<FilmlessFirstImageDetail>} filmless-first-image - The middle image of the shown series is on screen at full quality, with the file's window (tools not yet).
 * @fires {CustomEvent<FilmlessReadyDetail>} filmless-ready - The shown series is on screen and its tools work.
 * @fires {CustomEvent<FilmlessErrorDetail>} filmless-error - Something failed; `message` is the localized text the widget shows.
 * @fires {CustomEvent<FilmlessStateChangeDetail>} filmless-statechange - Slice, window/level or zoom changed.
 * @fires {CustomEvent<FilmlessSharedDetail>} filmless-shared - A share link was created (it carries the share token in its fragment).
 *
 * @csspart toolbar - The tool buttons.
 * @csspart series-list - The strip of series.
 * @csspart viewport - The image area (focusable; arrow keys and PageUp/PageDown scroll).
 * @csspart overlay - Patient, study and image text drawn over the image.
 * @csspart progress - The loading bar.
 * @csspart error - The error message and its retry button.
 * @csspart chooser - The list shown when several studies match.
 * @csspart help - The keyboard shortcut help.
 * @csspart share - The share dialog with link and QR code.
 *
 * @cssprop --filmless-color-background - Background of the viewer (default black).
 * @cssprop --filmless-color-foreground - Text colour.
 * @cssprop --filmless-color-accent - Focus ring, progress and selection colour.
 * @cssprop --filmless-color-panel - Background of the toolbar and the series strip.
 * @cssprop --filmless-color-panel-foreground - Text colour of the toolbar and the series strip.
 * @cssprop --filmless-color-border - Border of buttons and panels.
 * @cssprop --filmless-color-danger - Colour of error and warning text.
 * @cssprop --filmless-font-family - Font of all text.
 * @cssprop --filmless-font-size - Base font size.
 */
export class FilmlessViewer extends LitElement {
  static override styles = styles;

  /**
   * The renderer of every viewer on the page (they share one Cornerstone runtime): `auto` (default)
   * uses WebGL on a real GPU and Cornerstone's CPU renderer where WebGL is a software rasterizer (no
   * GPU: virtual desktops, remote sessions), which draws stacks faster there; `gpu` or `cpu` force
   * one. Can be changed at any time: `customElements.get('filmless-viewer').renderer = 'gpu'`.
   */
  static get renderer(): RendererPreference {
    return getRendererPreference();
  }

  /** @ignore Documented with the getter above. */
  static set renderer(value: RendererPreference) {
    setRendererPreference(value);
  }

  /** DICOMweb base URL, e.g. `https://pacs.example.org/dicom-web`. */
  @property({ attribute: 'dicomweb-url' }) dicomwebUrl = '';

  /** Accession number of the study to show (exact match). */
  @property({ attribute: 'accession-number' }) accessionNumber = '';

  /** Issuer of Accession Number (optional), to tell apart hospitals that reuse numbers. */
  @property() issuer = '';

  /** Study Instance UID, an alternative to the accession number. */
  @property({ attribute: 'study-uid' }) studyUid = '';

  /**
   * Bearer token sent in the Authorization header. A `token` attribute is accepted for plain HTML, but it
   * is moved into this property and removed from the DOM at once.
   */
  @property({ attribute: false }) token: string | undefined;

  /** Called when a request answers 401; the request is retried once with the token it returns. */
  @property({ attribute: false }) tokenProvider: (() => Promise<string>) | undefined;

  /** The fetch implementation to use (defaults to the browser's). */
  @property({ attribute: false }) fetch: FetchLike | undefined;

  /** Logs load steps to the console (never the token). */
  @property({ type: Boolean }) debug = false;

  /** What a one-finger drag does on a touch screen: `scroll` (default) or `windowLevel`. */
  @property({ attribute: 'touch-mode' }) touchMode: 'scroll' | 'windowLevel' = 'scroll';

  /**
   * Patient ID (plain, or HL7 CX `ID^^^AUTHORITY`). Used with accession number 9998 (Turkey's SGK: images
   * without an accession number) to search that patient's studies, narrowed by `study-date` and `modality`.
   */
  @property({ attribute: 'patient-id' }) patientId = '';

  /** Study date `YYYYMMDD` or range `YYYYMMDD-YYYYMMDD`, for the patient search. */
  @property({ attribute: 'study-date' }) studyDate = '';

  /** Modality (CT, MR…) or a comma list, for the patient search. */
  @property() modality = '';

  /** With `patient-id` alone: list at most this many of the patient's most recent studies (0 = all). */
  @property({ type: Number, attribute: 'most-recent' }) mostRecent = 0;

  /**
   * Several DICOMweb sources (hospitals) searched in parallel, each with its own timeout, instead of
   * `dicomweb-url`: `[{name, dicomwebUrl, issuer?, token?, tokenProvider?}]`.
   */
  @property({ attribute: false }) sources: DicomwebSource[] | undefined;

  /** Milliseconds each source may take to answer a search before it counts as unreachable. */
  @property({ type: Number, attribute: 'source-timeout' }) sourceTimeout = 15_000;

  /**
   * Enables sharing: called with the open study, it returns a short-lived, study-scoped token (or
   * `{token, expiresAt?, accessCode?}`). The Share button then produces a link and a QR code.
   */
  @property({ attribute: false }) shareTokenProvider: ShareTokenProvider | undefined;

  /** The standalone viewer page share links point to (default: `viewer.html` beside the script). */
  @property({ attribute: 'share-url' }) shareUrl = '';

  /** `dark` (default) or `light` panels; the image area stays black. */
  @property({ reflect: true }) theme: 'dark' | 'light' = 'dark';

  @state() private currentStatus: FilmlessStatus = 'idle';
  @state() private candidates: StudySummary[] = [];
  @state() private chooserKind: 'accession' | 'patient' = 'accession';
  /** Names of sources that failed or timed out during the last search. */
  @state() private unreachable: string[] = [];
  @state() private study: StudySummary | undefined;
  @state() private selectedSeriesUID = '';
  @state() private display: DisplayState | undefined;
  @state() private progress: FilmlessProgressDetail = { loaded: 0, total: 0 };
  @state() private error: FilmlessErrorDetail | undefined;
  @state() private undecodableImages = new Set<number>();
  /** Object URLs of series previews, by SeriesInstanceUID; revoked when the study changes. */
  @state() private thumbnails = new Map<string, string>();
  private thumbnailController: AbortController | undefined;
  @state() private tool: PrimaryTool = 'windowLevel';
  @state() private helpOpen = false;
  @state() private menuOpen = false;
  @state() private seriesOpen = false;
  @state() private shareState: SharePanelState | undefined;

  @query('.viewport') private viewportElement!: HTMLDivElement;
  @query('canvas.first-image') private firstImageCanvas!: HTMLCanvasElement;

  private readonly localize = new LocalizeController(this);
  private readonly gestures = new TouchGestures({
    drag: (dx, dy) => this.touchDrag(dx, dy),
    pinch: (factor, dx, dy) => {
      this.stack.zoomBy(factor);
      this.stack.panBy(dx, dy);
    },
    doubleTap: () => this.stack.reset(),
  });
  private touchScrollRemainder = 0;
  private readonly stack = new LazyStack();
  private attached: Promise<void> | undefined;
  private loaded: LoadedSeries | undefined;
  private loadStartedAt = performance.now();

  /**
   * Where the viewer is: `idle | resolving | loading | ready | error`. Reflected to the `status` attribute,
   * which the viewer sets itself: style or query it, e.g. `filmless-viewer[status='error']`.
   * @attr status
   */
  get status(): FilmlessStatus {
    return this.currentStatus;
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'token', 'lang'];
  }

  private readonly resolveTask = new Task(this, {
    args: () =>
      [this.dicomwebUrl, this.accessionNumber, this.issuer, this.studyUid, this.patientId, this.studyDate, this.modality, this.sources, this.mostRecent] as const,
    task: async ([, accessionNumber, issuer, studyUid, patientId, studyDate, modality], { signal }) => {
      this.resetStudy();
      const patientOnly = !accessionNumber.trim() && !studyUid.trim() && Boolean(patientId.trim());
      if (!accessionNumber.trim() && !studyUid.trim() && !patientOnly) {
        this.setStatus('idle');
        return;
      }
      this.loadStartedAt = performance.now();
      mark('load-start');
      this.setStatus('resolving');
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
        const { studies: found, failures } = byPatient
          ? await searchAllSources(sources, (client, _s, sig) => searchPatientStudies(client, { patientId, studyDate, modality }, sig), (src) => this.clientFor(src), signal, this.sourceTimeout)
          : await searchAllSources(sources, (client, source, sig) => resolveStudies(client, { accessionNumber, issuer: source.issuer ?? issuer, studyUid }, sig), (src) => this.clientFor(src), signal, this.sourceTimeout);
        const studies = byPatient ? newestFirst(found, this.mostRecent) : found;
        this.unreachable = failures.map((f) => f.source).filter(Boolean);
        if (studies.length === 0) {
          if (failures[0]) throw failures.length === 1 ? failures[0].error : new FilmlessError('network', `No source answered: ${this.unreachable.join(', ')}`, { cause: failures[0].error });
          throw new FilmlessError('not-found', 'No study found', { status: 404 });
        }
        // A study found through the patient instead of its accession number (9998) is always confirmed.
        this.chooserKind = byPatient ? 'patient' : 'accession';
        if (studies.length === 1 && special !== 'no-accession-number') {
          this.openStudy(studies[0]!);
        } else {
          this.candidates = studies;
          this.emit('filmless-candidates', { studies, unreachableSources: this.unreachable });
        }
      } catch (error) {
        this.fail(error, signal);
      }
    },
  });

  private readonly seriesTask = new Task(this, {
    args: () => [this.study, this.selectedSeriesUID] as const,
    task: async ([study, seriesUID], { signal }) => {
      if (!study) return;
      try {
        if (study.series.length === 0) {
          // Found by a study-level search: its series are asked for now that it is chosen.
          const series = await seriesOfStudy(this.clientForStudy(study), study.studyInstanceUID, signal);
          if (series.length === 0) throw new FilmlessError('not-found', 'The study has no series');
          this.study = { ...study, series };
          return;
        }
        if (!seriesUID) {
          this.announceStudy(study);
          return;
        }
        await this.loadSeries(study, seriesUID, signal);
      } catch (error) {
        this.fail(error, signal);
      }
    },
  });

  /** The current view, for saving or sharing it. */
  getViewState(): FilmlessViewState {
    const display = this.display ?? this.stack.state();
    return {
      studyInstanceUID: this.study?.studyInstanceUID ?? '',
      seriesInstanceUID: this.loaded?.seriesInstanceUID ?? '',
      imageIndex: display.imageIndex,
      imageCount: display.imageCount,
      windowCenter: display.windowCenter,
      windowWidth: display.windowWidth,
      zoom: display.zoom,
    };
  }

  /** Opens one of the studies offered by the chooser. */
  selectStudy(studyInstanceUID: string): void {
    const study = this.candidates.find((s) => s.studyInstanceUID === studyInstanceUID);
    if (study) {
      this.candidates = [];
      this.openStudy(study);
    }
  }

  /** Shows another series of the open study. */
  selectSeries(seriesInstanceUID: string): void {
    if (this.study?.series.some((s) => s.seriesInstanceUID === seriesInstanceUID)) {
      this.loadStartedAt = performance.now();
      this.selectedSeriesUID = seriesInstanceUID;
    }
  }

  /** Moves by `delta` images (negative: towards the first). */
  scrollImages(delta: number): void {
    this.noteInteraction();
    this.stack.scroll(delta);
  }

  /** Restores the initial zoom, pan and window/level. */
  resetView(): void {
    this.stack.reset();
  }

  /**
   * The modality value (CT: Hounsfield units) of the displayed image at pixel (column, row), as a probe
   * tool shows it; undefined outside the image or before an image is shown.
   */
  probe(column: number, row: number): number | undefined {
    return this.stack.modalityValueAt(column, row);
  }

  /** Starts the current load again (after an error). */
  retry(): void {
    this.error = undefined;
    void this.resolveTask.run();
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'token') {
      // Tokens must not stay readable in the DOM (inspectors, page scripts, screenshots of devtools).
      if (value !== null) {
        this.token = value;
        this.removeAttribute('token');
      }
      return;
    }
    if (name === 'lang') {
      this.requestUpdate();
      return;
    }
    super.attributeChangedCallback(name, old, value);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('status')) this.setAttribute('status', this.currentStatus);
    // Re-attached after a move in the DOM: load again what was being shown.
    if (this.hasUpdated && (this.accessionNumber || this.studyUid)) void this.resolveTask.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resolveTask.abort();
    this.seriesTask.abort();
    this.releaseSeries();
    this.releaseThumbnails();
    this.stack.detach();
    this.attached = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('currentStatus' as keyof FilmlessViewer)) this.setAttribute('status', this.currentStatus);
  }

  /** A client for one source; tokens are read per request, so a refreshed token is used at once. */
  private clientFor(source: DicomwebSource): DicomwebClient {
    const isDefault = !this.sources?.includes(source);
    const provider = isDefault ? this.tokenProvider : source.tokenProvider;
    return new DicomwebClient({
      baseUrl: source.dicomwebUrl,
      fetch: this.fetch,
      getToken: () => (isDefault ? this.token : source.token),
      refreshToken: provider
        ? async () => {
            const token = await provider();
            if (isDefault) this.token = token;
            else source.token = token;
            return token;
          }
        : undefined,
    });
  }

  private log(message: string, ...details: unknown[]): void {
    if (this.debug) console.debug(`[filmless] ${message}`, ...details);
  }

  private emit<K extends keyof FilmlessEventMap>(type: K, detail: FilmlessEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    /** @ignore Each event is documented on the class (`@fires`), with its detail type. */
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private setStatus(status: FilmlessStatus): void {
    this.currentStatus = status;
    this.setAttribute('status', status);
    this.log(`status ${status}`);
  }

  private resetStudy(): void {
    this.releaseSeries();
    this.releaseThumbnails();
    this.candidates = [];
    this.unreachable = [];
    this.study = undefined;
    this.selectedSeriesUID = '';
    this.error = undefined;
    this.display = undefined;
    this.setProgress({ loaded: 0, total: 0 });
  }

  private openStudy(study: StudySummary): void {
    mark('resolved');
    this.releaseSeries();
    this.releaseThumbnails();
    this.selectedSeriesUID = '';
    this.study = study;
  }

  /** The study's series are known: tell the host, then show its main series. */
  private announceStudy(study: StudySummary): void {
    const detail: FilmlessResolvedDetail = {
      studyInstanceUID: study.studyInstanceUID,
      patientName: study.patientName,
      patientID: study.patientID,
      studyDate: study.studyDate,
      series: study.series,
      sources: study.sources,
      unreachableSources: this.unreachable,
    };
    this.emit('filmless-resolved', detail);
    const first = chooseDefaultSeries(study.series);
    if (!first) {
      this.fail(new FilmlessError('unsupported', 'The study has no image series'));
      return;
    }
    this.selectedSeriesUID = first.seriesInstanceUID;
  }

  /** The sources to search: the `sources` property, or the single `dicomweb-url` with the element's token. */
  private effectiveSources(): DicomwebSource[] {
    if (this.sources && this.sources.length > 0) return this.sources;
    if (!this.dicomwebUrl.trim()) throw new FilmlessError('config', 'dicomweb-url is not set');
    return [{ name: '', dicomwebUrl: this.dicomwebUrl }];
  }

  /** The source a study is loaded from: the first that holds it. */
  private sourceOf(study: StudySummary): DicomwebSource {
    const sources = this.effectiveSources();
    return sources.find((source) => study.sources.includes(source.name)) ?? sources[0]!;
  }

  private clientForStudy(study: StudySummary): DicomwebClient {
    return this.clientFor(this.sourceOf(study));
  }

  private async ensureViewport(): Promise<void> {
    await this.updateComplete;
    this.attached ??= this.stack.attach(this.viewportElement).catch((error: unknown) => {
      this.attached = undefined;
      throw error instanceof FilmlessError ? error : new FilmlessError('webgl', 'Could not start the renderer', { cause: error });
    });
    await this.attached;
    this.stack.onChange = (display) => {
      this.display = display;
      if (this.loaded) this.emit('filmless-statechange', this.getViewState());
    };
    this.stack.onImageError = (imageId) => {
      const index = this.loaded?.imageIds.indexOf(imageId) ?? -1;
      if (index >= 0) this.undecodableImages = new Set([...this.undecodableImages, index]);
    };
  }

  private async loadSeries(study: StudySummary, seriesUID: string, taskSignal: AbortSignal): Promise<void> {
    this.releaseSeries();
    this.setStatus('loading');
    const controller = new AbortController();
    const signal = AbortSignal.any([taskSignal, controller.signal]);
    const client = this.clientForStudy(study);
    // The first series of this element may be drawn by the lean first-image path; after that Cornerstone
    // is up and draws every series itself.
    const leanAllowed = !this.stack.isShowing;
    if (!leanAllowed) void this.ensureViewport().catch(() => undefined); // awaited below
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
      imageIds: [],
      controller,
      release: () => undefined,
    };
    this.loaded = loaded;
    this.undecodableImages = new Set();
    this.stack.beginLoading();

    // While the server builds the series metadata (it reads every file), the middle image is found by
    // its instance number, fetched and drawn.
    let early: ProbableMiddle | undefined;
    let firstImageAt: number | undefined;
    if (leanAllowed && summary) ({ early, firstImageAt } = await this.showProbableMiddle(client, study, summary, requestMetadata, signal));
    // With the first image on screen (or known to need Cornerstone), Cornerstone loads while the metadata
    // comes; after the next paint, so that compiling a megabyte of script cannot hold the first image back.
    if (firstImageAt !== undefined) await afterNextPaint();
    if (early) void this.ensureViewport().catch(() => undefined); // awaited below

    const instances = await requestMetadata();
    signal.throwIfAborted();
    if (instances.length === 0) throw new FilmlessError('not-found', 'The series has no instances');
    mark('metadata');
    const frames = orderFrames(framesOf(instances));
    if (instances.every(isLocalizerInstance) && summary) {
      // QIDO could not tell this was a scout; metadata can. Prefer a real series when there is one.
      const other = chooseDefaultSeries(study.series.filter((s) => s.seriesInstanceUID !== seriesUID && isImageSeries(s)));
      if (other && other.imageCount > 0 && this.selectedSeriesUID === seriesUID) {
        this.releaseSeries();
        this.selectedSeriesUID = other.seriesInstanceUID;
        return;
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
      onFallback: (error) => this.log('series retrieval failed, fetching frame by frame', error),
    });
    if (early) store.adopt(early.sopInstanceUID, 1, Promise.resolve([early.bytes]));
    // The closures made here outlive the load (release, decode queue): let them not keep the frame's bytes.
    early = undefined;
    const firstBytes = store.frameBytes(firstFrame.sopInstanceUID, firstFrame.frameNumber, signal);
    firstBytes.catch(() => undefined); // observed below
    loaded.frames = frames;
    loaded.description ||= stringValue(instances[0], Tag.SeriesDescription);
    loaded.modality ||= stringValue(instances[0], Tag.Modality);
    this.setProgress({ loaded: 0, total: frames.length });

    if (firstImageAt !== undefined && this.display) {
      // Drawn before the metadata: now its place in the ordered series is known.
      this.display = { ...this.display, imageIndex: first, imageCount: frames.length };
    } else if (leanAllowed && canDrawLean(firstFrame.instance)) {
      firstImageAt = await this.showLeanFirstImage(study, seriesUID, firstFrame.instance, await firstBytes, first, frames.length, signal);
    }
    // Cornerstone (about 1 MB of script, WebGL, decode workers) loads only now, when the first image is on
    // screen or the lean path could not draw it; the series streams in meanwhile.
    if (firstImageAt !== undefined) {
      if (!early) await afterNextPaint();
      void store.startBulk();
    }
    const viewportReady = this.ensureViewport();
    viewportReady.catch(() => undefined); // awaited below
    const imaging = await loadImaging();
    signal.throwIfAborted();
    const sourceKey = imaging.addFrameSource(store);
    loaded.release = () => imaging.removeFrameSource(sourceKey);
    loaded.imageIds = frames.map((f) => imaging.frameImageId(sourceKey, f.sopInstanceUID, f.frameNumber, f.instance));
    await viewportReady;
    signal.throwIfAborted();
    await this.stack.show(loaded.imageIds, first);
    signal.throwIfAborted();
    store.forget(firstFrame.sopInstanceUID, firstFrame.frameNumber); // decoded and cached by Cornerstone now
    this.hideLeanFirstImage();
    if (firstImageAt === undefined) {
      void store.startBulk();
      firstImageAt = performance.now();
      this.announceFirstImage(study, seriesUID, first, frames.length, firstImageAt);
    }
    this.setStatus('ready');
    const ready: FilmlessReadyDetail = {
      studyInstanceUID: study.studyInstanceUID,
      seriesInstanceUID: seriesUID,
      imageCount: frames.length,
      timeToFirstImageMs: Math.round(firstImageAt - this.loadStartedAt),
      timeToInteractiveMs: Math.round(performance.now() - this.loadStartedAt),
      renderer: imaging.activeRenderer(),
    };
    mark('ready');
    this.emit('filmless-ready', ready);
    this.stack.applyPendingInput();
    this.loadThumbnails(study);
    this.countDecoded(first);
    this.prefetch(store, frames, loaded.imageIds, first, signal, imaging.loadAndCacheFrame);
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
  ): Promise<{ early?: ProbableMiddle; firstImageAt?: number }> {
    const probeController = new AbortController();
    const probeSignal = AbortSignal.any([signal, probeController.signal]);
    const probe = fetchProbableMiddle(client, study.studyInstanceUID, summary.seriesInstanceUID, summary.imageCount, probeSignal).catch((error: unknown) => {
      this.log('middle image not found by instance number', error);
      return undefined;
    });
    // The series metadata makes the server read every file of the series: asked for once the middle
    // image is in (or after 300 ms), so the two do not compete for the server's disks and cores.
    await Promise.race([probe, new Promise((resolve) => setTimeout(resolve, 300))]);
    const metadataIn = requestMetadata().then(
      () => 'metadata' as const,
      () => 'metadata' as const,
    );
    const early = await Promise.race([probe, metadataIn]);
    if (early === 'metadata' || !early) {
      probeController.abort();
      return {};
    }
    signal.throwIfAborted();
    if (!canDrawLean(early.instance)) return { early };
    try {
      const at = await this.showLeanFirstImage(study, summary.seriesInstanceUID, early.instance, early.bytes, early.estimatedIndex, summary.imageCount, signal);
      return { early, firstImageAt: at };
    } catch (error) {
      if (signal.aborted) throw error;
      // A damaged frame is reported by the regular path, which meets it again.
      this.log('early first image failed', error);
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
  ): Promise<number | undefined> {
    const grey = await decodeFirstFrame(instance, bytes, signal);
    signal.throwIfAborted();
    if (!grey) return undefined;
    await this.updateComplete;
    const canvas = this.firstImageCanvas;
    canvas.hidden = false;
    if (!drawFirstImage(canvas, grey)) {
      canvas.hidden = true;
      return undefined;
    }
    const at = performance.now();
    this.display = { imageIndex: index, imageCount: count, windowCenter: grey.windowCenter, windowWidth: grey.windowWidth, zoom: 1 };
    this.announceFirstImage(study, seriesUID, index, count, at);
    return at;
  }

  private announceFirstImage(study: StudySummary, seriesUID: string, index: number, count: number, at: number): void {
    mark('first-image');
    const detail: FilmlessFirstImageDetail = {
      studyInstanceUID: study.studyInstanceUID,
      seriesInstanceUID: seriesUID,
      imageIndex: index,
      imageCount: count,
      timeToFirstImageMs: Math.round(at - this.loadStartedAt),
    };
    this.emit('filmless-first-image', detail);
  }

  /** Cornerstone shows the image now: the lean canvas goes, and so does its memory. */
  private hideLeanFirstImage(): void {
    const canvas = this.firstImageCanvas;
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
  ): void {
    const queue = new DecodeQueue({
      concurrency: Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)),
      current: () => this.stack.state().imageIndex,
      decode: async (index) => {
        const frame = frames[index]!;
        try {
          signal.throwIfAborted();
          await loadAndCacheFrame(imageIds[index]!);
          store.forget(frame.sopInstanceUID, frame.frameNumber);
          this.countDecoded(index);
        } catch (error) {
          if (signal.aborted || isAbortError(error)) return;
          this.undecodableImages = new Set([...this.undecodableImages, index]);
          this.countDecoded(index);
          this.reportBadFrame(error);
        }
      },
    });
    this.decodeQueue = queue;
    signal.addEventListener('abort', () => queue.stop(), { once: true });
    frames.forEach((frame, index) => {
      if (index === first) return;
      store.whenArrived(frame.sopInstanceUID, frame.frameNumber).then(
        () => queue.add(index),
        (error: unknown) => {
          if (signal.aborted || isAbortError(error)) return;
          this.undecodableImages = new Set([...this.undecodableImages, index]);
          this.countDecoded(index);
          this.reportBadFrame(error);
        },
      );
    });
  }

  private decodeQueue: DecodeQueue | undefined;

  /** The user is reading (scrolling, dragging, keys): background decoding gives way for a moment. */
  private noteInteraction(): void {
    this.decodeQueue?.interacted();
  }

  private reportedBadFrame = false;

  /** A damaged frame is reported once per series; the slice itself shows a notice, never a black image. */
  private reportBadFrame(error: unknown): void {
    if (this.reportedBadFrame) return;
    this.reportedBadFrame = true;
    const failure = toFilmlessError(error);
    this.emit('filmless-error', { code: failure.code, message: this.localize.term('frameUndecodable'), ...(failure.status ? { status: failure.status } : {}) });
  }

  /** Images decoded so far; `progress` (what is drawn) follows it at most once per animation frame. */
  private decoded: FilmlessProgressDetail = { loaded: 0, total: 0 };
  private progressFrame = 0;

  private setProgress(progress: FilmlessProgressDetail): void {
    cancelAnimationFrame(this.progressFrame);
    this.progressFrame = 0;
    this.decoded = { ...progress };
    this.progress = progress;
  }

  private countDecoded(_index: number): void {
    const { total } = this.decoded;
    const loaded = Math.min(total, this.decoded.loaded + 1);
    this.decoded = { loaded, total };
    this.emit('filmless-progress', { loaded, total });
    if (loaded === total) {
      mark('series-decoded');
      this.setProgress({ loaded, total });
    } else if (!this.progressFrame) {
      // Hundreds of images decode per second: the bar and its text are redrawn once per frame, not per image.
      this.progressFrame = requestAnimationFrame(() => {
        this.progressFrame = 0;
        this.progress = { ...this.decoded };
      });
    }
  }

  /**
   * Fetches a small preview of every image series, after the first image is on screen so previews never
   * compete with it. A server without `/rendered` leaves the text-only tiles.
   */
  private loadThumbnails(study: StudySummary): void {
    if (this.thumbnailController) return;
    const controller = new AbortController();
    this.thumbnailController = controller;
    const client = this.clientForStudy(study);
    const fetchPreview = (series: SeriesSummary) =>
      client.retrieveSeriesPreview(study.studyInstanceUID, series.seriesInstanceUID, 96, controller.signal).then((blob) => {
        if (controller.signal.aborted) return;
        this.thumbnails = new Map(this.thumbnails).set(series.seriesInstanceUID, URL.createObjectURL(blob));
      });
    const [first, ...rest] = study.series.filter(isImageSeries);
    if (!first) return;
    // Ask for one preview first: a server without /rendered then costs one refused request, not one per series.
    fetchPreview(first)
      .then(() => Promise.allSettled(rest.map(fetchPreview)))
      .catch((error: unknown) => this.log('no series previews from this server', error));
  }

  private releaseThumbnails(): void {
    this.thumbnailController?.abort();
    this.thumbnailController = undefined;
    for (const url of this.thumbnails.values()) URL.revokeObjectURL(url);
    this.thumbnails = new Map();
  }

  private releaseSeries(): void {
    this.hideLeanFirstImage();
    this.decodeQueue?.stop();
    this.decodeQueue = undefined;
    if (this.loaded) {
      this.loaded.controller.abort();
      this.loaded.release();
    }
    this.loaded = undefined;
    this.reportedBadFrame = false;
  }

  private fail(error: unknown, signal?: AbortSignal): void {
    if (signal?.aborted || isAbortError(error)) return;
    const failure = toFilmlessError(error);
    const message = this.localize.term(`error.${failure.code}`, { detail: failure.message });
    this.error = { code: failure.code, message, ...(failure.status !== undefined ? { status: failure.status } : {}) };
    this.setStatus('error');
    this.log('failed', failure);
    this.emit('filmless-error', { ...this.error });
  }

  private handleWheel(event: WheelEvent): void {
    if (!this.loaded) return;
    event.preventDefault();
    this.noteInteraction();
    this.stack.scrollByWheel(event);
  }

  private handleKeydown(event: KeyboardEvent): void {
    const action = actionForKey(event);
    if (!action || !this.loaded) return;
    event.preventDefault();
    this.noteInteraction();
    this.perform(action);
  }

  /** Runs a shortcut action; keys, buttons and the help overlay all go through here. */
  private perform(action: ShortcutAction): void {
    switch (action.type) {
      case 'scroll':
        return this.stack.scroll(action.delta);
      case 'first':
        return this.stack.setImageIndex(0);
      case 'last':
        return this.stack.setImageIndex((this.loaded?.frames.length ?? 1) - 1);
      case 'zoom':
        return this.stack.zoomBy(action.factor);
      case 'pan':
        return this.stack.panBy(action.dx, action.dy);
      case 'window':
        return this.stack.adjustWindow(action.widthDelta, action.centerDelta);
      case 'preset': {
        const preset = CT_PRESETS[action.index];
        if (preset && this.loaded?.modality === 'CT') this.stack.setWindow(preset.center, preset.width);
        return;
      }
      case 'reset':
        return this.stack.reset();
      case 'help':
        return void this.toggleHelp();
    }
  }

  private async toggleHelp(): Promise<void> {
    this.helpOpen = !this.helpOpen;
    await this.updateComplete;
    const target = this.helpOpen
      ? this.renderRoot.querySelector<HTMLElement>('.help-close')
      : this.renderRoot.querySelector<HTMLElement>('[part="viewport"]');
    target?.focus();
  }

  /** Asks the host for a share token, then shows the link and its QR code. */
  private async openShare(): Promise<void> {
    const study = this.study;
    if (!study || !this.shareTokenProvider) return;
    try {
      const grant = toGrant(await this.shareTokenProvider({ studyInstanceUID: study.studyInstanceUID, accessionNumber: study.accessionNumber }));
      if (!grant.token) throw new Error('empty share token');
      const link = buildShareLink(
        {
          viewerUrl: this.shareUrl || getDefaultViewerUrl(),
          dicomwebUrl: grant.dicomwebUrl || this.sourceOf(study).dicomwebUrl,
          studyInstanceUID: study.studyInstanceUID,
        },
        grant.token,
      );
      this.shareState = { link, grant, copied: false };
      await this.updateComplete;
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.qr');
      if (canvas) await drawQrCode(canvas, link);
      this.renderRoot.querySelector<HTMLElement>('.share-copy')?.focus();
      this.emit('filmless-shared', { link, ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}) });
    } catch (error) {
      this.shareState = undefined;
      const failure = toFilmlessError(error, 'server');
      this.emit('filmless-error', { code: failure.code, message: this.localize.term('shareFailed'), ...(failure.status ? { status: failure.status } : {}) });
    }
  }

  private async copyShareLink(): Promise<void> {
    if (!this.shareState) return;
    try {
      await navigator.clipboard.writeText(this.shareState.link);
    } catch {
      // Clipboard refused (no permission, insecure context): select the field so the user can copy.
      const input = this.renderRoot.querySelector<HTMLInputElement>('.share-link input');
      input?.focus();
      input?.select();
      return;
    }
    this.shareState = { ...this.shareState, copied: true };
  }

  private downloadQrCode(): void {
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.qr');
    canvas?.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = 'filmless-share-qr.png';
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, 'image/png');
  }

  private closeShare(): void {
    this.shareState = undefined;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.share-button')?.focus());
  }

  private selectTool(tool: PrimaryTool): void {
    this.tool = tool;
    this.stack.setPrimaryTool(tool);
  }

  /** One finger: scroll 1 slice per 12 px of vertical travel, or window/level like a mouse drag. */
  private touchDrag(dx: number, dy: number): void {
    if (this.touchMode === 'windowLevel') {
      this.stack.adjustWindow(dx * 2, dy * 2);
      return;
    }
    this.touchScrollRemainder += dy;
    const steps = Math.trunc(this.touchScrollRemainder / 12);
    if (steps !== 0) {
      this.touchScrollRemainder -= steps * 12;
      this.stack.scroll(steps);
    }
  }

  private handlePointer(event: PointerEvent): void {
    if (event.buttons) this.noteInteraction(); // a drag: window/level, pan, zoom or scroll
    if (event.pointerType !== 'touch' || !this.loaded) return;
    const handled =
      event.type === 'pointerdown'
        ? this.gestures.down(event)
        : event.type === 'pointermove'
          ? this.gestures.move(event)
          : event.type === 'pointerup'
            ? this.gestures.up(event)
            : (this.gestures.cancel(event), true);
    if (handled) event.preventDefault();
  }

  /** Touch belongs to our gestures: keep Cornerstone's own touch tools from acting on the same fingers. */
  private captureTouch(event: TouchEvent): void {
    event.stopPropagation();
    if (event.cancelable) event.preventDefault();
  }

  protected override render() {
    const t = this.localize;
    return html`
      <div class="layout" lang=${t.language} role="region" aria-label=${t.term('viewerLabel')}>
        ${this.renderToolbar()} ${this.renderSeriesList()}
        <div class="stage" @touchstart=${this.captureTouch} @touchmove=${this.captureTouch}
          @pointerdown=${this.handlePointer} @pointermove=${this.handlePointer} @pointerup=${this.handlePointer}
          @pointercancel=${this.handlePointer}>
          <div class="viewport" part="viewport" tabindex="0" role="application" aria-roledescription=${t.term('viewerLabel')}
            aria-label=${this.viewportDescription()}
            @keydown=${this.handleKeydown} @wheel=${this.handleWheel} @contextmenu=${(e: Event) => e.preventDefault()}></div>
          <canvas class="first-image" aria-hidden="true" hidden></canvas>
          ${this.renderOverlay()} ${this.renderProgress()} ${this.renderMessage()} ${this.renderChooser()} ${this.renderError()}
          ${this.helpOpen ? helpOverlay(t, () => void this.toggleHelp()) : nothing}
          ${this.shareState
            ? sharePanel(t, this.shareState, {
                copy: () => void this.copyShareLink(),
                download: () => this.downloadQrCode(),
                close: () => this.closeShare(),
              })
            : nothing}
        </div>
        <div class="sr-only" role="status" aria-live="polite">${this.liveText()}</div>
      </div>
    `;
  }

  private renderToolbar() {
    if (!this.loaded) return nothing;
    return toolbar(
      this.localize,
      {
        tool: this.tool,
        showPresets: this.loaded.modality === 'CT',
        menuOpen: this.menuOpen,
        seriesOpen: this.seriesOpen,
        touchMode: this.touchMode,
        canShare: Boolean(this.shareTokenProvider),
      },
      {
        selectTool: (tool) => this.selectTool(tool),
        zoom: (factor) => this.stack.zoomBy(factor),
        preset: (index) => this.perform({ type: 'preset', index }),
        reset: () => this.resetView(),
        help: () => void this.toggleHelp(),
        toggleMenu: () => (this.menuOpen = !this.menuOpen),
        toggleSeries: () => (this.seriesOpen = !this.seriesOpen),
        toggleTouchMode: () => (this.touchMode = this.touchMode === 'scroll' ? 'windowLevel' : 'scroll'),
        share: () => void this.openShare(),
      },
    );
  }

  private renderSeriesList() {
    const series = this.study?.series.filter(isImageSeries) ?? [];
    if (series.length === 0) return nothing;
    const t = this.localize;
    return html`<div id="series" class="series-list ${this.seriesOpen ? 'open' : ''}" part="series-list" role="group" aria-label=${t.term('seriesListLabel')}>
      ${series.map(
        (s) => html`<button type="button" aria-pressed=${s.seriesInstanceUID === this.selectedSeriesUID}
          @click=${() => {
            this.seriesOpen = false;
            this.selectSeries(s.seriesInstanceUID);
          }}>
          ${this.thumbnails.has(s.seriesInstanceUID)
            ? html`<img src=${this.thumbnails.get(s.seriesInstanceUID)!} alt="" width="64" height="64" />`
            : html`<span class="thumb-placeholder" aria-hidden="true">${s.modality}</span>`}
          <span>${s.modality} ${s.description || `#${s.seriesNumber ?? ''}`}</span>
          <small>${t.count('seriesImages', s.imageCount)}</small>
        </button>`,
      )}
    </div>`;
  }

  private renderOverlay() {
    if (!this.loaded || !this.display || this.currentStatus === 'error') return nothing;
    const t = this.localize;
    const { study, description } = this.loaded;
    const { imageIndex, imageCount, windowCenter, windowWidth } = this.display;
    return html`<div class="overlay" part="overlay">
      <div class="tl"><div>${formatPersonName(study.patientName, t.language)}</div><div>${study.patientID}</div></div>
      <div class="tr"><div>${t.date(study.studyDate)}</div><div>${description}</div>
        ${study.sources.some(Boolean) ? html`<div>${study.sources.join(', ')}</div>` : nothing}</div>
      <div class="bl">${t.term('imagePosition', { index: imageIndex + 1, count: imageCount })}</div>
      <div class="br">${t.term('windowLevel', { width: Math.round(windowWidth), center: Math.round(windowCenter) })}</div>
      ${this.undecodableImages.has(imageIndex) ? html`<div class="notice" role="alert">${t.term('frameUndecodable')}</div>` : nothing}
      ${this.unreachable.length ? html`<div class="banner">${this.renderUnreachable()}</div>` : nothing}
    </div>`;
  }

  private renderProgress() {
    const { loaded, total } = this.progress;
    if (this.currentStatus === 'error' || total === 0 || loaded >= total) return nothing;
    return html`<div class="progress" part="progress"><progress max=${total} value=${loaded}
      aria-label=${this.localize.term('loading', { loaded, total })}></progress></div>`;
  }

  private renderMessage() {
    const status = this.currentStatus;
    if (status !== 'idle' && status !== 'resolving' && !(status === 'loading' && !this.display)) return nothing;
    if (this.candidates.length > 0) return nothing;
    const text = status === 'idle' ? this.localize.term('idle') : this.localize.term('resolving');
    return html`<div class="message">${text}</div>`;
  }

  private renderChooser() {
    if (this.candidates.length === 0) return nothing;
    const t = this.localize;
    const named = this.candidates.some((s) => s.sources.some(Boolean));
    return html`<div class="chooser" part="chooser">
      <p id="chooser-title">${t.term(this.chooserKind === 'patient' ? 'chooserPatientTitle' : 'chooserTitle')}</p>
      ${this.renderUnreachable()}
      <table aria-labelledby="chooser-title">
        <thead><tr><th>${t.term('chooserDate')}</th><th>${t.term('chooserModalities')}</th>
          <th>${t.term('chooserDescription')}</th><th>${t.term('chooserInstitution')}</th>
          ${named ? html`<th>${t.term('chooserSource')}</th>` : nothing}</tr></thead>
        <tbody>${this.candidates.map(
          (s) => html`<tr>
            <td><button type="button" @click=${() => this.selectStudy(s.studyInstanceUID)}>${t.date(s.studyDate) || '—'}</button></td>
            <td>${s.modalities.join(', ')}</td><td>${s.description}</td><td>${s.institution}</td>
            ${named ? html`<td>${s.sources.join(', ')}</td>` : nothing}
          </tr>`,
        )}</tbody>
      </table>
    </div>`;
  }

  /** Names the sources that could not be reached, so a missing study is never silently missing. */
  private renderUnreachable() {
    if (this.unreachable.length === 0) return nothing;
    return html`<p class="unreachable" role="status">${this.localize.term('unreachableSources', { sources: this.unreachable.join(', ') })}</p>`;
  }

  private renderError() {
    if (!this.error || this.currentStatus !== 'error') return nothing;
    return html`<div class="error" part="error" role="alert">
      <p>${this.error.message}</p>
      <button type="button" @click=${() => this.retry()}>${this.localize.term('retry')}</button>
    </div>`;
  }

  private viewportDescription(): string {
    if (!this.loaded || !this.display) return this.localize.term('viewerLabel');
    const { imageIndex, imageCount, windowCenter, windowWidth } = this.display;
    return this.localize.term('viewportDescription', {
      modality: this.loaded.modality,
      series: this.loaded.description,
      index: imageIndex + 1,
      count: imageCount,
      center: Math.round(windowCenter),
      width: Math.round(windowWidth),
    });
  }

  private liveText(): string {
    const t = this.localize;
    switch (this.currentStatus) {
      case 'resolving':
        return t.term('resolving');
      case 'loading':
        return t.term('loading', { loaded: this.progress.loaded, total: this.progress.total });
      case 'ready': {
        // Announce progress in coarse steps only, so screen readers are not flooded.
        const { loaded, total } = this.progress;
        if (total > 0 && loaded < total) {
          return t.term('loading', { loaded: Math.floor((loaded / total) * 4) * Math.floor(total / 4), total });
        }
        return t.term('ready');
      }
      case 'error':
        return this.error?.message ?? '';
      default:
        return '';
    }
  }
}
