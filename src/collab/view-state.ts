/**
 * The view state a consultation shares: which study, which layout, which viewport is active, and what
 * each viewport shows and how (series, slice, window, zoom, pan, rotation, flips, inversion), plus a
 * presenter's laser pointer. Versioned (`v: 1`) and JSON-serialisable.
 *
 * Everything that reaches `parseViewState` is untrusted (another browser, a host page's relay): it is read
 * field by field into fresh objects, never merged or assigned onto anything, so keys such as
 * `__proto__`, `constructor` or `prototype` can never change an object's prototype. Unknown versions,
 * extra fields, wrong types, non-finite numbers, out-of-range indexes and oversized arrays are refused
 * with a reason (a developer's text, never shown to users).
 *
 * Cornerstone-free and Lit-free: the element, the demo relay and tests all use it.
 */
import type { FilmlessLayout, FilmlessMeasurementKind, FilmlessViewportState } from '../viewer/events.js';

/** The only state version this build reads and writes. */
export const VIEW_STATE_VERSION = 1;

/** The layouts a state may name, and how many viewports each has. */
export const SYNC_LAYOUTS: Readonly<Record<FilmlessLayout, number>> = Object.freeze({ '1x1': 1, '1x2': 2, '2x1': 2, '2x2': 4 });

/** Bounds that keep a hostile state from costing memory or time. */
export const LIMITS = Object.freeze({
  /** Images in one series (the largest real stacks hold a few thousand). */
  maxImageCount: 100_000,
  /** Measurements in one state. */
  maxMeasurements: 500,
  /** Characters of a DICOM UID (the standard's maximum). */
  maxUidLength: 64,
  /** Magnitude of any window, pan, rotation or coordinate value. */
  maxMagnitude: 1e7,
  /** Zoom range (1 = fitted). */
  minZoom: 1e-3,
  maxZoom: 1e3,
  /** Characters of a measurement's label. */
  maxStringLength: 256,
});

/** A presenter's laser pointer: a point of one viewport's image, in image pixels (column, row). */
export interface FilmlessSyncPointer {
  /** 0-based viewport index (grid order). */
  viewport: number;
  /** Image column (x) and row (y), in pixels of the displayed image; fractions allowed. */
  x: number;
  y: number;
}

/**
 * One measurement or arrow as the sync state carries it: what `addMeasurement` needs to draw it again
 * (its kind, image, points in image pixels and label) and the presenter's id for it. Values (length,
 * ROI statistics) are not carried: each viewer measures on its own pixels.
 */
export interface FilmlessSyncMeasurement {
  /** The presenter's id of the measurement (followers map it to their own). */
  id: string;
  kind: FilmlessMeasurementKind;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  /** 1-based frame number in its instance. */
  frame: number;
  /** Image pixel coordinates `[column, row]`. */
  imagePoints: [number, number][];
  label?: string;
}

/** Points each kind takes (as `addMeasurement` does). */
const MEASUREMENT_POINTS: Readonly<Record<FilmlessMeasurementKind, number>> = { length: 2, angle: 3, cobbAngle: 4, ellipseRoi: 2, rectangleRoi: 2, probe: 1, arrow: 2 };

/**
 * The shared view state (`v: 1`): what `applyViewState()` takes and what viewers in a consultation
 * exchange. `getViewState()` returns a superset of it (the active viewport's fields at the top level
 * too), which `applyViewState()` accepts as well.
 */
export interface FilmlessSyncState {
  v: 1;
  /** The study the viewer has open; empty while none is. */
  studyInstanceUID: string;
  layout: FilmlessLayout;
  /** Index of the active viewport in `viewports`. */
  activeViewport: number;
  /** Every viewport, in grid order: exactly as many as the layout has. */
  viewports: FilmlessViewportState[];
  /** Measurements and arrows, in the order they were made. */
  measurements: FilmlessSyncMeasurement[];
  /** The presenter's laser pointer, when shown. */
  pointer?: FilmlessSyncPointer;
}

