/**
 * The geometry part of a viewport's overlay: orientation markers at the middle of each edge, the
 * series' warnings (missing slices, gantry tilt, lossy, non-square pixels, localizer), the slice's
 * location and thickness, and, on demand, the cursor's patient position and the value under it.
 * Markers and warnings stay when the corners' text is hidden: they are about what the image means.
 */
import { css, html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import { sliceLocation, sliceThickness } from '../../study/stacks.js';
import type { ViewportLoad } from '../../viewport/viewport-load.js';

/** The patient position (mm) under the pointer and the modality value there. */
export interface CursorReadout {
  position: [number, number, number];
  value?: number;
}

/** L/R, A/P, H/F at the middle of each edge of the image area. */
export function orientationMarkers(load: ViewportLoad) {
  const markers = load.orientation();
  if (!markers.top && !markers.right && !markers.bottom && !markers.left) return nothing;
  return html`<div class="markers" aria-hidden="true">
    <span class="marker top" data-edge="top">${markers.top}</span><span class="marker right" data-edge="right">${markers.right}</span>
    <span class="marker bottom" data-edge="bottom">${markers.bottom}</span><span class="marker left" data-edge="left">${markers.left}</span>
  </div>`;
}

/** The shown stack's warnings, one compact line under the top marker. */
export function geometryWarnings(t: LocalizeController, load: ViewportLoad) {
  const series = load.series;
  const warnings = series?.stacks[series.stackIndex]?.warnings ?? [];
  if (warnings.length === 0) return nothing;
  return html`<div class="geometry-warnings" role="note">${warnings.map((w) => html`<span data-warning=${w}>${t.term(`warning.${w}`)}</span>`)}</div>`;
}

const mm = (value: number) => Math.round(value * 100) / 100;

/** "Loc −12.5 mm · Thk 5 mm" for the slice on screen (bottom-left block, under the image number). */
export function sliceLine(t: LocalizeController, load: ViewportLoad) {
  const frame = load.currentFrame();
  if (!frame) return nothing;
  const location = sliceLocation(frame);
  const thickness = sliceThickness(frame);
  const parts = [
    location === undefined ? '' : t.term('overlaySliceLocation', { value: mm(location) }),
    thickness === undefined ? '' : t.term('overlayThickness', { value: mm(thickness) }),
  ].filter(Boolean);
  return parts.length ? html`<div class="slice-line">${parts.join(' · ')}</div>` : nothing;
}

/** The cursor's readout, when asked for (toolbar toggle, key C) and the pointer is over the image. */
export function cursorLine(t: LocalizeController, readout: CursorReadout | undefined) {
  if (!readout) return nothing;
  // Numbers in the viewer's language (Turkish writes -0,6).
  const [x, y, z] = readout.position.map((v) => Math.round(v * 10) / 10) as [number, number, number];
  const value = readout.value === undefined ? '' : ` · ${t.term('cursorValue', { value: Math.round(readout.value * 10) / 10 })}`;
  return html`<div class="cursor-line">${t.term('cursorPosition', { x, y, z })}${value}</div>`;
}

export const geometryOverlayStyles = css`
  .overlay .marker { position: absolute; font-weight: 600; font-size: 14px; letter-spacing: 0.02em; }
  .overlay .marker.top { top: 4px; left: 50%; transform: translateX(-50%); }
  .overlay .marker.bottom { bottom: 14px; left: 50%; transform: translateX(-50%); }
  .overlay .marker.left { left: 6px; top: 50%; transform: translateY(-50%); }
  .overlay .marker.right { right: 6px; top: 50%; transform: translateY(-50%); }
  .overlay .geometry-warnings { position: absolute; top: 24px; left: 25%; right: 25%; display: flex; flex-wrap: wrap; gap: 2px 8px;
    justify-content: center; color: #ffd54f; font-size: 12px; font-weight: 600; }
`;
