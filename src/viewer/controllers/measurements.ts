/**
 * Measurements: the list the element reports (`getMeasurements`, `filmless-measurement`), adding and
 * removing them by API, selecting one (its image is shown) and deleting it by key. Each viewport's
 * Cornerstone annotations (imaging/measurement-tools.ts) draw and edit them; this list is the record,
 * so a measurement outlives its drawing: when its series is shown again, it is drawn again.
 */
import type { ReactiveController } from 'lit';
import type { ImageMeasurement, MeasurementAction, MeasurementLayer } from '../../imaging/measurement-tools.js';
import type { FilmlessMeasurement, FilmlessMeasurementInput, FilmlessMeasurementKind } from '../events.js';
import type { ViewerContext } from './viewer-context.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';

const KINDS: readonly FilmlessMeasurementKind[] = ['length', 'angle', 'cobbAngle', 'ellipseRoi', 'rectangleRoi', 'probe', 'arrow'];
const POINTS: Record<FilmlessMeasurementKind, number> = { length: 2, angle: 3, cobbAngle: 4, ellipseRoi: 2, rectangleRoi: 2, probe: 1, arrow: 2 };


/** Labels are text from the host page or the user: kept short, drawn as text. */
const MAX_LABEL = 200;

export interface MeasurementsHost {
  /** Shows a series in the active viewport (to select a measurement whose series is not shown). */
  showSeries(seriesInstanceUID: string, studyInstanceUID: string): void;
}

export class MeasurementsController implements ReactiveController {
  /** The selected measurement (list and viewport), if any. */
  selectedId: string | undefined;
  /** An arrow waiting for its label (the label field is shown over the image). */
  labelRequest: { current: string; done: (label: string | undefined) => void } | undefined;

  private readonly measurements = new Map<string, FilmlessMeasurement>();
  /** The viewport drawing each measurement, while it does. */
  private readonly drawnIn = new Map<string, ViewportCell>();
  private readonly hooked = new WeakSet<MeasurementLayer>();
  /** Selected once its series is shown. */
  private pendingSelection: string | undefined;

  constructor(
    private readonly context: ViewerContext,
    private readonly grid: ViewportGrid,
    private readonly viewer: MeasurementsHost,
  ) {
    context.host.addController(this);
  }

  hostConnected(): void {
    this.context.host.addEventListener('keydown', this.handleKeydown);
  }

  hostDisconnected(): void {
    this.context.host.removeEventListener('keydown', this.handleKeydown);
  }

  /** Every measurement, in the order they were made (copies). */
  all(): FilmlessMeasurement[] {
    return [...this.measurements.values()].map(copy);
  }

  /** Another study is opened: its list starts empty (no events: the measurements went with their study). */
  reset(): void {
    const drawn = [...this.drawnIn];
    this.measurements.clear();
    this.drawnIn.clear();
    for (const [id, cell] of drawn) cell.load.stack.measurements?.remove(id);
    this.selectedId = undefined;
    this.pendingSelection = undefined;
    this.context.host.requestUpdate();
  }

  /** A viewport shows a series with working tools: its measurements are drawn there. */
  seriesShown(cell: ViewportCell): void {
    const layer = cell.load.stack.measurements;
    const series = cell.load.series;
    if (!layer || !series) return;
    this.hook(cell, layer);
    layer.dropStale();
    for (const [id, drawn] of this.drawnIn) if (drawn === cell && !layer.list().some((m) => m.id === id)) this.drawnIn.delete(id);
    for (const measurement of this.measurements.values()) {
      if (measurement.seriesInstanceUID !== series.seriesInstanceUID || measurement.studyInstanceUID !== series.study.studyInstanceUID) continue;
      if (this.drawnIn.has(measurement.id)) continue;
      const index = series.frames.findIndex((f) => f.sopInstanceUID === measurement.sopInstanceUID && f.frameNumber === measurement.frame);
      if (index >= 0) layer.add(measurement.kind, index, measurement.imagePoints, measurement.label, measurement.id);
    }
    if (this.pendingSelection && this.drawnIn.get(this.pendingSelection) === cell) {
      const id = this.pendingSelection;
      this.pendingSelection = undefined;
      this.select(id);
    }
  }

