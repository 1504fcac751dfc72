import type { FilmlessErrorCode } from '../errors.js';
import type { SeriesSummary, SeriesWarning, StackSummary, StudySummary } from '../study/types.js';

/** `filmless-resolved`: the study to show is known. */
export interface FilmlessResolvedDetail {
  studyInstanceUID: string;
  patientName: string;
  patientID: string;
  studyDate: string;
  series: SeriesSummary[];
  /** Names of the sources holding the study (several-PACS setups); empty with one unnamed source. */
  sources: string[];
  /** Sources that failed or timed out while searching. */
  unreachableSources: string[];
}

/** `filmless-candidates`: several studies match; the chooser is shown until one is picked. */
export interface FilmlessCandidatesDetail {
  studies: StudySummary[];
  unreachableSources: string[];
}

/** `filmless-progress`: images of the displayed series decoded and ready to draw. */
export interface FilmlessProgressDetail {
  loaded: number;
  total: number;
}

/**
 * `filmless-first-image`: the first image of the displayed series (its middle slice, at full quality and
 * with the file's window) is on screen. Tools start working at `filmless-ready`, a moment later.
 */
export interface FilmlessFirstImageDetail {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** 0-based index of the image shown in the ordered series. */
  imageIndex: number;
  imageCount: number;
  /** From the start of this load (connection or a new accession / study / series) to pixels drawn. */
  timeToFirstImageMs: number;
  /** Which viewport of the grid (0-based, grid order) shows it. */
  viewportIndex: number;
}

/**
 * `filmless-preview`: on a slow link, a preview of the first image (the server's rendering of the same
 * middle image at the viewport's size, labelled "Preview" on screen) is shown while the image itself is
 * still arriving. It carries no values: nothing is measured on it. `filmless-first-image` follows when
 * the image at full quality replaces it. Not sent when the image itself comes quickly (a LAN), nor when
 * the server renders no preview.
 */
export interface FilmlessPreviewDetail {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** From the start of this load (connection or a new accession / study / series) to the preview drawn. */
  timeToPreviewMs: number;
  /** The preview's own size in pixels, as the server rendered it. */
  width: number;
  height: number;
  /** Which viewport of the grid (0-based, grid order) shows it. */
  viewportIndex: number;
}

/** `filmless-ready`: the displayed series is on screen and its tools (scroll, window/level, zoom) work. */
export interface FilmlessReadyDetail {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  imageCount: number;
  /** From the start of this load (connection or a new accession / study / series) to the first image drawn. */
  timeToFirstImageMs: number;
  /** From the start of this load to the tools working (the image viewer has taken over from the first image). */
  timeToInteractiveMs: number;
  /** Which renderer draws the stack: WebGL (`gpu`) or Cornerstone's CPU renderer (see `FilmlessViewer.renderer`). */
  renderer: 'gpu' | 'cpu';
  /** Which viewport of the grid (0-based, grid order) shows it. */
  viewportIndex: number;
  /** What can mislead in the stack shown (see `SeriesWarning`); also in the overlay. */
  warnings: SeriesWarning[];
  /** Which stack of the series is shown (0-based; the largest unless one was asked for), and how many it has. */
  stackIndex: number;
  stackCount: number;
}

/**
 * `filmless-series-checked`: a series' metadata has been read, so its stacks and warnings are known (a
 * QIDO search cannot tell them: `filmless-resolved` comes first, without them). Sent for every series
 * shown, before its `filmless-ready`, and for the study's other image series as the viewer reads them
 * in the background after the first series is ready; sent again if showing the series adds a warning
 * (a lossy transfer syntax is seen in the pixel data). The open study's series entries carry the same
 * `stacks` and `warnings` from then on.
 */
export interface FilmlessSeriesCheckedDetail {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** The series' stacks, in the order the series panel shows them ("1/2", "2/2"). */
  stacks: StackSummary[];
  /** Every stack's warnings, each once, in the documented order. */
  warnings: SeriesWarning[];
}

/** The patient direction at each edge of a viewport's image (L/R, A/P, H/F; two letters for an oblique edge, stronger first; '' when unknown). */
export interface FilmlessOrientation {
  top: string;
  right: string;
  bottom: string;
  left: string;
}

