/**
 * What a measurement measures, from its points in image pixel coordinates and the image's pixel
 * spacing: lengths, angles and region statistics. Plain arithmetic (no Cornerstone), so the numbers
 * the viewer shows, reports and tests are one computation, the same on every renderer.
 *
 * Image coordinates are `[column, row]`, 0-based, with pixel centres on whole numbers (the first
 * pixel's centre is `[0, 0]`, as DICOM's Image Position (Patient) places it).
 */

/** The measurement kinds, as the public API names them. */
export type MeasurementKind = 'length' | 'angle' | 'cobbAngle' | 'ellipseRoi' | 'rectangleRoi' | 'probe' | 'arrow';

export const MEASUREMENT_KINDS: readonly MeasurementKind[] = ['length', 'angle', 'cobbAngle', 'ellipseRoi', 'rectangleRoi', 'probe', 'arrow'];

/**
 * Where a physical size comes from: PixelSpacing (the patient plane), ImagerPixelSpacing alone (the
 * detector plane: a projection image's size there, magnified against the patient), or nothing (pixels).
 */
export type Calibration = 'pixel-spacing' | 'detector' | 'uncalibrated';

/** The physical size of one pixel: `rowSpacing` between rows (vertical), `columnSpacing` between columns. */
export interface PixelGeometry {
  rowSpacing: number;
  columnSpacing: number;
  calibration: Calibration;
}

export type ImagePoint = [column: number, row: number];

/** How many points each kind takes (ROIs: two opposite corners of the bounding box). */
export const POINT_COUNT: Record<MeasurementKind, number> = {
  length: 2,
  angle: 3,
  cobbAngle: 4,
  ellipseRoi: 2,
  rectangleRoi: 2,
  probe: 1,
  arrow: 2,
};

function spacingPair(value: readonly number[] | undefined): [number, number] | undefined {
  if (!value || value.length < 2) return undefined;
  const [row, column] = value as [number, number];
  return Number.isFinite(row) && Number.isFinite(column) && row > 0 && column > 0 ? [row, column] : undefined;
}

/** The pixel size from PixelSpacing (0028,0030), else ImagerPixelSpacing (0018,1164), else 1 px. */
export function pixelGeometry(pixelSpacing: readonly number[] | undefined, imagerPixelSpacing: readonly number[] | undefined): PixelGeometry {
  const patient = spacingPair(pixelSpacing);
  if (patient) return { rowSpacing: patient[0], columnSpacing: patient[1], calibration: 'pixel-spacing' };
  const detector = spacingPair(imagerPixelSpacing);
  if (detector) return { rowSpacing: detector[0], columnSpacing: detector[1], calibration: 'detector' };
  return { rowSpacing: 1, columnSpacing: 1, calibration: 'uncalibrated' };
}

/** The unit of lengths under a calibration: mm, or px when the image has no spacing. */
export function lengthUnit(geometry: PixelGeometry): 'mm' | 'px' {
  return geometry.calibration === 'uncalibrated' ? 'px' : 'mm';
}

/** A vector between two image points, in physical units (mm, or px uncalibrated). */
function physical(from: ImagePoint, to: ImagePoint, geometry: PixelGeometry): [number, number] {
  return [(to[0] - from[0]) * geometry.columnSpacing, (to[1] - from[1]) * geometry.rowSpacing];
}

export function lengthOf(points: readonly ImagePoint[], geometry: PixelGeometry): number {
  const [dx, dy] = physical(points[0]!, points[1]!, geometry);
  return Math.hypot(dx, dy);
}

function degreesBetween(a: [number, number], b: [number, number]): number {
  const norms = Math.hypot(...a) * Math.hypot(...b);
  if (norms === 0) return 0;
  const cosine = Math.min(1, Math.max(-1, (a[0] * b[0] + a[1] * b[1]) / norms));
  return (Math.acos(cosine) * 180) / Math.PI;
}

/** The angle at the middle point (the vertex), 0–180°, measured in the patient plane (non-square pixels too). */
export function angleOf(points: readonly ImagePoint[], geometry: PixelGeometry): number {
  const [a, vertex, b] = points as [ImagePoint, ImagePoint, ImagePoint];
  return degreesBetween(physical(vertex, a, geometry), physical(vertex, b, geometry));
}