/** Outcome of reading untrusted input: the value in fresh objects, or why it was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Thrown inside the readers only; `parse…` functions turn it into `{ok: false}` with its message. */
export class InvalidInput extends Error {}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A plain object (not an array, not a class instance, not a proxy of one) whose keys are all allowed. */
export function plainObject(value: unknown, where: string, allowed?: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInput(`${where} is not an object`);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new InvalidInput(`${where} is not a plain object`);
  const keys = Reflect.ownKeys(value);
  for (const key of keys) {
    if (typeof key !== 'string') throw new InvalidInput(`${where} has a symbol key`);
    if (FORBIDDEN_KEYS.has(key)) throw new InvalidInput(`${where} has the forbidden key ${key}`);
    if (allowed && !allowed.has(key)) throw new InvalidInput(`${where} has the unknown field ${key}`);
  }
  const descriptors = Object.getOwnPropertyDescriptors(value);
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of keys as string[]) {
    const descriptor = descriptors[key]!;
    if (!('value' in descriptor)) throw new InvalidInput(`${where}.${key} is an accessor`);
    copy[key] = descriptor.value;
  }
  return copy;
}

export function finiteNumber(value: unknown, where: string, min: number = -LIMITS.maxMagnitude, max: number = LIMITS.maxMagnitude): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInput(`${where} is not a finite number`);
  if (value < min || value > max) throw new InvalidInput(`${where} is out of range`);
  return value;
}

export function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InvalidInput(`${where} is not an integer`);
  if (value < min || value > max) throw new InvalidInput(`${where} is out of range`);
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidInput(`${where} is not a boolean`);
  return value;
}

/** A DICOM UID (digits and dots, at most 64 characters) or, where allowed, the empty string. */
export function uid(value: unknown, where: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new InvalidInput(`${where} is not a string`);
  if (value === '' && allowEmpty) return value;
  if (value.length > LIMITS.maxUidLength || !/^[0-9]+(\.[0-9]+)*$/.test(value)) throw new InvalidInput(`${where} is not a DICOM UID`);
  return value;
}

/** An array of at most `max` items, copied (a sparse or oversized array is refused before reading items). */
export function boundedArray(value: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new InvalidInput(`${where} is not an array`);
  if (Object.getPrototypeOf(value) !== Array.prototype) throw new InvalidInput(`${where} is not a plain array`);
  const length = value.length;
  if (length > max) throw new InvalidInput(`${where} has more than ${max} items`);
  const copy: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const descriptor = Object.getOwnPropertyDescriptor(value, i);
    if (!descriptor || !('value' in descriptor)) throw new InvalidInput(`${where}[${i}] is missing or an accessor`);
    copy.push(descriptor.value);
  }
  return copy;
}

function layout(value: unknown, where: string): FilmlessLayout {
  if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(SYNC_LAYOUTS, value)) throw new InvalidInput(`${where} is not a layout`);
  return value as FilmlessLayout;
}

const VIEWPORT_FIELDS = new Set(['studyInstanceUID', 'seriesInstanceUID', 'imageIndex', 'imageCount', 'windowCenter', 'windowWidth', 'zoom', 'pan', 'rotation', 'flipH', 'flipV', 'invert']);

/** The fields of a viewport a patch may change (every field of it). */
export const VIEWPORT_FIELD_NAMES: readonly (keyof FilmlessViewportState)[] = [...VIEWPORT_FIELDS] as (keyof FilmlessViewportState)[];

/** Reads one field of a viewport; shared by full states and patches. */
function viewportField(key: keyof FilmlessViewportState, value: unknown, where: string): FilmlessViewportState[keyof FilmlessViewportState] {
  switch (key) {
    case 'studyInstanceUID':
    case 'seriesInstanceUID':
      return uid(value, where, true);
    case 'imageIndex':
      return integer(value, where, 0, LIMITS.maxImageCount - 1);
    case 'imageCount':
      return integer(value, where, 0, LIMITS.maxImageCount);
    case 'windowCenter':
      return finiteNumber(value, where);
    case 'windowWidth':
      return finiteNumber(value, where, 0);
    case 'zoom':
      return finiteNumber(value, where, LIMITS.minZoom, LIMITS.maxZoom);
    case 'pan': {
      const pan = boundedArray(value, where, 2);
      if (pan.length !== 2) throw new InvalidInput(`${where} is not a pair`);
      return [finiteNumber(pan[0], `${where}[0]`), finiteNumber(pan[1], `${where}[1]`)];
    }
    case 'rotation':
      return finiteNumber(value, where, -36_000, 36_000);
    case 'flipH':
    case 'flipV':
    case 'invert':
      return boolean(value, where);
  }
}