/** `filmless-error`: one event per failure; `message` is the localized text shown in the widget. */
export interface FilmlessErrorDetail {
  code: FilmlessErrorCode;
  message: string;
  status?: number;
  /**
   * Whether the same thing may succeed if tried again later (no answer, a timeout, 429, 502/503/504):
   * the viewer already retried as README's "Network faults" says, so a host may offer `retry()`.
   * Absent on failures that are not about a request (an invalid measurement or view state): false.
   */
  retryable?: boolean;
  /**
   * `true`: the viewer stopped: `status` is `error` and the message takes the image area's place.
   * `false`: one thing failed and the rest works (an image that does not decode, a share link, a source
   * that did not answer while another held the study, an invalid measurement or shared view): `status`
   * stays as it was, and the message shows where the thing failed (on the image, in the share panel).
   */
  fatal: boolean;
  /** For a non-fatal image failure: the series and the image's 0-based index in it (as `imageIndex` counts). */
  seriesInstanceUID?: string;
  imageIndex?: number;
}

/** `filmless-shared`: a share link was created (it carries the share token in its fragment). */
export interface FilmlessSharedDetail {
  link: string;
  expiresAt?: string;
}

/** One of the patient's other studies, as `filmless-priors` lists it. */
export interface FilmlessPrior {
  studyInstanceUID: string;
  /** DICOM DA, `YYYYMMDD`, as the PACS sent it. */
  studyDate: string;
  /** Modalities in the study (CT, MR). */
  modalities: string[];
  description: string;
  /** Names of the sources (hospitals) that hold it; empty with one unnamed source. */
  sources: string[];
}

/**
 * `filmless-priors`: the patient's other CT and MR studies are known, newest first (the open study left
 * out; possibly none). Not sent when no source lets the token search the patient (401/403).
 */
export interface FilmlessPriorsDetail {
  priors: FilmlessPrior[];
}

export type FilmlessStatus = 'idle' | 'resolving' | 'loading' | 'ready' | 'error';

/**
 * Where a view change came from: `user` (this viewer's own doing: the user's input, or loading what it
 * shows), `remote` (a presenter's state applied here, see `sync-role`) or `api` (the host page called
 * `applyViewState`).
 */
export type FilmlessStateOrigin = 'user' | 'remote' | 'api';

/**
 * `filmless-statechange`: the view changed (slice, window/level, zoom, layout, active viewport); at most
 * one event per animation frame, carrying the state after the frame's changes and where they came from.
 */
export type FilmlessStateChangeDetail = FilmlessViewState & { origin: FilmlessStateOrigin };

/** `filmless-syncrole`: the viewer's `syncRole` changed in a consultation (control was given or taken). */
export interface FilmlessSyncRoleDetail {
  role: 'presenter' | 'follower' | 'free';
}

/** The viewport grid's layout: rows × columns (`1x2`: two viewports side by side). */
export type FilmlessLayout = '1x1' | '1x2' | '2x1' | '2x2';

/** What one viewport of the grid shows, and how. */
export interface FilmlessViewportState {
  /** Empty while the viewport shows nothing. */
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** 0-based index of the displayed image in the ordered series. */
  imageIndex: number;
  imageCount: number;
  windowCenter: number;
  windowWidth: number;
  /** 1 = the whole image fitted in the viewport. */
  zoom: number;
  /** Pan from the fitted position, as fractions of the viewport's width and height. */
  pan: [number, number];
  /**
   * Clockwise rotation on screen in degrees (0, 90, 180 or 270), applied after the flips: the image is
   * first mirrored (`flipH`: its columns run right to left; `flipV`: its rows run bottom to top), then
   * turned. `flip('horizontal')` after a rotation therefore changes `flipH` and the rotation's sign.
   */
  rotation: number;
  flipH: boolean;
  flipV: boolean;
  /** The greys are shown inverted, as a negative of how the file displays (`invert()`). */
  invert: boolean;
  /** Present while this viewport plays its stack as a cine (`playCine`). */
  cine?: FilmlessCineState;
  /**
   * The orientation markers drawn at the image's edges, from ImageOrientationPatient after `rotation`
   * and the flips (all '' while nothing is shown or the files have no orientation).
   */
  orientation?: FilmlessOrientation;
  /** Which stack of the series is shown (0-based, see `SeriesSummary.stacks`); 0 for a series of one stack. */
  stackIndex?: number;
}

