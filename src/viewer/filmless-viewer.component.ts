import type { PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { FilmlessSyncRole } from '../collab/protocol.js';
import type { FilmlessSyncTransport } from '../collab/transport.js';
import type { FetchLike } from '../dicomweb/client.js';
import { type RendererPreference, getRendererPreference, setRendererPreference } from '../imaging/renderer-preference.js';
import type { ShareTokenProvider } from '../share/share-link.js';
import type { DicomwebSource } from '../study/sources.js';
import { ViewerControllers } from './controllers/viewer-controllers.js';
import { NavigationApi } from './api/navigation-api.js';
import { type FilmlessMemoryUsage, memoryUsage } from '../imaging/memory-budget.js';
import type { FilmlessLayout, FilmlessSlabMode, FilmlessStatus, FilmlessViewState } from './events.js';
import { styles } from './filmless-viewer.styles.js';
import { geometryOverlayStyles } from './parts/geometry-overlay.js';
import { measurementStyles } from './parts/measurement-list.js';
import { mprStyles } from './parts/mpr-panel.js';
import { priorsStyles } from './parts/priors-list.js';
import { syncStyles } from './parts/sync-bar.js';

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
 * @fires {CustomEvent<FilmlessPreviewDetail>} filmless-preview - On a slow link, a labelled preview of that middle image (the server's rendering at the viewport's size, no values) is on screen while the image itself arrives; `filmless-first-image` follows.
 * @fires {CustomEvent<FilmlessFirstImageDetail>} filmless-first-image - The middle image of the shown series is on screen at full quality, with the file's window (tools not yet).
 * @fires {CustomEvent<FilmlessReadyDetail>} filmless-ready - The shown series is on screen and its tools work.
 * @fires {CustomEvent<FilmlessErrorDetail>} filmless-error - Something failed; `message` is the localized text the widget shows. `fatal: true`: the viewer stopped (status `error`); `fatal: false`: one image, a share, a secondary source, a measurement or a shared view failed, and the status stays.
 * @fires {CustomEvent<FilmlessStateChangeDetail>} filmless-statechange - The view changed (slice, window/level, zoom, layout, active viewport); at most once per animation frame, with `origin`: `user`, `remote` (a presenter's state) or `api` (`applyViewState`).
 * @fires {CustomEvent<FilmlessSyncRoleDetail>} filmless-syncrole - `syncRole` changed in a consultation: control was given to this viewer, or it gave control away.
 * @fires {CustomEvent<FilmlessSharedDetail>} filmless-shared - A share link was created (it carries the share token in its fragment).
 * @fires {CustomEvent<FilmlessMeasurementDetail>} filmless-measurement - A measurement was added, changed (edited, or its values became known) or removed, by the user or through the API.
 * @fires {CustomEvent<FilmlessPriorsDetail>} filmless-priors - The patient's other CT/MR studies are known, newest first (not sent when the token may not search the patient).
 * @fires {CustomEvent<FilmlessSeriesCheckedDetail>} filmless-series-checked - A series' metadata was read: its stacks and warnings (missing slices, gantry tilt, lossy, non-square pixels, localizer) are known.
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
 * @csspart preview-label - On a slow link, the label over the first image's preview ("Preview, loading full quality") until the image itself replaces it.
 * @csspart error - The error message and its retry button.
 * @csspart image-error - In the place of an image that cannot be shown (damaged, unsupported, not sent): what failed and why; the series' other images stay on offer.
 * @csspart chooser - The list shown when several studies match.
 * @csspart help - The keyboard shortcut help.
 * @csspart share - The share dialog with link and QR code.
 * @csspart sync - In a consultation: the bar over the images (following / presenting, Take control, a follower's request, the laser pointer toggle).
 * @csspart sync-pointer - The presenter's laser pointer drawn on a follower's image.
 * @csspart measurements - The measurement list (in the series panel): select one to show it, delete it.
 * @csspart measurement-label - The field over the image asking for a new arrow's label.
 * @csspart mpr - The MPR panel over the viewport grid: axial, sagittal and coronal views and the slab controls.
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
export class FilmlessViewer extends NavigationApi {
  static override styles = [styles, syncStyles, priorsStyles, measurementStyles, geometryOverlayStyles, mprStyles];

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

  /**
   * What the page's imaging runtime holds now, for hosts that watch memory over a long day (and for
   * tests): the image cache's budget and bytes, cached images, volumes and metadata, and the viewports and
   * tool groups on the shared rendering engine. All viewers of the page share it, so it is a static method.
   */
  static memoryUsage(): FilmlessMemoryUsage {
    return memoryUsage();
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

  /**
   * Called when a request answers 401 (once for all the requests refused together); each is retried
   * once with the token it returns, sent in the Authorization header only.
   */
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

  /**
   * The DICOMweb servers this viewer may talk to: origins (`https://pacs.example.org`) or URL prefixes
   * (`https://pacs.example.org/dicom-web`, that path and below); relative entries resolve against the
   * page. When set, a `dicomweb-url` or `sources` entry outside the list is refused before any request
   * is made, with a `source-not-allowed` error. Unset (the default): any source the page gives. The
   * standalone page sets it from its deployment's configuration (README, "Allowed sources").
   */
  @property({ attribute: false }) allowedSources: string[] | undefined;

  /** Milliseconds each source may take to answer a search before it counts as unreachable. */
  @property({ type: Number, attribute: 'source-timeout' }) sourceTimeout = 15_000;

  /**
   * Milliseconds each DICOMweb request may wait for the server's answer, and a response body for its
   * next bytes, before the attempt counts as a network failure and is retried (at most 4 attempts in
   * all; README, "Network faults"). A slow but moving transfer never times out. Default 30000.
   */
  @property({ type: Number, attribute: 'request-timeout' }) requestTimeout = 30_000;

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

  /**
   * Teleconsultation: `free` (default) sends and receives nothing; `presenter` sends its view (layout,
   * series, slice, window, zoom, pan, rotation, flips) and its laser pointer to the other viewers of the
   * `sync-channel` or `syncTransport`; `follower` shows the presenter's view, its own input is off, and
   * when its user tries to scroll or draw a "Take control" button asks the presenter, who may give it.
   * Each participant loads the images with its own token: messages never carry a token, a patient's name
   * or pixels. Changes to `presenter` or `follower` when control passes (`filmless-syncrole`).
   */
  @property({ attribute: 'sync-role', reflect: true }) syncRole: FilmlessSyncRole = 'free';

  /**
   * The name of a built-in `BroadcastChannel` transport: viewers of the same origin in one browser (two
   * windows, two monitors) with the same name share a consultation. Ignored while `syncTransport` is set.
   */
  @property({ attribute: 'sync-channel' }) syncChannel = '';

  /**
   * A host page's transport for the consultation's messages, e.g. over a WebRTC data channel or a
   * WebSocket: `{send(message), onMessage(handler) returning unsubscribe}` (see the README). `send` must deliver
   * to every other participant; what `onMessage` hands over is validated here (JSON text or objects).
   */
  @property({ attribute: false }) syncTransport: FilmlessSyncTransport | undefined;

  /**
   * MPR: the viewport grid gives way to axial, sagittal and coronal views of the active series' volume,
   * with crosshairs (left drag moves them, Shift + left drag sets the window, wheel scrolls a view).
   * Only for a volume: one orientation, evenly spaced, at least 3 slices, no gantry tilt (see
   * `getMprAvailability()`); set while the series loads, it opens once it can, and falls back to false
   * when the series does not qualify. Needs WebGL: MPR's views draw with it whatever `renderer` chose
   * for the stacks, and it is not offered when `renderer` is forced to `cpu`. Closes when the active
   * viewport shows another series.
   */
  @property({ type: Boolean }) mpr = false;

  /** MPR slab thickness in mm (0, the default: one slice); the slab is combined by `mpr-slab-mode`. */
  @property({ type: Number, attribute: 'mpr-slab-thickness' }) mprSlabThickness = 0;

  /** How an MPR slab's slices are combined: `mip` (maximum, default), `minip` (minimum) or `average`. */
  @property({ attribute: 'mpr-slab-mode' }) mprSlabMode: FilmlessSlabMode = 'mip';

  /**
   * In a grid, the active viewport's slice plane is drawn as a line on every other viewport that shows
   * another plane of the same frame of reference (e.g. the axial slice on the localizer). On by
   * default; `reference-lines="off"` (or the property set to false, or the toolbar's toggle) hides them.
   */
  @property({ attribute: 'reference-lines', converter: { fromAttribute: (value: string | null) => value !== 'off' && value !== 'false' } })
  referenceLines = true;

  /**
   * Budget of the decoded image cache in MB. `0` (default): an eighth of the device's memory
   * (`navigator.deviceMemory`), between 32 MB and 1 GB, 512 MB where the browser does not tell; at
   * least 32. The viewers of a page share one cache: its budget is the largest of their `cache-size`s.
   * Past it, the least recently shown images are dropped (and fetched again if scrolled back to).
   */
  @property({ type: Number, attribute: 'cache-size' }) cacheSize = 0;

  /** Every controller and their wiring (one job per controller: see controllers/). */
  private readonly controllers = new ViewerControllers(this);

  /**
   * Where the viewer is: `idle | resolving | loading | ready | error`. Reflected to the `status` attribute,
   * which the viewer sets itself: style or query it, e.g. `filmless-viewer[status='error']`.
   * @attr status
   */
  get status(): FilmlessStatus {
    return this.controllers.context.status;
  }

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'token', 'lang'];
  }

  /** The current view, for saving, sharing or syncing it: the active viewport, and every viewport. */
  getViewState(): FilmlessViewState {
    return this.controllers.viewState();
  }

  /** Changes the viewport grid (see `layout`); new viewports show the study's next series. */
  setLayout(layout: FilmlessLayout): void {
    this.layout = layout;
  }

  /** Starts the current load again (after an error). */
  retry(): void {
    this.controllers.context.clearError();
    this.controllers.resolution.run();
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    // Tokens must not stay readable in the DOM (inspectors, page scripts, screenshots of devtools).
    if (name === 'token' && value !== null) {
      this.token = value;
      this.removeAttribute('token');
    } else if (name === 'lang') this.requestUpdate();
    else if (name !== 'token') super.attributeChangedCallback(name, old, value);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-attached after a move in the DOM: load again what was being shown.
    if (this.hasUpdated && (this.accessionNumber || this.studyUid)) this.controllers.resolution.run();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.controllers.propertiesChanged(changed);
  }

  protected override render() {
    return this.controllers.render();
  }

}
