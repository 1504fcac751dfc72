/**
 * One cell of the viewport grid: Cornerstone's element (the focusable image area), the lean first
 * image's canvas, and the overlay in the four corners as radiology viewers lay it out (patient top
 * left, study top right, position bottom left, window bottom right).
 */
import { html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { FilmlessErrorCode } from '../../errors.js';
import type { MessageKey } from '../../i18n/messages.js';
import { icon } from './icons.js';
import { isolated, isolatedText, personName, personNameText } from './dicom-text.js';
import type { ViewportLoad } from '../../viewport/viewport-load.js';
import { type CursorReadout, cursorLine, geometryWarnings, orientationMarkers, sliceLine } from './geometry-overlay.js';

export interface CellHandlers {
  keydown(event: KeyboardEvent): void;
  wheel(event: WheelEvent): void;
  /** The user pressed or focused this cell: it becomes the active one. */
  activate(): void;
  /** Double-click: this cell alone over the grid, and back. */
  toggleMaximized(): void;
  /** A series thumbnail was dropped on this cell. */
  dropSeries(seriesInstanceUID: string): void;
  /** The pointer moved over, or left, the image area (the cursor readout). */
  pointerMove?(event: PointerEvent): void;
  pointerLeave?(): void;
}

/** The drag data type of a series thumbnail: its SeriesInstanceUID. */
export const SERIES_DRAG_TYPE = 'application/x-filmless-series';

export interface CellView {
  id: number;
  load: ViewportLoad;
  active: boolean;
  /** Several cells are shown: the active one is outlined. */
  inGrid: boolean;
  /** Names of sources that could not be reached (shown on the cell that shows the study). */
  unreachable: string[];
  /** Whether the viewer is in error (the overlay then gives way to the message). */
  failed: boolean;
  /** More to draw over the image, apart from the overlay's corners (the study date while comparing). */
  extra?: unknown;
  /** Shown alone over the grid; `hidden`: another cell is. */
  maximized: 'this' | 'other' | 'none';
  /** The corners' text is hidden (key I, toolbar button). */
  overlayHidden?: boolean;
  /** The cine playing here: the rate asked and the rate achieved. */
  cine?: { fps: number; achievedFps: number };
  /** The cursor's patient position and value, while the readout is on and the pointer is over this cell. */
  cursor?: CursorReadout;
}

function acceptsSeries(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes(SERIES_DRAG_TYPE) ?? false;
}

export function viewportCell(t: LocalizeController, view: CellView, on: CellHandlers) {
  return html`<div class="cell ${view.active && view.inGrid ? 'active' : ''} ${view.maximized === 'this' ? 'maximized' : ''}"
      data-cell=${view.id} ?hidden=${view.maximized === 'other'}
      @pointerdown=${on.activate} @focusin=${on.activate} @dblclick=${on.toggleMaximized}
      @dragover=${(event: DragEvent) => {
        if (!acceptsSeries(event)) return;
        event.preventDefault();
        event.dataTransfer!.dropEffect = 'copy';
      }}
      @drop=${(event: DragEvent) => {
        const uid = event.dataTransfer?.getData(SERIES_DRAG_TYPE);
        if (!uid) return;
        event.preventDefault();
        on.dropSeries(uid);
      }}>
    <div class="viewport" part="viewport" tabindex="0" role="application" aria-roledescription=${t.term('viewerLabel')}
      aria-label=${viewportDescription(t, view.load)}
      @keydown=${on.keydown} @wheel=${on.wheel} @contextmenu=${(e: Event) => e.preventDefault()}
      @pointermove=${(e: PointerEvent) => on.pointerMove?.(e)} @pointerleave=${() => on.pointerLeave?.()}></div>
    <canvas class="first-image" aria-hidden="true" hidden></canvas>
    ${view.load.preview && !view.failed ? html`<div class="preview-label" part="preview-label" role="status">${t.term('previewLabel')}</div>` : nothing}
    <canvas class="reference-lines" aria-hidden="true"></canvas>
    ${view.failed ? nothing : overlay(t, view)} ${progress(t, view)} ${view.failed ? nothing : (view.extra ?? nothing)}
  </div>`;
}

/**
 * The overlay, in the corners as radiology viewers lay it out: patient (top left), study (top right),
 * series and position (bottom left), window and zoom (bottom right). Each line is truncated with an
 * ellipsis rather than wrapped, and shadowed to stay legible over any image. The corners can be hidden
 * (key I, toolbar button); notices about the image stay.
 */
function overlay(t: LocalizeController, { load, unreachable, overlayHidden, cursor, cine }: CellView) {
  const series = load.series;
  const display = load.display;
  if (!series || !display) return nothing;
  const { study, description, modality } = series;
  const { imageIndex, imageCount, windowCenter, windowWidth, zoom } = display;
  const number = study.series.find((s) => s.seriesInstanceUID === series.seriesInstanceUID)?.seriesNumber;
  // DICOM text, isolated (dicom-text.ts): a bidi override in it never reorders the rest of the overlay.
  const line = (text: string | number | undefined) => (text === undefined || text === '' ? nothing : html`<div title=${isolatedText(text)}>${isolated(text)}</div>`);
  const seriesLine = [modality, number === undefined ? '' : t.term('overlaySeries', { number })].filter(Boolean).join(' · ');
  return html`<div class="overlay ${overlayHidden ? 'text-hidden' : ''}" part="overlay">
    ${load.undecodable.has(imageIndex) ? imageErrorTile(t, imageIndex, load.imageErrors.get(imageIndex)) : nothing}
    <div class="corner tl"><div class="strong" title=${personNameText(study.patientName, t.language)}>${personName(study.patientName, t.language)}</div>${line(study.patientID)}</div>
    <div class="corner tr">${line(study.institution)}${line(study.description)}${line(t.date(study.studyDate))}
      ${study.sources.some(Boolean) ? line(study.sources.join(', ')) : nothing}</div>
    <div class="corner bl">${description && seriesLine ? html`<div title=${`${seriesLine} · ${isolatedText(description)}`}>${seriesLine} · ${isolated(description)}</div>` : line(seriesLine || description)}
      <div>${t.term('imagePosition', { index: imageIndex + 1, count: imageCount })}</div>${sliceLine(t, load)}${cursorLine(t, cursor)}</div>
    <div class="corner br">${cine ? html`<div>${t.term('overlayCine', { achieved: cine.achievedFps, fps: cine.fps })}</div>` : nothing}
      ${Math.abs(zoom - 1) > 0.005 ? html`<div>${t.term('overlayZoom', { zoom: Math.round(zoom * 100) })}</div>` : nothing}
      <div>${t.term('windowLevel', { width: Math.round(windowWidth), center: Math.round(windowCenter) })}</div></div>
    ${orientationMarkers(load)} ${geometryWarnings(t, load)}
    ${unreachable.length ? html`<div class="banner">${unreachableNotice(t, unreachable)}</div>` : nothing}
  </div>`;
}

/** Why an image cannot be shown, in words: the message key of an image failure's code. */
export function imageErrorReason(code: FilmlessErrorCode | undefined): MessageKey {
  if (code === 'bad-data' || code === 'unsupported' || code === 'internal') return `imageError.${code}`;
  return code === undefined || code === 'webgl' ? 'imageError.internal' : 'imageError.fetch';
}

/**
 * In the place of an image that cannot be shown: what failed and why, over the whole image area (the
 * viewport behind it still holds the previous image's pixels). The overlay's corners stay on top.
 */
function imageErrorTile(t: LocalizeController, imageIndex: number, code: FilmlessErrorCode | undefined) {
  return html`<div class="image-error" part="image-error" role="alert">
    <div class="image-error-card">${icon('imageError')}
      <div><div class="image-error-title">${t.term('imageErrorTitle', { index: imageIndex + 1 })}</div>
        <div>${t.term(imageErrorReason(code))}</div>
        <div class="image-error-hint">${t.term('imageErrorOthers')}</div></div></div>
  </div>`;
}

function progress(t: LocalizeController, { load, failed }: CellView) {
  const { loaded, total } = load.progress;
  if (failed || total === 0 || loaded >= total) return nothing;
  return html`<div class="progress" part="progress"><progress max=${total} value=${loaded}
    aria-label=${t.term('loading', { loaded, total })}></progress></div>`;
}

/** Names the sources that could not be reached, so a missing study is never silently missing. */
export function unreachableNotice(t: LocalizeController, unreachable: string[]) {
  if (unreachable.length === 0) return nothing;
  return html`<p class="unreachable" role="status">${t.term('unreachableSources', { sources: unreachable.join(', ') })}</p>`;
}

/** The image area's text alternative: what is shown, in words. */
export function viewportDescription(t: LocalizeController, load: ViewportLoad): string {
  if (!load.series || !load.display) return t.term('viewerLabel');
  const { imageIndex, imageCount, windowCenter, windowWidth } = load.display;
  return t.term('viewportDescription', {
    modality: load.series.modality,
    series: load.series.description,
    index: imageIndex + 1,
    count: imageCount,
    center: Math.round(windowCenter),
    width: Math.round(windowWidth),
  });
}