/** A viewport's cine while it plays. */
export interface FilmlessCineState {
  playing: boolean;
  /** The rate asked for, in frames per second. */
  fps: number;
  /** The rate measured over the last second of frames shown (each frame waits for its image). */
  achievedFps: number;
}

/**
 * The view, for saving, sharing or syncing it. Its first seven fields describe the active viewport (as
 * they did before the grid existed); `viewports` describes every viewport, in grid order.
 */
export interface FilmlessViewState {
  /** The state's format version (1), as `applyViewState` reads it. */
  v: 1;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** 0-based index of the displayed image in the ordered series. */
  imageIndex: number;
  imageCount: number;
  windowCenter: number;
  windowWidth: number;
  zoom: number;
  layout: FilmlessLayout;
  /** Index of the active viewport in `viewports` (the one tools, keys and the series panel act on). */
  activeViewport: number;
  viewports: FilmlessViewportState[];
  /**
   * While MPR is open (see the element's `mpr`): the volume's three views. `viewports` still describes
   * the grid underneath, which MPR covers and gives back unchanged when it closes.
   */
  mpr?: FilmlessMprState;
}

/** One of MPR's three views, in patient coordinates (mm, DICOM LPS). */
export interface FilmlessMprViewportState {
  plane: 'axial' | 'sagittal' | 'coronal';
  /** The view plane's normal (pointing from the screen towards the viewer). */
  normal: [number, number, number];
  /** The patient direction that points up on the screen. */
  viewUp: [number, number, number];
  /** The point of the plane shown at the view's centre. */
  focalPoint: [number, number, number];
  windowCenter: number;
  windowWidth: number;
  /** 1 = the volume fitted in the view. */
  zoom: number;
}

/** MPR's state: where the crosshairs meet, the slab, and the three views. */
export interface FilmlessMprState {
  seriesInstanceUID: string;
  /** Where the three planes (the crosshairs) meet, patient mm. */
  center: [number, number, number];
  /** Slab thickness in mm; 0 shows one slice. */
  slabThickness: number;
  /** How a slab's slices are combined: maximum, minimum or average intensity projection. */
  slabMode: FilmlessSlabMode;
  viewports: FilmlessMprViewportState[];
}

/** MIP, MinIP or average intensity projection over the slab. */
export type FilmlessSlabMode = 'mip' | 'minip' | 'average';

/**
 * Why MPR is not offered for the active series: `loading` (not yet: the series is still loading),
 * `too-few-slices` (fewer than 3), `uneven-spacing` (gaps or repeated positions beyond 10 % of the
 * median spacing, or pixel spacing that changes), `tilted` (slices not stacked along their normal:
 * gantry tilt), `several-orientations` (orientations or image sizes differ), `no-geometry` (no
 * position/orientation in the files), `needs-webgl` (the page's renderer is forced to `cpu`, and
 * Cornerstone's CPU renderer has no volume views), `no-webgl` (the browser has no WebGL, or lost it:
 * stacks are drawn by the CPU renderer, which has no volume views).
 */
export type FilmlessMprUnavailableReason = 'loading' | 'too-few-slices' | 'uneven-spacing' | 'tilted' | 'several-orientations' | 'no-geometry' | 'needs-webgl' | 'no-webgl';

/**
 * A measurement kind: `length` (mm), `angle` (3 points, the middle one the vertex; degrees), `cobbAngle`
 * (two lines of 2 points; degrees), `ellipseRoi` and `rectangleRoi` (2 opposite corners of the box;
 * mean, SD, min, max in modality units, area), `probe` (1 point; the modality value), `arrow` (tip,
 * then tail; a label).
 */
export type FilmlessMeasurementKind = 'length' | 'angle' | 'cobbAngle' | 'ellipseRoi' | 'rectangleRoi' | 'probe' | 'arrow';

/** Statistics of an ellipse or rectangle ROI over the pixels whose centre lies inside it. */
export interface FilmlessMeasurementStats {
  /** Modality units (CT: HU). */
  mean: number;
  /** Population standard deviation. */
  sd: number;
  min: number;
  max: number;
  /** The shape's geometric area in mm²; absent when the image has no pixel spacing. */
  areaMm2?: number;
  pixelCount: number;
}

