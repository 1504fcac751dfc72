/**
 * Orientation markers: which way the patient lies at each edge of the image, from ImageOrientationPatient,
 * after the view's rotation and flips. Pure logic (no Cornerstone), so the lean first image has them too.
 *
 * DICOM's patient axes (LPS): +x towards the patient's left, +y posterior, +z head. Letters as DICOM's
 * Patient Orientation uses them: L/R, A/P, H/F. An oblique edge gets two letters, the stronger first
 * ("AR": mostly anterior, partly right).
 */

type Vec3 = [number, number, number];

/** The patient direction at each edge of the displayed image ("" where the orientation is unknown). */
export interface OrientationMarkers {
  top: string;
  right: string;
  bottom: string;
  left: string;
}

/** How the image is turned on screen: flips in image axes first, then a clockwise rotation (DICOM presentation states' order). */
export interface ViewTurn {
  /** Clockwise, in degrees. */
  rotation: number;
  flipH: boolean;
  flipV: boolean;
}

/**
 * A direction cosine must reach this to add its letter after the strongest one: about 15° off the main
 * axis. Below it the tilt is a scanner's small correction, and a second letter would only be noise.
 */
export const SECOND_LETTER_MIN = 0.25;

const POSITIVE = ['L', 'P', 'H'] as const;
const NEGATIVE = ['R', 'A', 'F'] as const;

/** The letters of one direction in patient space: the strongest axis, and a second when it is strong enough. */
export function directionLetters(direction: readonly number[]): string {
  if (direction.length !== 3 || direction.some((v) => !Number.isFinite(v))) return '';
  const length = Math.hypot(direction[0]!, direction[1]!, direction[2]!);
  if (length < 1e-6) return '';
  const axes = [0, 1, 2]
    .map((axis) => ({ axis, value: direction[axis]! / length }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const letter = ({ axis, value }: { axis: number; value: number }) => (value >= 0 ? POSITIVE[axis] : NEGATIVE[axis])!;
  const [first, second] = axes as [(typeof axes)[0], (typeof axes)[0]];
  return Math.abs(second.value) >= SECOND_LETTER_MIN ? letter(first) + letter(second) : letter(first);
}

const NO_MARKERS: OrientationMarkers = { top: '', right: '', bottom: '', left: '' };

/**
 * The markers of an image with ImageOrientationPatient `iop` (row direction, then column direction)
 * shown turned by `turn`. Unknown or degenerate orientations give empty markers.
 */
export function orientationMarkers(iop: readonly number[] | undefined, turn: ViewTurn = { rotation: 0, flipH: false, flipV: false }): OrientationMarkers {
  if (!iop || iop.length !== 6 || iop.some((v) => !Number.isFinite(v))) return { ...NO_MARKERS };
  let row: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  let column: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  if (Math.hypot(...row) < 1e-6 || Math.hypot(...column) < 1e-6) return { ...NO_MARKERS };
  if (turn.flipH) row = [-row[0], -row[1], -row[2]];
  if (turn.flipV) column = [-column[0], -column[1], -column[2]];
  // Turning the image clockwise by θ brings to the screen's right what lay at image direction (cos θ, −sin θ)
  // (x along the rows, y down the columns); the screen's bottom shows (sin θ, cos θ).
  const theta = ((Number.isFinite(turn.rotation) ? turn.rotation : 0) * Math.PI) / 180;
  const cos = Math.round(Math.cos(theta) * 1e9) / 1e9;
  const sin = Math.round(Math.sin(theta) * 1e9) / 1e9;
  const combine = (a: number, b: number): Vec3 => [a * row[0] + b * column[0], a * row[1] + b * column[1], a * row[2] + b * column[2]];
  const right = combine(cos, -sin);
  const bottom = combine(sin, cos);
  const negate = (v: Vec3): Vec3 => [-v[0], -v[1], -v[2]];
  return {
    top: directionLetters(negate(bottom)),
    right: directionLetters(right),
    bottom: directionLetters(bottom),
    left: directionLetters(negate(right)),
  };
}

/** The plane an orientation is closest to, from its slice normal; `oblique` when no axis dominates (more than ~15° off). */
export function planeOf(iop: readonly number[] | undefined): 'axial' | 'sagittal' | 'coronal' | 'oblique' | undefined {
  if (!iop || iop.length !== 6 || iop.some((v) => !Number.isFinite(v))) return undefined;
  const normal: Vec3 = [
    iop[1]! * iop[5]! - iop[2]! * iop[4]!,
    iop[2]! * iop[3]! - iop[0]! * iop[5]!,
    iop[0]! * iop[4]! - iop[1]! * iop[3]!,
  ];
  const length = Math.hypot(...normal);
  if (length < 1e-6) return undefined;
  const [x, y, z] = normal.map((v) => Math.abs(v / length)) as Vec3;
  const strongest = Math.max(x, y, z);
  if (strongest < Math.cos((15 * Math.PI) / 180)) return 'oblique';
  return strongest === z ? 'axial' : strongest === x ? 'sagittal' : 'coronal';
}