/** Cobb angle: the angle between the line through points 1–2 and the line through 3–4, 0–90°. */
export function cobbAngleOf(points: readonly ImagePoint[], geometry: PixelGeometry): number {
  const [a, b, c, d] = points as [ImagePoint, ImagePoint, ImagePoint, ImagePoint];
  const between = degreesBetween(physical(a, b, geometry), physical(c, d, geometry));
  return Math.min(between, 180 - between);
}

/** The modality values of one image (stored values with the rescale applied). */
export interface ModalityImage {
  columns: number;
  rows: number;
  /** Modality value of the pixel at (column, row), both whole numbers inside the image. */
  valueAt(column: number, row: number): number;
}

export interface RegionStats {
  mean: number;
  /** Population standard deviation of the pixels inside. */
  sd: number;
  min: number;
  max: number;
  /** The region's geometric area in mm²; undefined when the image has no spacing. */
  areaMm2: number | undefined;
  /** The region's geometric area in px² (columns × rows of the pixel grid). */
  areaPx: number;
  /** Pixels whose centre lies inside the region (and inside the image). */
  pixelCount: number;
}

/** The bounding box of two corners: centre and half-sizes in pixels. */
function box(points: readonly ImagePoint[]) {
  const [[c0, r0], [c1, r1]] = points as [ImagePoint, ImagePoint];
  return {
    left: Math.min(c0, c1),
    right: Math.max(c0, c1),
    top: Math.min(r0, r1),
    bottom: Math.max(r0, r1),
    centerColumn: (c0 + c1) / 2,
    centerRow: (r0 + r1) / 2,
    radiusColumns: Math.abs(c1 - c0) / 2,
    radiusRows: Math.abs(r1 - r0) / 2,
  };
}

/**
 * Whether a pixel centre lies inside the region. Ellipse: inside the ellipse inscribed in the box of
 * the two corners (boundary included); rectangle: inside the box (boundary included).
 */
export function insideRegion(kind: 'ellipseRoi' | 'rectangleRoi', points: readonly ImagePoint[]): (column: number, row: number) => boolean {
  const b = box(points);
  if (kind === 'rectangleRoi') return (column, row) => column >= b.left && column <= b.right && row >= b.top && row <= b.bottom;
  return (column, row) => {
    if (b.radiusColumns === 0 || b.radiusRows === 0) return false;
    const x = (column - b.centerColumn) / b.radiusColumns;
    const y = (row - b.centerRow) / b.radiusRows;
    return x * x + y * y <= 1;
  };
}

/** Mean, SD, min and max of the modality values inside an ellipse or rectangle, and its area. */
export function regionStats(kind: 'ellipseRoi' | 'rectangleRoi', points: readonly ImagePoint[], geometry: PixelGeometry, image: ModalityImage | undefined): RegionStats | undefined {
  const b = box(points);
  const width = b.right - b.left;
  const height = b.bottom - b.top;
  const areaPx = kind === 'ellipseRoi' ? Math.PI * (width / 2) * (height / 2) : width * height;
  const areaMm2 = geometry.calibration === 'uncalibrated' ? undefined : areaPx * geometry.columnSpacing * geometry.rowSpacing;
  if (!image) return undefined;
  const inside = insideRegion(kind, points);
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const values: number[] = [];
  for (let row = Math.max(0, Math.ceil(b.top)); row <= Math.min(image.rows - 1, Math.floor(b.bottom)); row++) {
    for (let column = Math.max(0, Math.ceil(b.left)); column <= Math.min(image.columns - 1, Math.floor(b.right)); column++) {
      if (!inside(column, row)) continue;
      const value = image.valueAt(column, row);
      values.push(value);
      count += 1;
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (count === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN, areaMm2, areaPx, pixelCount: 0 };
  const mean = sum / count;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / count), min, max, areaMm2, areaPx, pixelCount: count };
}

/** Points that are finite numbers, as many as the kind takes. */
export function validPoints(kind: MeasurementKind, points: unknown): points is ImagePoint[] {
  return (
    Array.isArray(points) &&
    points.length === POINT_COUNT[kind] &&
    points.every((p) => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]))
  );
}
