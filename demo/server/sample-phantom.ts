/**
 * A synthetic head, defined in patient coordinates, that the sample CT and MR studies image.
 *
 * Its geometry is exported so tests can check rendered pixels against known facts (a tissue at a
 * point, the side the marker is on) instead of against screenshots of our own output.
 */

/** Patient coordinates in mm, DICOM LPS: +x patient left, +y posterior, +z superior. */
export interface Point {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export type Tissue = 'air' | 'scalp' | 'bone' | 'brain' | 'csf' | 'marker';

interface Ellipsoid {
  readonly center: Point;
  readonly semiAxes: Point;
}

/** The phantom's layout; every size in mm. */
export const HEAD_PHANTOM = {
  /** Outer surface of the head, centred on the origin. */
  head: { center: { x: 0, y: 0, z: 0 }, semiAxes: { x: 70, y: 90, z: 85 } },
  scalpThickness: 4,
  skullThickness: 6,
  /** Lateral ventricles, one either side of the midline. */
  ventricles: [
    { center: { x: -12, y: 5, z: 15 }, semiAxes: { x: 5, y: 22, z: 10 } },
    { center: { x: 12, y: 5, z: 15 }, semiAxes: { x: 5, y: 22, z: 10 } },
  ],
  /**
   * The only asymmetric feature: a bright sphere in the patient's LEFT, ANTERIOR, SUPERIOR brain.
   * On an axial slice at z = 25 shown in the radiological convention it appears at the viewer's
   * right, towards the top of the image.
   */
  marker: { center: { x: 30, y: -40, z: 25 }, radius: 8 },
} as const;

/** Hounsfield units of each tissue in the sample CT. */
export const CT_HOUNSFIELD: Readonly<Record<Tissue, number>> = {
  air: -1000,
  scalp: 40,
  bone: 1000,
  brain: 35,
  csf: 5,
  marker: 300,
};

/** Signal of each tissue in the sample T1-weighted MR (12-bit): fat-rich scalp bright, CSF dark. */
export const MR_T1_SIGNAL: Readonly<Record<Tissue, number>> = {
  air: 0,
  scalp: 2600,
  bone: 150,
  brain: 1400,
  csf: 350,
  marker: 3800,
};

/** The tissue at a point of the phantom. */
export function tissueAt(point: Point): Tissue {
  const { head, scalpThickness, skullThickness, ventricles, marker } = HEAD_PHANTOM;
  if (!insideEllipsoid(point, head)) return 'air';
  if (distance(point, marker.center) <= marker.radius) return 'marker';
  if (!insideEllipsoid(point, shrunk(head, scalpThickness))) return 'scalp';
  if (!insideEllipsoid(point, shrunk(head, scalpThickness + skullThickness))) return 'bone';
  if (ventricles.some((ventricle) => insideEllipsoid(point, ventricle))) return 'csf';
  return 'brain';
}

/**
 * Mean Hounsfield units along the line through (x, z) parallel to the anterior-posterior axis,
 * over `pathLength` mm centred on the head: what a frontal scout view shows. Computed from exact
 * chord lengths, since sampling points along the line would draw rings.
 */
export function meanHounsfieldAlongY(x: number, z: number, pathLength: number): number {
  const { head, scalpThickness, skullThickness, ventricles, marker } = HEAD_PHANTOM;
  const outer = chordAlongY(head, x, z);
  const insideScalp = chordAlongY(shrunk(head, scalpThickness), x, z);
  const insideSkull = chordAlongY(shrunk(head, scalpThickness + skullThickness), x, z);
  const csf = ventricles.reduce((sum, ventricle) => sum + chordAlongY(ventricle, x, z), 0);
  const markerChord = chordAlongY({ center: marker.center, semiAxes: sphereAxes(marker.radius) }, x, z);
  // The layers nest, and ventricles and marker lie inside the brain without touching each other.
  const total =
    CT_HOUNSFIELD.air * (pathLength - outer) +
    CT_HOUNSFIELD.scalp * (outer - insideScalp) +
    CT_HOUNSFIELD.bone * (insideScalp - insideSkull) +
    CT_HOUNSFIELD.brain * (insideSkull - csf - markerChord) +
    CT_HOUNSFIELD.csf * csf +
    CT_HOUNSFIELD.marker * markerChord;
  return total / pathLength;
}

function chordAlongY({ center, semiAxes }: Ellipsoid, x: number, z: number): number {
  const dx = (x - center.x) / semiAxes.x;
  const dz = (z - center.z) / semiAxes.z;
  const remaining = 1 - dx * dx - dz * dz;
  return remaining > 0 ? 2 * semiAxes.y * Math.sqrt(remaining) : 0;
}

function sphereAxes(radius: number): Point {
  return { x: radius, y: radius, z: radius };
}

function insideEllipsoid(point: Point, { center, semiAxes }: Ellipsoid): boolean {
  const dx = (point.x - center.x) / semiAxes.x;
  const dy = (point.y - center.y) / semiAxes.y;
  const dz = (point.z - center.z) / semiAxes.z;
  return dx * dx + dy * dy + dz * dz <= 1;
}

/** The same ellipsoid with every semi-axis shortened by `by`: a shell of roughly that thickness. */
function shrunk({ center, semiAxes }: Ellipsoid, by: number): Ellipsoid {
  return { center, semiAxes: { x: semiAxes.x - by, y: semiAxes.y - by, z: semiAxes.z - by } };
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/**
 * Deterministic noise in [-amplitude, amplitude] (roughly bell-shaped), so regenerated files are
 * byte-identical yet images do not look flat.
 */
export function noiseGenerator(seed: number, amplitude: number): () => number {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  return () => ((uniform() + uniform() + uniform()) / 3 - 0.5) * 2 * amplitude;
}
