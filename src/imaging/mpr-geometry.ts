/**
 * Image planes in patient space, read from the series metadata, for MPR and reference lines: whether a
 * series is a volume MPR can rebuild, and where one slice plane cuts another image. Cornerstone-free
 * (the element uses it before the imaging chunk is loaded), and pure: the metadata is untrusted, so
 * every missing or odd value makes the answer "no", never an exception.
 */
import { type DicomJsonDataset, numberValue, numberValues, sequenceItems, stringValue } from '../dicomweb/dicom-json.js';
import { frameGeometry } from '../study/slice-order.js';
import type { FrameRef } from '../study/slice-order.js';

export type Vec3 = [number, number, number];

const PIXEL_SPACING = '00280030';
const FRAME_OF_REFERENCE_UID = '00200052';
const PIXEL_MEASURES_SEQUENCE = '00289110';
const PER_FRAME = '52009230';
const SHARED = '52009229';

/** One image's plane: its first pixel's centre, its row and column directions, its size in mm. */
export interface ImagePlane {
  /** Centre of the first (top left) pixel, patient mm. */
  origin: Vec3;
  /** Direction of increasing column (along a row). */
  rowDirection: Vec3;
  /** Direction of increasing row (down a column). */
  columnDirection: Vec3;
  normal: Vec3;
  /** Spacing between columns and between rows, mm (1 when the file has none). */
  columnSpacing: number;
  rowSpacing: number;
  columns: number;
  rows: number;
  frameOfReferenceUID: string;
}

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const length = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

function unit(values: number[]): Vec3 | undefined {
  if (values.length !== 3 || !values.every(Number.isFinite)) return undefined;
  const v: Vec3 = [values[0]!, values[1]!, values[2]!];
  const size = length(v);
  return size > 1e-6 ? scale(v, 1 / size) : undefined;
}

/** PixelSpacing per frame (enhanced multi-frame keeps it in the functional groups), [row, column] spacing. */
function pixelSpacing(instance: DicomJsonDataset, frameIndex: number): number[] {
  for (const group of [sequenceItems(instance, PER_FRAME)[frameIndex], sequenceItems(instance, SHARED)[0]]) {
    const values = numberValues(sequenceItems(group, PIXEL_MEASURES_SEQUENCE)[0], PIXEL_SPACING);
    if (values.length === 2) return values;
  }
  return numberValues(instance, PIXEL_SPACING);
}

/** The plane of one frame, or undefined when its geometry is missing or unusable. */
export function framePlane(frame: Pick<FrameRef, 'instance' | 'frameNumber'>): ImagePlane | undefined {
  const { instance } = frame;
  const { ipp, iop } = frameGeometry(instance, frame.frameNumber - 1);
  const rowDirection = unit(iop.slice(0, 3));
  const columnDirection = unit(iop.slice(3, 6));
  const origin = ipp.length === 3 && ipp.every(Number.isFinite) ? (ipp as Vec3) : undefined;
  const rows = numberValue(instance, '00280010') ?? 0;
  const columns = numberValue(instance, '00280011') ?? 0;
  if (!rowDirection || !columnDirection || !origin || !(rows > 0) || !(columns > 0)) return undefined;
  const normal = unit(cross(rowDirection, columnDirection));
  if (!normal) return undefined;
  const [rowSpacing, columnSpacing] = pixelSpacing(instance, frame.frameNumber - 1);
  const positive = (value: number | undefined) => (value !== undefined && value > 0 && Number.isFinite(value) ? value : 1);
  return {
    origin: [origin[0], origin[1], origin[2]],
    rowDirection,
    columnDirection,
    normal,
    rowSpacing: positive(rowSpacing),
    columnSpacing: positive(columnSpacing),
    rows,
    columns,
    frameOfReferenceUID: stringValue(instance, FRAME_OF_REFERENCE_UID),
  };
}

/** The patient position (mm) of an image pixel's centre (column, row may be fractional). */
export function pixelToPatient(plane: ImagePlane, column: number, row: number): Vec3 {
  return add(add(plane.origin, scale(plane.rowDirection, column * plane.columnSpacing)), scale(plane.columnDirection, row * plane.rowSpacing));
}

/** Why a series cannot be shown in MPR; see `FilmlessMprUnavailableReason` for the public list. */
export type MprReason = 'too-few-slices' | 'no-geometry' | 'several-orientations' | 'uneven-spacing' | 'tilted';