/** Checks that fields depending on each other agree (slice within the series, series within a study). */
function checkViewport(viewport: Partial<FilmlessViewportState>, where: string): void {
  const { imageIndex, imageCount, seriesInstanceUID, studyInstanceUID } = viewport;
  if (imageIndex !== undefined && imageCount !== undefined && imageCount > 0 && imageIndex >= imageCount) throw new InvalidInput(`${where}.imageIndex is past the series' end`);
  if (seriesInstanceUID && studyInstanceUID === '') throw new InvalidInput(`${where} names a series without its study`);
}

/**
 * Fields of a viewport in `getViewState()` that are this viewer's own (a cine's playback, the orientation
 * markers, the stack of a multi-stack series): accepted so a viewer's state applies to another, not read.
 */
const VIEWPORT_ECHOES = new Set([...VIEWPORT_FIELDS, 'cine', 'orientation', 'stackIndex']);

function readViewport(value: unknown, where: string): FilmlessViewportState {
  const object = plainObject(value, where, VIEWPORT_ECHOES);
  const out = {} as Record<string, unknown>;
  for (const key of VIEWPORT_FIELD_NAMES) {
    if (!(key in object)) throw new InvalidInput(`${where}.${key} is missing`);
    out[key] = viewportField(key, object[key], `${where}.${key}`);
  }
  const viewport = out as unknown as FilmlessViewportState;
  checkViewport(viewport, where);
  return viewport;
}

/** A partial viewport (the fields a patch changes), at least one field. */
export function readViewportChanges(value: unknown, where: string): Partial<FilmlessViewportState> {
  const object = plainObject(value, where, VIEWPORT_FIELDS);
  const out = {} as Record<string, unknown>;
  for (const key of VIEWPORT_FIELD_NAMES) {
    if (key in object) out[key] = viewportField(key, object[key], `${where}.${key}`);
  }
  if (Object.keys(out).length === 0) throw new InvalidInput(`${where} changes nothing`);
  const changes = out as Partial<FilmlessViewportState>;
  checkViewport(changes, where);
  return changes;
}

export function readPointer(value: unknown, where: string, viewportCount = 4): FilmlessSyncPointer {
  const object = plainObject(value, where, new Set(['viewport', 'x', 'y']));
  return {
    viewport: integer(object['viewport'], `${where}.viewport`, 0, viewportCount - 1),
    x: finiteNumber(object['x'], `${where}.x`, -LIMITS.maxImageCount, LIMITS.maxImageCount),
    y: finiteNumber(object['y'], `${where}.y`, -LIMITS.maxImageCount, LIMITS.maxImageCount),
  };
}

/** Fields of a measurement from `getMeasurements()` that a state may carry and that are not read (values are measured again). */
const MEASUREMENT_ECHOES = ['imageIndex', 'points', 'value', 'unit', 'calibration', 'stats'];
const MEASUREMENT_FIELDS = new Set(['id', 'kind', 'studyInstanceUID', 'seriesInstanceUID', 'sopInstanceUID', 'frame', 'imagePoints', 'label', ...MEASUREMENT_ECHOES]);

function readMeasurement(value: unknown, where: string): FilmlessSyncMeasurement {
  const object = plainObject(value, where, MEASUREMENT_FIELDS);
  const id = object['id'];
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) throw new InvalidInput(`${where}.id is not an id`);
  const kind = object['kind'];
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(MEASUREMENT_POINTS, kind)) throw new InvalidInput(`${where}.kind is unknown`);
  const count = MEASUREMENT_POINTS[kind as FilmlessMeasurementKind];
  const points = boundedArray(object['imagePoints'], `${where}.imagePoints`, count).map((point, i) => {
    const pair = boundedArray(point, `${where}.imagePoints[${i}]`, 2);
    if (pair.length !== 2) throw new InvalidInput(`${where}.imagePoints[${i}] is not [column, row]`);
    return [finiteNumber(pair[0], `${where}.imagePoints[${i}][0]`, -LIMITS.maxImageCount, LIMITS.maxImageCount), finiteNumber(pair[1], `${where}.imagePoints[${i}][1]`, -LIMITS.maxImageCount, LIMITS.maxImageCount)] as [number, number];
  });
  if (points.length !== count) throw new InvalidInput(`${where}.imagePoints: ${kind} takes ${count} points`);
  const measurement: FilmlessSyncMeasurement = {
    id,
    kind: kind as FilmlessMeasurementKind,
    studyInstanceUID: uid(object['studyInstanceUID'], `${where}.studyInstanceUID`, true),
    seriesInstanceUID: uid(object['seriesInstanceUID'], `${where}.seriesInstanceUID`, false),
    sopInstanceUID: uid(object['sopInstanceUID'], `${where}.sopInstanceUID`, false),
    frame: integer(object['frame'], `${where}.frame`, 1, LIMITS.maxImageCount),
    imagePoints: points,
  };
  if ('label' in object && object['label'] !== undefined) {
    const label = object['label'];
    if (typeof label !== 'string' || label.length > LIMITS.maxStringLength) throw new InvalidInput(`${where}.label is not a short text`);
    measurement.label = label;
  }
  return measurement;
}