  /** Adds a measurement from image coordinates; undefined and a `filmless-error` when it cannot. */
  add(input: FilmlessMeasurementInput): FilmlessMeasurement | undefined {
    const problem = (detail: string) => {
      this.context.emit('filmless-error', { code: 'invalid-measurement', message: this.context.localize.term('error.invalid-measurement', { detail }), fatal: false });
      return undefined;
    };
    if (!input || typeof input !== 'object') return problem('no measurement given');
    const { kind, imagePoints, label } = input;
    if (!KINDS.includes(kind)) return problem(`unknown kind ${String(kind)}`);
    if (
      !Array.isArray(imagePoints) ||
      imagePoints.length !== POINTS[kind] ||
      !imagePoints.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]))
    ) {
      return problem(`${kind} takes ${POINTS[kind]} points [column, row]`);
    }
    const cell = this.cellFor(input.seriesInstanceUID);
    const series = cell?.load.series;
    const layer = cell?.load.stack.measurements;
    if (!cell || !series || !layer || !cell.load.stack.isShowing) return problem('its series is not shown');
    let index: number;
    if (typeof input.sopInstanceUID === 'string' && input.sopInstanceUID) {
      const frame = Number.isInteger(input.frame) ? input.frame! : 1;
      index = series.frames.findIndex((f) => f.sopInstanceUID === input.sopInstanceUID && f.frameNumber === frame);
    } else if (input.imageIndex === undefined) {
      index = cell.load.stack.state().imageIndex;
    } else {
      index = Number.isInteger(input.imageIndex) ? input.imageIndex! : -1;
    }
    if (index < 0 || index >= series.frames.length) return problem('no such image in the series');
    const text = typeof label === 'string' ? label.slice(0, MAX_LABEL) : undefined;
    const made = layer.add(kind, index, imagePoints.map((p) => [Number(p[0]), Number(p[1])]), text || undefined);
    if (!made) return problem('the image is not ready');
    const measurement = this.measurements.get(made.id);
    return measurement ? copy(measurement) : undefined;
  }

  /** Removes a measurement (`filmless-measurement` with `remove`); false for an unknown id. */
  remove(id: string): boolean {
    const measurement = this.measurements.get(id);
    if (!measurement) return false;
    const cell = this.drawnIn.get(id);
    if (cell?.load.stack.measurements?.remove(id)) return true;
    this.forget(id);
    this.context.emit('filmless-measurement', { action: 'remove', measurement: copy(measurement) });
    return true;
  }

  /** Removes every measurement (the toolbar's "Delete all"). */
  removeAll(): void {
    for (const id of [...this.measurements.keys()]) this.remove(id);
  }

  /** Selects a measurement: its viewport becomes active and shows its image (its series, if need be). */
  select(id: string): void {
    const measurement = this.measurements.get(id);
    if (!measurement) return;
    this.selectedId = id;
    let cell = this.drawnIn.get(id);
    // A viewport the layout removed no longer draws it.
    if (cell && !(this.grid.cells.includes(cell) && cell.load.stack.measurements?.list().some((m) => m.id === id))) {
      this.drawnIn.delete(id);
      cell = undefined;
    }
    if (!cell) {
      this.pendingSelection = id;
      this.viewer.showSeries(measurement.seriesInstanceUID, measurement.studyInstanceUID);
      this.context.host.requestUpdate();
      return;
    }
    this.grid.activate(this.grid.cells.indexOf(cell));
    cell.load.stack.measurements?.select(id);
    this.context.host.requestUpdate();
  }

  /** The text drawn beside a measurement, in the viewer's language. */
  textLines(measurement: ImageMeasurement | FilmlessMeasurement): string[] {
    const t = this.context.localize;
    const number = (value: number, digits = 1) => new Intl.NumberFormat(t.language, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
    const lines: string[] = [];
    if (measurement.label && measurement.kind !== 'arrow') lines.push(measurement.label);
    const { value, unit, stats } = measurement;
    const withUnit = (v: number, digits = 1) => `${number(v, digits)}${unit ? ` ${unit}` : ''}`;
    const note = measurement.calibration === 'detector' ? ` (${t.term('measurementDetector')})` : measurement.calibration === 'uncalibrated' ? ` (${t.term('measurementUncalibrated')})` : '';
    switch (measurement.kind) {
      case 'length':
        if (value !== undefined) lines.push(`${withUnit(value, 2)}${note}`);
        break;
      case 'angle':
      case 'cobbAngle':
        if (value !== undefined) lines.push(`${number(value)}°`);
        break;
      case 'ellipseRoi':
      case 'rectangleRoi':
        if (stats && stats.pixelCount > 0) {
          lines.push(t.term('measurementMean', { value: withUnit(stats.mean) }), t.term('measurementSd', { value: number(stats.sd) }));
          lines.push(t.term('measurementRange', { min: number(stats.min), max: number(stats.max) }));
        }
        if (stats?.areaMm2 !== undefined) lines.push(t.term('measurementArea', { value: `${number(stats.areaMm2)} mm²${note}` }));
        break;
      case 'probe':
        if (value !== undefined) lines.push(withUnit(value));
        break;
      case 'arrow':
        break;
    }
    return lines;
  }

  /** Shows the label field for an arrow (an empty answer or Cancel leaves the arrow out). */
  private async askLabel(current: string, done: (label: string | undefined) => void): Promise<void> {
    this.labelRequest?.done(undefined);
    this.labelRequest = { current, done };
    this.context.host.requestUpdate();
    await this.context.host.updateComplete;
    this.context.host.renderRoot.querySelector<HTMLInputElement>('.measurement-label input')?.focus();
  }

  /** The label field's answer: the text (Save), or undefined (Cancel, Escape). */
  answerLabel(label: string | undefined): void {
    const request = this.labelRequest;
    this.labelRequest = undefined;
    const text = label?.trim().slice(0, MAX_LABEL);
    request?.done(text || undefined);
    this.context.host.requestUpdate();
    void this.context.host.updateComplete.then(() => this.context.host.renderRoot.querySelector<HTMLElement>('[part="viewport"]')?.focus());
  }

  /** One short line for the list: the value (ROIs: mean and area), or an arrow's label. */
  summary(measurement: FilmlessMeasurement): string {
    if (measurement.kind === 'arrow') return measurement.label ?? '';
    const lines = this.textLines(measurement).filter((line) => line !== measurement.label);
    if (measurement.kind !== 'ellipseRoi' && measurement.kind !== 'rectangleRoi') return lines.join(', ');
    return [lines[0], lines.at(-1)].filter((line, index, all) => line && all.indexOf(line) === index).join(', ');
  }

  /** The viewport a measurement goes to: the one showing its series (the active one first), else the active one. */
  private cellFor(seriesInstanceUID: string | undefined): ViewportCell | undefined {
    const active = this.grid.active;
    if (!seriesInstanceUID) return active;
    const cells = [active, ...this.grid.cells.filter((c) => c !== active)];
    return cells.find((c) => c.load.series?.seriesInstanceUID === seriesInstanceUID);
  }

  private hook(cell: ViewportCell, layer: MeasurementLayer): void {
    if (this.hooked.has(layer)) return;
    this.hooked.add(layer);
    layer.onChange = (action, measurement) => this.layerChanged(cell, action, measurement);
    layer.onSelect = (id) => {
      this.selectedId = id;
      this.context.host.requestUpdate();
    };
    layer.presentation = {
      textLines: (measurement) => this.textLines(measurement),
      askLabel: (current, done) => void this.askLabel(current, done),
    };
  }

  private layerChanged(cell: ViewportCell, action: MeasurementAction, drawn: ImageMeasurement): void {
    const series = cell.load.series;
    if (action === 'remove') {
      const known = this.measurements.get(drawn.id);
      if (!known) return;
      this.forget(drawn.id);
      this.context.emit('filmless-measurement', { action, measurement: copy(known) });
      return;
    }
    if (!series) return;
    const again = action === 'add' && this.measurements.has(drawn.id);
    const stats = drawn.stats;
    const measurement: FilmlessMeasurement = {
      id: drawn.id,
      kind: drawn.kind,
      studyInstanceUID: series.study.studyInstanceUID,
      seriesInstanceUID: series.seriesInstanceUID,
      sopInstanceUID: drawn.sopInstanceUID,
      frame: drawn.frame,
      imageIndex: drawn.imageIndex,
      points: drawn.points,
      imagePoints: drawn.imagePoints,
      ...(drawn.value === undefined || Number.isNaN(drawn.value) ? {} : { value: drawn.value }),
      unit: drawn.unit,
      calibration: drawn.calibration,
      ...(stats
        ? { stats: { mean: stats.mean, sd: stats.sd, min: stats.min, max: stats.max, ...(stats.areaMm2 === undefined ? {} : { areaMm2: stats.areaMm2 }), pixelCount: stats.pixelCount } }
        : {}),
      ...(drawn.label ? { label: drawn.label } : {}),
    };
    this.measurements.set(drawn.id, measurement);
    this.drawnIn.set(drawn.id, cell);
    this.context.host.requestUpdate();
    // Drawn again after its series came back: nothing changed for the host.
    if (!again) this.context.emit('filmless-measurement', { action, measurement: copy(measurement) });
  }

  private forget(id: string): void {
    this.measurements.delete(id);
    this.drawnIn.delete(id);
    if (this.selectedId === id) this.selectedId = undefined;
    if (this.pendingSelection === id) this.pendingSelection = undefined;
    this.context.host.requestUpdate();
  }

  /**
   * Delete (or Backspace) removes the measurement whose list entry has focus, or the selected one
   * while an image area has focus; never while typing in a field.
   */
  private readonly handleKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Delete' && event.key !== 'Backspace') return;
    const origin = event.composedPath()[0];
    if (!(origin instanceof HTMLElement) || origin.matches('input, textarea, select, [contenteditable]')) return;
    const entry = origin.closest<HTMLElement>('[data-measurement]')?.dataset.measurement;
    const id = entry ?? (origin.closest('[part="viewport"]') ? this.selectedId : undefined);
    if (!id || !this.measurements.has(id)) return;
    event.preventDefault();
    event.stopPropagation();
    this.remove(id);
    if (entry) void this.focusList();
  };

  /** After deleting from the list, focus stays in the list (its first entry, or the list itself). */
  private async focusList(): Promise<void> {
    await this.context.host.updateComplete;
    const root = this.context.host.renderRoot;
    (root.querySelector<HTMLElement>('[data-measurement]') ?? root.querySelector<HTMLElement>('.measurement-list'))?.focus();
  }
}

function copy(measurement: FilmlessMeasurement): FilmlessMeasurement {
  return {
    ...measurement,
    points: measurement.points.map((p) => [...p] as [number, number, number]),
    imagePoints: measurement.imagePoints.map((p) => [...p] as [number, number]),
    ...(measurement.stats ? { stats: { ...measurement.stats } } : {}),
  };
}