/** A measurement, as `getMeasurements()` lists it and `filmless-measurement` reports it. */
export interface FilmlessMeasurement {
  id: string;
  kind: FilmlessMeasurementKind;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  /** 1-based frame number in its instance (1 for single-frame images). */
  frame: number;
  /** 0-based index of its image in the series as the viewer orders it. */
  imageIndex: number;
  /** Patient coordinates in mm (DICOM LPS); for images without a position, the image plane's. */
  points: [number, number, number][];
  /** Image pixel coordinates `[column, row]`, 0-based, pixel centres on whole numbers. */
  imagePoints: [number, number][];
  /** Length, angle, ROI mean or probe value, in `unit`; absent for arrows and for values not known yet. */
  value?: number;
  /** `mm`, `px` (no pixel spacing), `deg`, or the modality unit (`HU` for CT; empty when unknown). */
  unit: string;
  /**
   * Where millimetres come from: `pixel-spacing` (PixelSpacing: the patient plane), `detector`
   * (ImagerPixelSpacing only: measured at the detector, magnified against the patient) or
   * `uncalibrated` (no spacing: pixels).
   */
  calibration: 'pixel-spacing' | 'detector' | 'uncalibrated';
  stats?: FilmlessMeasurementStats;
  label?: string;
}

/**
 * What `addMeasurement` takes: a kind, its image (`imageIndex` in the series, or `sopInstanceUID` and
 * `frame`), its points in image pixel coordinates and an optional label. A measurement from
 * `getMeasurements()` or `filmless-measurement` is accepted as it is (to replay it elsewhere).
 */
export interface FilmlessMeasurementInput {
  kind: FilmlessMeasurementKind;
  imageIndex?: number;
  sopInstanceUID?: string;
  frame?: number;
  /** The series (default: the active viewport's); it must be shown in a viewport. */
  seriesInstanceUID?: string;
  imagePoints: [number, number][];
  label?: string;
}

/** `filmless-measurement`: a measurement was added, changed (edited, or its values became known) or removed. */
export interface FilmlessMeasurementDetail {
  action: 'add' | 'change' | 'remove';
  measurement: FilmlessMeasurement;
}

/** Every event `<filmless-viewer>` dispatches, by name, with its type. All of them bubble and are composed. */
export interface FilmlessEventMap {
  'filmless-resolved': CustomEvent<FilmlessResolvedDetail>;
  'filmless-candidates': CustomEvent<FilmlessCandidatesDetail>;
  'filmless-progress': CustomEvent<FilmlessProgressDetail>;
  'filmless-first-image': CustomEvent<FilmlessFirstImageDetail>;
  'filmless-preview': CustomEvent<FilmlessPreviewDetail>;
  'filmless-ready': CustomEvent<FilmlessReadyDetail>;
  'filmless-error': CustomEvent<FilmlessErrorDetail>;
  'filmless-statechange': CustomEvent<FilmlessStateChangeDetail>;
  'filmless-syncrole': CustomEvent<FilmlessSyncRoleDetail>;
  'filmless-shared': CustomEvent<FilmlessSharedDetail>;
  'filmless-priors': CustomEvent<FilmlessPriorsDetail>;
  'filmless-measurement': CustomEvent<FilmlessMeasurementDetail>;
  'filmless-series-checked': CustomEvent<FilmlessSeriesCheckedDetail>;
}

/** One entry per key of `FilmlessEventMap`: the compiler rejects a missing or an extra name. */
const eventNames: { readonly [K in keyof FilmlessEventMap]: true } = {
  'filmless-resolved': true,
  'filmless-candidates': true,
  'filmless-progress': true,
  'filmless-first-image': true,
  'filmless-preview': true,
  'filmless-ready': true,
  'filmless-error': true,
  'filmless-statechange': true,
  'filmless-syncrole': true,
  'filmless-shared': true,
  'filmless-priors': true,
  'filmless-measurement': true,
  'filmless-series-checked': true,
};

/** The names of the events `<filmless-viewer>` dispatches (the keys of `FilmlessEventMap`), e.g. to log them all. */
export const FILMLESS_EVENTS: readonly (keyof FilmlessEventMap)[] = Object.freeze(Object.keys(eventNames) as (keyof FilmlessEventMap)[]);

declare global {
  /** `addEventListener('filmless-…')` on any element is typed with the event's detail. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the global map takes every entry of FilmlessEventMap
  interface HTMLElementEventMap extends FilmlessEventMap {}
}
