/**
 * MPR's panel over the viewport grid: the axial, sagittal and coronal views (Cornerstone's elements,
 * each labelled with its plane) and, in the fourth quarter, the slab controls and the close button.
 * Escape anywhere in the panel closes MPR.
 */
import { css, html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { MessageKey } from '../../i18n/messages.js';
import type { FilmlessSlabMode } from '../events.js';
import { icon } from './icons.js';

export const MPR_PLANES = ['axial', 'sagittal', 'coronal'] as const;

/** Slab thicknesses offered in the panel (mm; 0 = one slice). Any other value can be set through the API. */
export const SLAB_THICKNESSES = [0, 2, 5, 10, 20, 40];

const PLANE_LABELS: Record<(typeof MPR_PLANES)[number], MessageKey> = { axial: 'mprAxial', sagittal: 'mprSagittal', coronal: 'mprCoronal' };
const MODE_LABELS: Record<FilmlessSlabMode, MessageKey> = { mip: 'mprModeMip', minip: 'mprModeMinip', average: 'mprModeAverage' };

export interface MprPanelView {
  building: boolean;
  slabThickness: number;
  slabMode: FilmlessSlabMode;
}

export interface MprPanelActions {
  setSlab(thickness: number, mode: FilmlessSlabMode): void;
  close(): void;
}

/** Events inside MPR are Cornerstone's: they must not reach the grid's own wheel, keys and gestures. */
const stop = (event: Event) => event.stopPropagation();

export function mprPanel(t: LocalizeController, view: MprPanelView, actions: MprPanelActions) {
  const thicknesses = SLAB_THICKNESSES.includes(view.slabThickness) ? SLAB_THICKNESSES : [...SLAB_THICKNESSES, view.slabThickness].sort((a, b) => a - b);
  return html`<div class="mpr" part="mpr" role="group" aria-label=${t.term('mprViews')} aria-busy=${view.building ? 'true' : 'false'}
      @pointerdown=${stop} @pointermove=${stop} @pointerup=${stop} @wheel=${stop} @touchstart=${stop} @touchmove=${stop}
      @keydown=${(event: KeyboardEvent) => {
        if (event.key === 'Escape') actions.close();
      }}>
    ${MPR_PLANES.map(
      (plane) => html`<div class="mpr-pane" data-plane=${plane}>
        <div class="mpr-viewport" data-mpr=${plane} role="img" aria-label=${t.term(PLANE_LABELS[plane])} @contextmenu=${(e: Event) => e.preventDefault()}></div>
        <div class="mpr-label mpr-label-${plane}" aria-hidden="true">${t.term(PLANE_LABELS[plane])}</div>
      </div>`,
    )}
    <div class="mpr-controls">
      <label>${t.term('mprSlabThickness')}
        <select data-control="slab-thickness" @change=${(event: Event) => actions.setSlab(Number((event.target as HTMLSelectElement).value), view.slabMode)}>
          ${thicknesses.map((mm) => html`<option value=${mm} ?selected=${mm === view.slabThickness}>${mm === 0 ? t.term('mprSlabOff') : t.term('mprSlabMm', { mm })}</option>`)}
        </select>
      </label>
      <label>${t.term('mprSlabMode')}
        <select data-control="slab-mode" ?disabled=${view.slabThickness === 0}
          @change=${(event: Event) => actions.setSlab(view.slabThickness, (event.target as HTMLSelectElement).value as FilmlessSlabMode)}>
          ${(Object.keys(MODE_LABELS) as FilmlessSlabMode[]).map((mode) => html`<option value=${mode} ?selected=${mode === view.slabMode}>${t.term(MODE_LABELS[mode])}</option>`)}
        </select>
      </label>
      <button type="button" class="mpr-close" data-control="close" @click=${actions.close}>${icon('close')}<span>${t.term('mprClose')}</span></button>
      ${view.building ? html`<p class="mpr-building" role="status">${t.term('mprBuilding')}</p>` : nothing}
    </div>
  </div>`;
}

export const mprStyles = css`
  .mpr { position: absolute; inset: 0; z-index: 3; display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr; gap: 2px; background: #000; }
  .mpr-pane { position: relative; min-width: 0; min-height: 0; overflow: hidden; }
  .mpr-viewport { position: absolute; inset: 0; outline: none; }
  .mpr-label { position: absolute; top: 4px; left: 6px; font-size: 12px; pointer-events: none; text-shadow: 0 0 2px #000, 0 0 4px #000; }
  .mpr-label-axial { color: rgb(240, 110, 110); }
  .mpr-label-sagittal { color: rgb(240, 210, 80); }
  .mpr-label-coronal { color: rgb(110, 220, 130); }
  .mpr-controls { display: flex; flex-direction: column; gap: 10px; padding: 12px; overflow: auto; color: var(--filmless-color-panel-foreground, #ddd);
    background: var(--filmless-color-panel, #1b1b1b); font-size: 13px; }
  .mpr-controls label { display: flex; flex-direction: column; gap: 4px; }
  .mpr-controls select, .mpr-close { font: inherit; min-height: 30px; max-width: 16rem; color: inherit; background: transparent;
    border: 1px solid var(--filmless-color-border, #555); border-radius: 4px; }
  .mpr-controls option { color: #000; }
  .mpr-close { display: inline-flex; align-items: center; gap: 6px; padding: 0 10px; cursor: pointer; align-self: flex-start; }
  .mpr-close .icon { width: 16px; height: 16px; }
  .mpr-building { margin: 0; opacity: 0.8; }
`;
