/**
 * The measurement tools of the toolbar's "Measure" menu, and the measurement list at the foot of the
 * series panel: each entry shows its kind, value and image; choosing it shows that image with the
 * measurement selected; its trash button (or Delete while it has focus) deletes it.
 */
import { css, html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { MessageKey } from '../../i18n/messages.js';
import type { PrimaryTool } from '../../imaging/stack-controller.js';
import type { FilmlessMeasurement } from '../events.js';
import { type IconName, icon } from './icons.js';

/** The Measure menu's tools, in order. */
export const MEASURE_TOOLS: { tool: PrimaryTool & IconName; label: MessageKey }[] = [
  { tool: 'length', label: 'toolLength' },
  { tool: 'angle', label: 'toolAngle' },
  { tool: 'cobbAngle', label: 'toolCobbAngle' },
  { tool: 'ellipseRoi', label: 'toolEllipseRoi' },
  { tool: 'rectangleRoi', label: 'toolRectangleRoi' },
  { tool: 'probe', label: 'toolProbe' },
  { tool: 'arrow', label: 'toolArrow' },
  { tool: 'eraser', label: 'toolEraser' },
];

/** The icon of the Measure button: the chosen measurement tool's, else the menu's own. */
export function measureIcon(tool: PrimaryTool): IconName {
  return MEASURE_TOOLS.some((entry) => entry.tool === tool) ? (tool as IconName) : 'measure';
}

export interface MeasurementListView {
  measurements: FilmlessMeasurement[];
  selected: string | undefined;
  /** The text of a measurement's value, as drawn beside it. */
  describe(measurement: FilmlessMeasurement): string;
}

export interface MeasurementListActions {
  select(id: string): void;
  remove(id: string): void;
}

/** Each kind's name in the list and the toolbar. */
export const MEASUREMENT_NAMES: Record<FilmlessMeasurement['kind'], MessageKey> = {
  length: 'toolLength',
  angle: 'toolAngle',
  cobbAngle: 'toolCobbAngle',
  ellipseRoi: 'toolEllipseRoi',
  rectangleRoi: 'toolRectangleRoi',
  probe: 'toolProbe',
  arrow: 'toolArrow',
};

/** The list, in the order the measurements were made; nothing while there are none. */
export function measurementList(t: LocalizeController, view: MeasurementListView, actions: MeasurementListActions) {
  if (view.measurements.length === 0) return nothing;
  return html`<section class="measurement-list" part="measurements" aria-labelledby="measurements-title" tabindex="-1">
    <h2 id="measurements-title">${t.term('measurementsList')}</h2>
    <ul>
      ${view.measurements.map((m) => {
        const kind = t.term(MEASUREMENT_NAMES[m.kind]);
        const text = view.describe(m);
        const where = t.term('measurementImage', { index: m.imageIndex + 1 });
        return html`<li>
          <button type="button" class="measurement-entry" data-measurement=${m.id} aria-pressed=${m.id === view.selected ? 'true' : 'false'}
            @click=${() => actions.select(m.id)}>
            ${icon(m.kind as IconName)}
            <span class="measurement-text"><strong>${kind}</strong>${text ? html` <span>${text}</span>` : nothing}
              <small>${where}</small></span>
          </button>
          <button type="button" class="measurement-delete" data-measurement=${m.id} aria-label=${`${t.term('measurementDelete')}: ${kind}, ${where}`}
            title=${t.term('measurementDelete')} @click=${() => actions.remove(m.id)}>${icon('trash')}</button>
        </li>`;
      })}
    </ul>
  </section>`;
}

/** The label field of a new (or double-clicked) arrow, over the image: Enter saves, Escape cancels. */
export function labelField(t: LocalizeController, current: string, answer: (label: string | undefined) => void) {
  return html`<form class="measurement-label" part="measurement-label" aria-label=${t.term('toolArrow')}
    @submit=${(event: Event) => {
      event.preventDefault();
      answer((event.currentTarget as HTMLFormElement).querySelector('input')?.value);
    }}
    @keydown=${(event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      answer(undefined);
    }}>
    <label>${t.term('measurementArrowPrompt')} <input type="text" maxlength="200" .value=${current} /></label>
    <button type="submit">${t.term('measurementLabelSave')}</button>
    <button type="button" @click=${() => answer(undefined)}>${t.term('measurementLabelCancel')}</button>
  </form>`;
}

export const measurementStyles = css`
  .measurement-label { position: absolute; left: 50%; top: 12px; transform: translateX(-50%); z-index: 5; display: flex; flex-wrap: wrap;
    gap: 6px; align-items: center; padding: 8px; border-radius: 6px; max-width: calc(100% - 24px); box-sizing: border-box;
    background: var(--filmless-panel); color: var(--filmless-panel-foreground); border: 1px solid var(--filmless-border);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.5); }
  .measurement-label label { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
  .measurement-label input { font: inherit; min-width: 10em; padding: 4px 6px; }
  .measurement-label button { min-height: 30px; padding: 2px 10px; }
  .measurement-list { margin-top: 6px; padding-top: 6px; border-top: 1px solid rgb(127 127 127 / 0.35); font-size: 0.85em; }
  .measurement-list h2 { font-size: 1em; margin: 0 0 4px; font-weight: 600; }
  .measurement-list ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
  .measurement-list li { display: flex; gap: 2px; align-items: stretch; }
  .series-list .measurement-list .measurement-entry { flex: 1; flex-direction: row; align-items: flex-start; gap: 4px; min-width: 0; padding: 3px; }
  .measurement-list .icon { width: 16px; height: 16px; flex: none; margin-top: 1px; }
  .measurement-text { display: flex; flex-direction: column; min-width: 0; overflow-wrap: anywhere; line-height: 1.25; }
  .measurement-text small { opacity: 0.8; }
  .series-list .measurement-list .measurement-delete { flex: none; justify-content: center; align-items: center; padding: 2px; min-width: 28px; }
`;