/**
 * Fields of `getViewState()` and `filmless-statechange` that repeat the active viewport (or say where a
 * change came from): accepted so a viewer's own state can be applied to another, and ignored.
 */
const ECHOED_FIELDS = ['seriesInstanceUID', 'imageIndex', 'imageCount', 'windowCenter', 'windowWidth', 'zoom', 'origin'];
const STATE_FIELDS = new Set(['v', 'studyInstanceUID', 'layout', 'activeViewport', 'viewports', 'measurements', 'pointer', ...ECHOED_FIELDS]);

function readState(input: unknown): FilmlessSyncState {
  const object = plainObject(input, 'state', STATE_FIELDS);
  if (object['v'] !== VIEW_STATE_VERSION) throw new InvalidInput(`state.v is not ${VIEW_STATE_VERSION}`);
  const studyInstanceUID = uid(object['studyInstanceUID'], 'state.studyInstanceUID', true);
  const grid = layout(object['layout'], 'state.layout');
  const count = SYNC_LAYOUTS[grid];
  const viewports = boundedArray(object['viewports'], 'state.viewports', 4).map((v, i) => readViewport(v, `state.viewports[${i}]`));
  if (viewports.length !== count) throw new InvalidInput(`state.viewports has ${viewports.length} items for layout ${grid}`);
  const activeViewport = integer(object['activeViewport'], 'state.activeViewport', 0, count - 1);
  const measurements = 'measurements' in object ? boundedArray(object['measurements'], 'state.measurements', LIMITS.maxMeasurements).map((m, i) => readMeasurement(m, `state.measurements[${i}]`)) : [];
  if (new Set(measurements.map((m) => m.id)).size !== measurements.length) throw new InvalidInput('state.measurements repeats an id');
  const state: FilmlessSyncState = { v: VIEW_STATE_VERSION, studyInstanceUID, layout: grid, activeViewport, viewports, measurements };
  if ('pointer' in object && object['pointer'] !== undefined) state.pointer = readPointer(object['pointer'], 'state.pointer', count);
  // The echoed fields must still be well typed: a state is refused whole rather than half read.
  for (const key of ECHOED_FIELDS) {
    if (!(key in object) || key === 'origin') continue;
    viewportField(key as keyof FilmlessViewportState, object[key], `state.${key}`);
  }
  if ('origin' in object && !['user', 'remote', 'api'].includes(object['origin'] as string)) throw new InvalidInput('state.origin is unknown');
  return state;
}

/** Runs a reader on untrusted input; anything thrown (a hostile getter, a proxy trap) is a refusal. */
export function parseWith<T>(read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    return { ok: false, reason: error instanceof InvalidInput ? error.message : 'unreadable input' };
  }
}

/** Reads an untrusted view state into fresh objects, or says why it is refused. */
export function parseViewState(input: unknown): Parsed<FilmlessSyncState> {
  return parseWith(() => readState(input));
}

/** Whether two viewports show the same thing the same way (the synced fields; numbers within `tolerance`). */
export function sameViewport(a: FilmlessViewportState, b: FilmlessViewportState, tolerance = 1e-6): boolean {
  return VIEWPORT_FIELD_NAMES.every((key) => sameValue(a[key], b[key], tolerance));
}

function sameValue(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i], tolerance));
  return a === b;
}

/** The fields of `next` that differ from `previous` (nothing when they agree). */
export function viewportChanges(previous: FilmlessViewportState, next: FilmlessViewportState, tolerance = 1e-6): Partial<FilmlessViewportState> {
  const changes: Record<string, unknown> = {};
  for (const key of VIEWPORT_FIELD_NAMES) {
    if (!sameValue(previous[key], next[key], tolerance)) changes[key] = key === 'pan' ? [...next.pan] : next[key];
  }
  return changes as Partial<FilmlessViewportState>;
}

/** A deep copy of a valid state (states are plain JSON). */
export function cloneState(state: FilmlessSyncState): FilmlessSyncState {
  return JSON.parse(JSON.stringify(state)) as FilmlessSyncState;
}