/** The facts MPR needs of a qualifying series. */
export interface VolumeGeometry {
  /** Slices along the normal, in the order given. */
  slices: number;
  /** Distance between neighbouring slices, mm (the median). */
  spacing: number;
  planes: ImagePlane[];
}

/** Orientation vectors agree within about 0.5°. */
const SAME_DIRECTION = 0.99996;
/** A slice may sit off the normal line through the first by this fraction of its distance (tan 0.5°). */
const TILT_TOLERANCE = 0.0087;
/** Spacing may vary by this fraction of the median (the `missing-slices` rule of the geometry warnings). */
const SPACING_TOLERANCE = 0.1;

/**
 * Whether the frames (ordered along the normal) form a volume MPR can rebuild: at least three slices of
 * one orientation and one image size, evenly spaced, stacked along their normal (no gantry tilt).
 */
export function volumeGeometry(frames: readonly Pick<FrameRef, 'instance' | 'frameNumber'>[]): { volume: VolumeGeometry } | { reason: MprReason } {
  if (frames.length < 3) return { reason: 'too-few-slices' };
  const planes: ImagePlane[] = [];
  for (const frame of frames) {
    const plane = framePlane(frame);
    if (!plane) return { reason: 'no-geometry' };
    planes.push(plane);
  }
  const first = planes[0]!;
  for (const plane of planes) {
    if (dot(plane.rowDirection, first.rowDirection) < SAME_DIRECTION || dot(plane.columnDirection, first.columnDirection) < SAME_DIRECTION) {
      return { reason: 'several-orientations' };
    }
    if (plane.rows !== first.rows || plane.columns !== first.columns) return { reason: 'several-orientations' };
    if (Math.abs(plane.rowSpacing - first.rowSpacing) > 1e-3 || Math.abs(plane.columnSpacing - first.columnSpacing) > 1e-3) return { reason: 'uneven-spacing' };
  }
  const positions = planes.map((plane) => dot(plane.origin, first.normal));
  const steps = positions.slice(1).map((position, index) => Math.abs(position - positions[index]!));
  const sorted = [...steps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (!(median > 1e-3) || steps.some((step) => Math.abs(step - median) > SPACING_TOLERANCE * median)) return { reason: 'uneven-spacing' };
  for (const plane of planes) {
    const offset = sub(plane.origin, first.origin);
    const along = dot(offset, first.normal);
    const across = length(sub(offset, scale(first.normal, along)));
    if (across > TILT_TOLERANCE * Math.abs(along) + 1e-3) return { reason: 'tilted' };
  }
  return { volume: { slices: planes.length, spacing: median, planes } };
}

/**
 * Where a slice plane cuts an image: the segment of the line of intersection that lies inside the image,
 * as two patient positions (mm), or undefined when the planes are (nearly) parallel, in different frames
 * of reference, or the line misses the image.
 */
export function planeIntersection(source: ImagePlane, target: ImagePlane): [Vec3, Vec3] | undefined {
  if (!source.frameOfReferenceUID || source.frameOfReferenceUID !== target.frameOfReferenceUID) return undefined;
  // About 10°: a plane that close to the target's is the same view, not another plane across it.
  if (Math.abs(dot(source.normal, target.normal)) > 0.985) return undefined;
  const sourceOffset = dot(source.normal, source.origin);
  // The image rectangle's edges between pixel centres' outer bounds (a pixel is ±0.5 around its centre).
  const corners: [number, number][] = [
    [-0.5, -0.5],
    [target.columns - 0.5, -0.5],
    [target.columns - 0.5, target.rows - 0.5],
    [-0.5, target.rows - 0.5],
  ];
  const points: Vec3[] = [];
  for (let i = 0; i < 4; i++) {
    const a = pixelToPatient(target, ...corners[i]!);
    const b = pixelToPatient(target, ...corners[(i + 1) % 4]!);
    const da = dot(source.normal, a) - sourceOffset;
    const db = dot(source.normal, b) - sourceOffset;
    if (da === db) continue;
    if ((da <= 0 && db >= 0) || (da >= 0 && db <= 0)) {
      const t = da / (da - db);
      const point = add(a, scale(sub(b, a), t));
      if (!points.some((p) => length(sub(p, point)) < 1e-6)) points.push(point);
    }
  }
  if (points.length < 2) return undefined;
  return [points[0]!, points[1]!];
}
