import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { FetchLike } from '../dicomweb/client.js';
import { FilmlessError, isAbortError, toFilmlessError } from '../errors.js';
import { LocalizeController } from '../i18n/localize-controller.js';
import { type RendererPreference, getRendererPreference, setRendererPreference } from '../imaging/renderer-preference.js';
import type { ShareTokenProvider } from '../share/share-link.js';
import { chooseDefaultSeries, isImageSeries } from '../study/series-selection.js';
import type { DicomwebSource } from '../study/sources.js';
import type { StudySummary } from '../study/types.js';
import { InputController } from './controllers/input.js';
import { PriorsController } from './controllers/priors.js';
import { ViewportSync } from './controllers/scroll-sync.js';
import { compareBar, priorsList, priorsStyles, studyBadge } from './parts/priors-list.js';
import { SeriesThumbnails } from './controllers/series-thumbnails.js';
import { ShareController } from './controllers/share.js';
import { StudyResolution } from './controllers/study-resolution.js';
import type { EventDetail, ViewerContext } from './controllers/viewer-context.js';
import { LAYOUTS, ViewportGrid } from './controllers/viewport-grid.js';
import type { FilmlessErrorDetail, FilmlessEventMap, FilmlessLayout, FilmlessStatus, FilmlessViewState } from './events.js';
import { styles } from './filmless-viewer.styles.js';
import { helpOverlay } from './parts/help-overlay.js';
import { sharePanel } from './parts/share-panel.js';
import { chooser, errorPanel, liveText, seriesList, waitingMessage } from './parts/study-panels.js';
import { toolbar } from './parts/toolbar.js';
import { ChromeController } from './controllers/chrome.js';
import { viewportCell } from './parts/viewport-cell.js';

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
 * @fires {CustomEvent<FilmlessPriorsDetail>} filmless-priors - The patient's other CT/MR studies are known, newest first (not sent when the token may not search the patient).
 *
 * @slot branding - Patient mode: the hospital's logo and name, at the start of the toolbar (e.g. `<img slot="branding">`).
 *
 * @csspart toolbar - The one-row tool bar (icon buttons; what does not fit is in its "more" menu).
 * @csspart branding - Patient mode: the box around the `branding` slot.
 * @csspart menu - The toolbar's dropdown menus (more, presets, layout).
 * @csspart series-list - The series panel: a column left of the images, a drawer over them below 520 px.
 * @csspart viewport - The image area (focusable; arrow keys and PageUp/PageDown scroll).
 * @csspart priors - The list of the patient's prior studies, each with a Compare button (in the series panel).
 * @csspart compare - The bar shown while comparing with a prior: scroll, window/level and zoom/pan sync, end.
 * @csspart study-badge - The study date on each viewport while comparing ("Current" or "Prior").
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
  static override styles = [styles, priorsStyles];

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

  /**
   * The viewport grid: `1x1` (default), `1x2` (two side by side), `2x1` (two stacked) or `2x2`. Each
   * viewport shows a series of the open study; the active one (outlined) is the one tools, keys and the
   * series list act on.
   */
  @property({ reflect: true }) layout: FilmlessLayout = '1x1';

  /**
   * Opens the patient's most recent prior CT/MR study beside the study as soon as the priors are known
   * (see `comparePrior`).
   */
  @property({ type: Boolean, attribute: 'compare-prior' }) compareWithPrior = false;

  /**
   * `clinician` (default): the radiologist's tools. `patient`: for patients opening their results on a
   * phone: large touch targets, scrolling, zoom and named CT windows (Brain, Bone, Lung, Soft tissue),
   * big series thumbnails and the hospital's `branding` slot; no window/level drag, layouts or sharing.
   */
  @property({ reflect: true }) mode: 'clinician' | 'patient' = 'clinician';

  @state() private currentStatus: FilmlessStatus = 'idle';
  @state() private error: FilmlessErrorDetail | undefined;

  private readonly localize = new LocalizeController(this);
  private readonly context: ViewerContext = {
    host: this,
    localize: this.localize,
    emit: (type, detail) => this.emit(type, detail),
    setStatus: (status) => this.setStatus(status),
    fail: (error, signal) => this.fail(error, signal),
    log: (message, ...details) => this.log(message, ...details),
  };
  private readonly resolution = new StudyResolution(this.context, this, {
    reset: () => this.closeStudy(),
    opened: (study) => this.openStudy(study),
  });
  private readonly grid = new ViewportGrid(this.context, {
    seriesReady: (cell, study) => {
      this.sync.seriesShown(cell);
      if (study.studyInstanceUID === this.resolution.study?.studyInstanceUID) this.thumbnails.load(study, this.resolution.clientForStudy(study));
    },
    viewChanged: () => this.emit('filmless-statechange', this.getViewState()),
    cellChanged: (cell) => this.sync.cellChanged(cell),
  });
  private readonly input = new InputController(this.context, this.grid, this);
  private readonly share = new ShareController(this.context, this, (study) => this.resolution.sourceOf(study).dicomwebUrl);
  private readonly thumbnails = new SeriesThumbnails(this.context);
  private readonly sync = new ViewportSync(this.context, this.grid);
  private readonly priors = new PriorsController(this.context, this.grid, this.resolution, {
    timeout: () => this.sourceTimeout,
    autoCompare: () => this.compareWithPrior,
    setLayout: (layout) => {
      this.layout = layout;
      this.grid.setLayout(layout);
    },
    compared: () => this.sync.startComparing(),
  });
  private readonly chrome = new ChromeController(this);

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

  /** The current view, for saving, sharing or syncing it: the active viewport, and every viewport. */
  getViewState(): FilmlessViewState {
    const viewports = this.grid.viewportStates();
    const active = viewports[this.grid.activeIndex]!;
    const { studyInstanceUID, seriesInstanceUID, imageIndex, imageCount, windowCenter, windowWidth, zoom } = active;
    return {
      studyInstanceUID: studyInstanceUID || (this.resolution.study?.studyInstanceUID ?? ''),
      seriesInstanceUID,
      imageIndex,
      imageCount,
      windowCenter,
      windowWidth,
      zoom,
      layout: this.grid.layout,
      activeViewport: this.grid.activeIndex,
      viewports,
    };
  }

  /** Opens one of the studies offered by the chooser. */
  selectStudy(studyInstanceUID: string): void {
    this.resolution.select(studyInstanceUID);
  }

  /** Shows another series of the open study in the active viewport. */
  selectSeries(seriesInstanceUID: string): void {
    this.showSeries(this.grid.activeIndex, seriesInstanceUID);
  }

  /**
   * Shows a series in one viewport (0-based, in grid order), aborting only that viewport's load: a
   * series of the open study, or with `studyInstanceUID`, of one of the patient's priors (see
   * `filmless-priors`). Unknown series, studies or viewports are ignored.
   */
  showSeries(viewportIndex: number, seriesInstanceUID: string, studyInstanceUID = ''): void {
    if (studyInstanceUID && studyInstanceUID !== this.resolution.study?.studyInstanceUID) {
      if (Number.isInteger(viewportIndex) && viewportIndex >= 0 && viewportIndex < this.grid.cells.length) {
        void this.priors.showPriorSeries(viewportIndex, studyInstanceUID, seriesInstanceUID);
      }
      return;
    }
    const study = this.resolution.study;
    if (!study?.series.some((s) => s.seriesInstanceUID === seriesInstanceUID)) return;
    if (!Number.isInteger(viewportIndex) || viewportIndex < 0 || viewportIndex >= this.grid.cells.length) return;
    void this.grid.show(viewportIndex, study, seriesInstanceUID, this.resolution.clientForStudy(study), performance.now());
  }

  /**
   * Opens one of the patient's prior studies (a `studyInstanceUID` from `filmless-priors`) beside the
   * open study, in a 1×2 layout: the active viewport's series on the left, the prior's most similar
   * series (same modality, closest orientation and description) on the right, scrolling in sync.
   * Waits for the priors search if it is still running; unknown studies are ignored.
   */
  comparePrior(studyInstanceUID: string): void {
    void this.priors.compare(studyInstanceUID);
  }

  /** Changes the viewport grid (see `layout`); new viewports show the study's next series. */
  setLayout(layout: FilmlessLayout): void {
    this.layout = layout;
  }

  /** Moves by `delta` images (negative: towards the first) in the active viewport. */
  scrollImages(delta: number): void {
    this.input.noteInteraction();
    this.grid.active.load.stack.scroll(delta);
  }

  /** Restores the initial zoom, pan and window/level of the active viewport. */
  resetView(): void {
    this.grid.active.load.stack.reset();
  }

  /**
   * The modality value (CT: Hounsfield units) of the active viewport's image at pixel (column, row), as
   * a probe tool shows it; undefined outside the image or before an image is shown.
   */
  probe(column: number, row: number): number | undefined {
    return this.grid.active.load.stack.modalityValueAt(column, row);
  }

  /** Starts the current load again (after an error). */
  retry(): void {
    this.error = undefined;
    this.resolution.run();
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
    if (this.hasUpdated && (this.accessionNumber || this.studyUid)) this.resolution.run();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('currentStatus' as keyof FilmlessViewer)) this.setAttribute('status', this.currentStatus);
    if (changed.has('mode')) this.input.selectTool(this.mode === 'patient' ? 'scroll' : 'windowLevel');
    if (changed.has('layout')) {
      if (!LAYOUTS.includes(this.layout)) this.layout = '1x1';
      this.grid.setLayout(this.layout);
      this.fillEmptyViewports();
      if (changed.get('layout') !== undefined) this.emit('filmless-statechange', this.getViewState());
    }
  }

  private log(message: string, ...details: unknown[]): void {
    if (this.debug) console.debug(`[filmless] ${message}`, ...details);
  }

  private emit<K extends keyof FilmlessEventMap>(type: K, detail: EventDetail<K>): void {
    /** @ignore Each event is documented on the class (`@fires`), with its detail type. */
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private setStatus(status: FilmlessStatus): void {
    this.currentStatus = status;
    this.setAttribute('status', status);
    this.log(`status ${status}`);
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

  /** A new search starts: every viewport and preview of the old study goes. */
  private closeStudy(): void {
    this.grid.releaseAll();
    this.thumbnails.release();
    this.priors.reset();
    this.error = undefined;
  }

  /** The study's series are known: tell the host, then show its main series, and others in other viewports. */
  private openStudy(study: StudySummary): void {
    this.grid.releaseAll();
    this.thumbnails.release();
    this.emit('filmless-resolved', {
      studyInstanceUID: study.studyInstanceUID,
      patientName: study.patientName,
      patientID: study.patientID,
      studyDate: study.studyDate,
      series: study.series,
      sources: study.sources,
      unreachableSources: this.resolution.unreachable,
    });
    const main = chooseDefaultSeries(study.series);
    if (!main) {
      this.fail(new FilmlessError('unsupported', 'The study has no image series'));
      return;
    }
    void this.grid.show(this.grid.activeIndex, study, main.seriesInstanceUID, this.resolution.clientForStudy(study), this.resolution.startedAt, true);
    this.fillEmptyViewports();
  }

  /** Viewports that show nothing get the study's image series not shown yet, largest first. */
  private fillEmptyViewports(): void {
    const study = this.resolution.study;
    if (!study) return;
    const shown = new Set(this.grid.cells.map((cell) => cell.load.series?.seriesInstanceUID));
    const waiting = study.series.filter((s) => isImageSeries(s) && !shown.has(s.seriesInstanceUID)).sort((a, b) => b.imageCount - a.imageCount);
    this.grid.cells.forEach((cell, index) => {
      if (cell.load.series) return;
      const next = waiting.shift();
      if (next) this.showSeries(index, next.seriesInstanceUID);
    });
  }

  protected override render() {
    const t = this.localize;
    const input = this.input;
    const active = this.grid.active.load;
    const inGrid = this.grid.cells.length > 1;
    return html`
      <div class="layout" lang=${t.language} role="region" aria-label=${t.term('viewerLabel')}>
        ${this.renderToolbar()}
        ${seriesList(t, { study: this.resolution.study, selected: active.series?.seriesInstanceUID ?? '', thumbnails: this.thumbnails.urls, open: this.chrome.seriesOpen, large: this.mode === 'patient' }, (uid) => {
          this.chrome.seriesPicked();
          this.selectSeries(uid);
        }, () => this.chrome.closeSeriesDrawer(), this.renderPriorsList())}
        ${this.renderCompareBar()}
        <div class="stage" @touchstart=${input.captureTouch} @touchmove=${input.captureTouch}
          @pointerdown=${input.handlePointer} @pointermove=${input.handlePointer} @pointerup=${input.handlePointer}
          @pointercancel=${input.handlePointer}>
          <div class="grid layout-${this.grid.layout}">
            ${repeat(this.grid.cells, (cell) => cell.id, (cell, index) =>
              viewportCell(t, {
                id: cell.id, load: cell.load, active: index === this.grid.activeIndex, inGrid, unreachable: this.resolution.unreachable,
                failed: this.currentStatus === 'error', overlayHidden: input.overlayHidden, maximized: this.grid.maximized === undefined ? 'none' : this.grid.maximized === index ? 'this' : 'other',
                extra: this.priors.comparing ? studyBadge(t, cell.load, this.resolution.study?.studyInstanceUID) : nothing,
              }, {
                keydown: input.handleKeydown,
                wheel: input.handleWheel,
                activate: () => this.grid.activate(index),
                toggleMaximized: () => this.grid.toggleMaximized(index),
                dropSeries: (uid) => this.showSeries(index, uid),
              }),
            )}
          </div>
          ${waitingMessage(t, this.currentStatus, Boolean(active.display), this.resolution.candidates.length > 0)}
          ${chooser(t, { candidates: this.resolution.candidates, kind: this.resolution.chooserKind, unreachable: this.resolution.unreachable }, (uid) => this.selectStudy(uid))}
          ${errorPanel(t, this.error, this.currentStatus, () => this.retry())}
          ${input.helpOpen ? helpOverlay(t, () => void input.toggleHelp()) : nothing}
          ${this.share.state
            ? sharePanel(t, this.share.state, {
                copy: () => void this.share.copy(),
                download: () => this.share.downloadQrCode(),
                close: () => this.share.close(),
              })
            : nothing}
        </div>
        <div class="sr-only" role="status" aria-live="polite">${liveText(t, this.currentStatus, active.progress, this.error)}</div>
      </div>
    `;
  }

  /** The priors list, at the foot of the series panel. */
  private renderPriorsList() {
    const { state, priors, opening } = this.priors;
    const shown = this.grid.cells.map((cell) => cell.load.series?.study.studyInstanceUID ?? '');
    return priorsList(this.localize, { state, priors, opening, shown }, (uid) => this.comparePrior(uid));
  }

  /** While a prior is shown beside the study: its sync toggles, between the toolbar and the images. */
  private renderCompareBar() {
    if (!this.priors.comparing) return nothing;
    return compareBar(this.localize, this.sync, { toggle: (kind) => this.sync.toggle(kind), end: () => this.endComparison() });
  }

  /** Back to the open study alone: the viewports showing a prior show the open study's series again. */
  private endComparison(): void {
    const open = this.resolution.study?.studyInstanceUID;
    const reading = this.grid.cells.find((cell) => cell.load.series?.study.studyInstanceUID === open)?.load.series?.seriesInstanceUID;
    for (const cell of this.grid.cells) if (cell.load.series && cell.load.series.study.studyInstanceUID !== open) cell.load.release();
    this.grid.activate(0);
    this.setLayout('1x1');
    if (reading && this.grid.cells[0]?.load.series?.seriesInstanceUID !== reading) this.showSeries(0, reading);
  }

  private renderToolbar() {
    const series = this.grid.active.load.series;
    if (!series) return nothing;
    const chrome = this.chrome;
    return toolbar(
      this.localize,
      {
        mode: this.mode,
        tool: this.input.tool,
        modality: series.modality,
        busy: this.currentStatus !== 'ready',
        layout: this.grid.layout,
        overlayShown: !this.input.overlayHidden,
        seriesOpen: chrome.seriesOpen,
        touchMode: this.touchMode,
        canShare: this.share.available,
        overflow: chrome.overflow,
        moreVisible: chrome.moreVisible,
        openMenu: chrome.openMenu,
        menuLeft: chrome.menuLeft,
      },
      {
        selectTool: (tool) => this.input.selectTool(tool),
        zoom: (factor) => this.grid.active.load.stack.zoomBy(factor),
        preset: (index) => this.input.perform({ type: 'preset', index }),
        reset: () => this.resetView(),
        setLayout: (layout) => this.setLayout(layout),
        toggleOverlay: () => this.input.toggleOverlay(),
        toggleSeries: () => chrome.toggleSeries(),
        toggleTouchMode: () => (this.touchMode = this.touchMode === 'scroll' ? 'windowLevel' : 'scroll'),
        share: () => void this.share.open(this.resolution.study),
        help: () => void this.input.toggleHelp(),
        toggleMenu: (id, trigger) => void chrome.toggleMenu(id, trigger),
        closeMenu: (focusTrigger) => chrome.closeMenu(focusTrigger),
        menuKeydown: chrome.menuKeydown,
      },
    );
  }
}
