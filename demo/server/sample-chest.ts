/**
 * A synthetic chest for the sample chest CT, slice by slice in Hounsfield units: skin, subcutaneous
 * fat and chest-wall muscle, a rib cage whose ribs sweep around the thorax from slice to slice,
 * sternum, vertebrae with discs, canal, cord and posterior elements, two lungs with branching
 * vessels and bronchi, trachea and main bronchi, heart with epicardial fat and coronary calcium,
 * aorta, pulmonary trunk, superior vena cava, oesophagus, the liver and the stomach under the
 * diaphragm, and the table.
 *
 * Boundaries are signed distances turned into partial volume over one pixel, so edges are smooth.
 * Coordinates are DICOM patient coordinates (LPS, mm): +x patient left, +y posterior, +z superior;
 * z = 0 is the lung apex and the chest runs down to z = -CHEST_LENGTH.
 */
import { coverage, ellipseDistance, uniformSource } from './sample-raster.js';

/** From the lung apices (z = 0) to the upper abdomen. */
export const CHEST_LENGTH = 300;

export const CHEST_HU = {
  air: -1000,
  lung: -860,
  fat: -100,
  muscle: 50,
  skin: 30,
  blood: 42,
  liver: 62,
  bone: 900,
  marrow: 240,
  disc: 85,
  csf: 10,
  calcium: 650,
  table: 150,
} as const;

/** Where a slice's pixel (column, row) lies: x = x0 + column × pixel, y = y0 + row × pixel. */
export interface SliceGrid {
  readonly columns: number;
  readonly rows: number;
  readonly pixel: number;
  readonly x0: number;
  readonly y0: number;
  /** Row spacing when it differs from the column spacing (a coarse grid for projections). */
  readonly rowPixel?: number;
}

/** A tube in the lung (vessel or bronchus): a straight segment, tapering from r0 to r1. */
interface Branch {
  readonly ax: number;
  readonly ay: number;
  readonly az: number;
  readonly bx: number;
  readonly by: number;
  readonly bz: number;
  readonly r0: number;
  readonly r1: number;
  readonly airway: boolean;
}

/** 0 at the apex, rising to 1 mid-chest, back to 0 at the dome of the diaphragm. */
function lungExtent(z: number, base: number): number {
  if (z >= -2 || z <= base) return 0;
  const t = (-z - 2) / (-base - 2);
  return Math.pow(Math.sin(Math.PI * Math.min(1, t * 0.62 / 0.5) * 0.5), 0.55) * (t < 0.85 ? 1 : Math.sqrt(Math.max(0, (1 - t) / 0.15)));
}

const SIDES = [-1, 1] as const;

/** Diaphragm dome height on each side: the right (liver) side sits higher. */
const DIAPHRAGM = { right: -230, left: -250 } as const;

/** The lung outline on one side at z: an ellipse growing from the apex, cut by the diaphragm. */
function lungShape(side: -1 | 1, z: number): { cx: number; cy: number; ax: number; ay: number } | undefined {
  const base = side < 0 ? DIAPHRAGM.right : DIAPHRAGM.left;
  const extent = lungExtent(z, base);
  if (extent <= 0.02) return undefined;
  return { cx: side * 72, cy: 8, ax: 62 * extent, ay: 88 * extent };
}

/** Whether a point lies inside a lung with `margin` mm to spare. */
function insideLung(side: -1 | 1, x: number, y: number, z: number, margin: number): boolean {
  const shape = lungShape(side, z);
  return shape !== undefined && ellipseDistance(x, y, shape.cx, shape.cy, shape.ax, shape.ay) < -margin;
}

/**
 * The pulmonary vessels and bronchi: from each hilum, trees that fork in two again and again,
 * each child thinner, shorter and turned away from its sibling, until they are under a millimetre
 * or would leave the lung. Seeded, so they never change.
 */
const BRANCHES: readonly Branch[] = (() => {
  const next = uniformSource(0xc0ffee);
  const branches: Branch[] = [];
  const grow = (side: -1 | 1, x: number, y: number, z: number, dx: number, dy: number, dz: number, radius: number, airway: boolean): void => {
    const length = Math.max(4, radius * (4 + 4 * next()));
    const bx = x + dx * length;
    const by = y + dy * length;
    const bz = z + dz * length;
    if (!insideLung(side, bx, by, bz, 1)) return;
    const r1 = radius * 0.9;
    branches.push({ ax: x, ay: y, az: z, bx, by, bz, r0: radius, r1, airway });
    if (r1 < (airway ? 1.6 : 0.8)) return;
    // Two children, split by 50–80° about a random axis perpendicular to the parent.
    let ux = next() - 0.5;
    let uy = next() - 0.5;
    let uz = next() - 0.5;
    const along = ux * dx + uy * dy + uz * dz;
    ux -= along * dx;
    uy -= along * dy;
    uz -= along * dz;
    const norm = Math.hypot(ux, uy, uz) || 1;
    for (const sign of SIDES) {
      const angle = (0.35 + 0.25 * next()) * sign;
      const cx = Math.cos(angle) * dx + Math.sin(angle) * (ux / norm);
      const cy = Math.cos(angle) * dy + Math.sin(angle) * (uy / norm);
      const cz = Math.cos(angle) * dz + Math.sin(angle) * (uz / norm);
      const childRadius = r1 * (sign < 0 ? 0.85 : 0.72 + 0.1 * next());
      grow(side, bx, by, bz, cx, cy, cz, childRadius, airway);
    }
  };
  for (const side of SIDES) {
    const hilum = { x: side * 45, y: 12, z: -125 };
    // Lobar trunks fanning out from the hilum: up, out, down, forward and back.
    const trunks = [
      [0.25, -0.1, 0.96], [0.6, -0.3, 0.5], [0.9, 0.1, 0.1], [0.5, 0.5, -0.6], [0.3, -0.5, -0.75], [0.4, 0.2, -0.9], [0.7, -0.6, -0.1],
    ];
    for (const [tx, ty, tz] of trunks) {
      const n = Math.hypot(tx, ty, tz);
      grow(side, hilum.x, hilum.y, hilum.z, (side * tx) / n, ty / n, tz / n, 5.5, false);
      grow(side, hilum.x + side * 4, hilum.y + 6, hilum.z + 6, (side * tx) / n, ty / n, tz / n, 4.5, false);
      grow(side, hilum.x, hilum.y + 3, hilum.z + 3, (side * tx) / n, ty / n, tz / n, 4.5, true);
    }
  }
  return branches;
})();

/** The branches by 10 mm band of z, so a slice looks only at those that can reach it. */
const BRANCH_BANDS: ReadonlyMap<number, readonly Branch[]> = (() => {
  const bands = new Map<number, Branch[]>();
  for (const branch of BRANCHES) {
    const reach = Math.max(branch.r0, branch.r1) + 2;
    const from = Math.floor((Math.min(branch.az, branch.bz) - reach) / 10);
    const to = Math.floor((Math.max(branch.az, branch.bz) + reach) / 10);
    for (let band = from; band <= to; band++) {
      const list = bands.get(band) ?? [];
      list.push(branch);
      bands.set(band, list);
    }
  }
  return bands;
})();

/** Coronary calcifications: a few dense dots along the left anterior descending artery. */
const CORONARY_CALCIUM = [
  { x: 12, y: -58, z: -148, r: 1.8 },
  { x: 22, y: -60, z: -160, r: 1.4 },
  { x: 30, y: -57, z: -172, r: 1.6 },
] as const;

/**
 * The Hounsfield units of one axial slice at height z, without noise, into `out` (row by row).
 * `pixel` also sets the width of the partial-volume ramp at every edge.
 */
export function chestSlice(z: number, grid: SliceGrid, out: Float32Array): void {
  const { columns, rows, pixel, x0, y0 } = grid;
  const rowPixel = grid.rowPixel ?? pixel;
  const w = pixel;
  const lungs = [lungShape(-1, z), lungShape(1, z)];
  // The body is wider at the shoulders, rounder lower down.
  const bodyA = 168 - 8 * Math.exp(-(((z + 260) / 60) ** 2)) + 6 * Math.exp(-(((z + 30) / 40) ** 2));
  const bodyB = 120 - 4 * Math.exp(-(((z + 20) / 40) ** 2));
  const heartExtent = bandExtent(z, -205, -120);
  const liverExtent = z < DIAPHRAGM.right + 8 ? Math.min(1, (DIAPHRAGM.right + 8 - z) / 30) : 0;
  const stomachExtent = z < DIAPHRAGM.left + 5 ? Math.min(1, (DIAPHRAGM.left + 5 - z) / 25) : 0;
  const aboveHeart = z > -130;
  const archZ = -75;
  const disc = ((((-z) % 26) + 26) % 26) < 5;
  // Ribs: on each side 7 ribs cross the slice; their places around the cage turn slowly with z.
  const ribAngles: number[] = [];
  const phase = (((-z / 26) % 1) + 1) % 1;
  for (let k = 0; k < 8; k++) {
    const angle = -1.3 + (k + phase) * 0.37;
    if (angle < 1.45) ribAngles.push(angle);
  }
  const ribPresent = (z: number): boolean => z < -8 && z > -265;

  let hu: number = CHEST_HU.air;
  const blend = (alpha: number, value: number): void => {
    if (alpha > 0) hu += alpha * (value - hu);
  };
  for (let row = 0; row < rows; row++) {
    const y = y0 + row * rowPixel;
    for (let column = 0; column < columns; column++) {
      const x = x0 + column * pixel;
      hu = CHEST_HU.air;
      // The table under the patient: a curved carbon cradle.
      const table = Math.abs(y - (bodyB + 5) + 0.0006 * x * x) - 3;
      if (Math.abs(x) < 210) blend(coverage(table, w), CHEST_HU.table);

      const body = ellipseDistance(x, y, 0, 0, bodyA, bodyB);
      if (body > w) {
        out[row * columns + column] = hu;
        continue;
      }
      blend(coverage(body, w), CHEST_HU.skin);
      blend(coverage(body + 2, w), CHEST_HU.fat);
      // Chest-wall muscle, thicker at the back (paraspinal) and in front (pectoralis).
      const wall = ellipseDistance(x, y, 0, 4, bodyA - 16, bodyB - 14 - 4 * Math.max(0, -y / bodyB));
      blend(coverage(wall, w), CHEST_HU.muscle);
      // Mediastinal and pleural fat inside the rib cage.
      const cage = ellipseDistance(x, y, 0, 6, bodyA - 34, bodyB - 30);
      blend(coverage(cage, w), CHEST_HU.fat);
      // Ribs around the cage: bone rim, marrow inside.
      if (ribPresent(z) && cage > -18 && cage < 12) {
        for (const side of SIDES) {
          for (const angle of ribAngles) {
            // angle < 0 in front (y < 0), > 0 behind; the costal cartilages near the sternum are left out.
            if (angle < -1.05) continue;
            const cx = side * Math.cos(angle) * (bodyA - 30);
            const cy = 6 + Math.sin(angle) * (bodyB - 27);
            const rib = ellipseDistance(x, y, cx, cy, 6.5, 5.5);
            if (rib < w) {
              blend(coverage(rib, w), CHEST_HU.bone);
              blend(coverage(rib + 1.6, w), CHEST_HU.marrow);
            }
          }
        }
      }
      // Lungs, with a notch for the heart on the left.
      for (let index = 0; index < 2; index++) {
        const lung = lungs[index];
        if (!lung || Math.abs(x - lung.cx) > lung.ax + 2 || Math.abs(y - lung.cy) > lung.ay + 2) continue;
        let inside = ellipseDistance(x, y, lung.cx, lung.cy, lung.ax, lung.ay);
        if (heartExtent > 0) inside = Math.max(inside, -ellipseDistance(x, y, 18, -15, 66 * heartExtent + 6, 54 * heartExtent + 6));
        inside = Math.max(inside, -ellipseDistance(x, y, 0, 55, 28, 30)); // the spine
        if (index === 0 && liverExtent > 0) inside = Math.max(inside, -ellipseDistance(x, y, -40, 0, 150 * liverExtent, 110 * liverExtent));
        blend(coverage(inside, w), CHEST_HU.lung);
      }
      // Heart in its fat, with the coronary calcium on its front.
      if (heartExtent > 0 && Math.abs(x - 18) < 75 && Math.abs(y + 15) < 62) {
        const heart = ellipseDistance(x, y, 18, -15, 66 * heartExtent, 54 * heartExtent);
        blend(coverage(heart - 3, w), CHEST_HU.fat);
        blend(coverage(heart, w), CHEST_HU.blood);
      }
      // Great vessels: ascending aorta and arch, descending aorta, pulmonary trunk, SVC.
      if (z > -150 && z < archZ + 10 && Math.abs(x + 2) < 18 && Math.abs(y + 30) < 18) blend(coverage(Math.hypot(x + 2, y + 30) - 16, w), CHEST_HU.blood);
      if (Math.abs(z - archZ) < 16) {
        const radius = 14 * Math.sqrt(1 - (Math.abs(z - archZ) / 16) ** 2);
        blend(coverage(segmentDistance(x, y, -2, -30, 22, 42) - radius, w), CHEST_HU.blood);
      }
      if (z < archZ && Math.abs(x - 22) < 14 && Math.abs(y - 42) < 14) blend(coverage(Math.hypot(x - 22, y - 42) - 12, w), CHEST_HU.blood);
      if (z < -100 && z > -140 && Math.abs(x - 18) < 16 && Math.abs(y + 22) < 16) blend(coverage(Math.hypot(x - 18, y + 22) - 14, w), CHEST_HU.blood);
      if (aboveHeart && z < -20 && Math.abs(x + 28) < 12 && Math.abs(y + 20) < 12) blend(coverage(Math.hypot(x + 28, y + 20) - 10, w), CHEST_HU.blood);
      // Trachea above the carina, oesophagus behind it.
      if (z > -110 && Math.abs(x + 2) < 14 && Math.abs(y - 15) < 14) {
        const trachea = Math.hypot(x + 2, y - 15) - 10;
        blend(coverage(trachea - 2, w), CHEST_HU.muscle);
        blend(coverage(trachea, w), CHEST_HU.air);
      }
      if (Math.abs(x - 6) < 9 && Math.abs(y - 34) < 9) {
        blend(coverage(Math.hypot(x - 6, y - 34) - 7, w), CHEST_HU.muscle);
        blend(coverage(Math.hypot(x - 7, y - 34) - 1.8, w), CHEST_HU.air);
      }
      // Sternum in front.
      if (z < -30 && z > -200 && Math.abs(x) < 18 && Math.abs(y + bodyB - 22) < 9) {
        const sternum = ellipseDistance(x, y, 0, -bodyB + 22, 16, 7);
        blend(coverage(sternum, w), CHEST_HU.bone);
        blend(coverage(sternum + 1.5, w), CHEST_HU.marrow);
      }
      // Vertebra: body (or disc), canal, cord, lamina and spinous process.
      const vertebra = Math.abs(x) < 40 && y > 30 && y < 125 ? ellipseDistance(x, y, 0, 55, 19, 16) : 99;
      if (vertebra < 40) {
        if (disc) {
          blend(coverage(vertebra, w), CHEST_HU.disc);
        } else {
          blend(coverage(vertebra, w), CHEST_HU.bone);
          blend(coverage(vertebra + 1.8, w), CHEST_HU.marrow);
          const arch = Math.abs(Math.hypot(x, y - 84) - 12) - 3.5;
          blend(coverage(Math.max(arch, 80 - y), w), CHEST_HU.bone);
          const spinous = ellipseDistance(x, y, 0, 106, 4, 14);
          blend(coverage(spinous, w), CHEST_HU.bone);
          for (const side of SIDES) blend(coverage(ellipseDistance(x, y, side * 24, 78, 12, 4.5), w), CHEST_HU.bone);
        }
        blend(coverage(Math.hypot(x, y - 84) - 8.5, w), CHEST_HU.csf);
        blend(coverage(Math.hypot(x, y - 84) - 4.5, w), CHEST_HU.muscle - 15);
      }
      // Liver under the right dome, stomach with an air cap under the left.
      if (liverExtent > 0 && x < 90) {
        blend(coverage(ellipseDistance(x, y, -40, 0, 120 * liverExtent, 95 * liverExtent), w) * coverage(-ellipseDistance(x, y, 0, 55, 28, 30), w), CHEST_HU.liver);
      }
      if (stomachExtent > 0 && Math.abs(x - 70) < 50 && Math.abs(y + 20) < 43) {
        const stomach = ellipseDistance(x, y, 70, -20, 45 * stomachExtent, 38 * stomachExtent);
        blend(coverage(stomach - 4, w), CHEST_HU.muscle);
        blend(coverage(stomach, w), 25);
        blend(coverage(Math.max(stomach, y + 20 + 10), w), CHEST_HU.air);
      }
      out[row * columns + column] = hu;
    }
  }
  stampBranches(z, grid, out);
  for (const dot of CORONARY_CALCIUM) {
    const r = Math.sqrt(Math.max(0, dot.r * dot.r - (z - dot.z) ** 2));
    if (r > 0.2) stampDisc(grid, out, dot.x, dot.y, r, CHEST_HU.calcium, 0);
  }
}

/** Distance from a point to the segment a–b in the plane. */
function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** 0 outside [bottom, top], a smooth dome between. */
function bandExtent(z: number, bottom: number, top: number): number {
  if (z <= bottom || z >= top) return 0;
  return Math.sqrt(Math.sin((Math.PI * (z - bottom)) / (top - bottom)));
}

/**
 * Each vessel or bronchus near the slice, drawn from its true 3D distance (so an oblique branch is
 * an ellipse and a branch in the plane a tube), only over lung: vessels bright, bronchi as a wall
 * around air.
 */
function stampBranches(z: number, grid: SliceGrid, out: Float32Array): void {
  const { columns, rows, pixel, x0, y0 } = grid;
  const rowPixel = grid.rowPixel ?? pixel;
  for (const branch of BRANCH_BANDS.get(Math.floor(z / 10)) ?? []) {
    const reach = Math.max(branch.r0, branch.r1) + pixel;
    const dz = branch.bz - branch.az;
    // The part of the segment within `reach` of the plane.
    let t0 = 0;
    let t1 = 1;
    if (Math.abs(dz) > 1e-6) {
      const ta = (z - reach - branch.az) / dz;
      const tb = (z + reach - branch.az) / dz;
      t0 = Math.max(0, Math.min(ta, tb));
      t1 = Math.min(1, Math.max(ta, tb));
      if (t0 > t1) continue;
    } else if (Math.abs(z - branch.az) > reach) {
      continue;
    }
    const xa = branch.ax + t0 * (branch.bx - branch.ax);
    const xb = branch.ax + t1 * (branch.bx - branch.ax);
    const ya = branch.ay + t0 * (branch.by - branch.ay);
    const yb = branch.ay + t1 * (branch.by - branch.ay);
    const c0 = Math.max(0, Math.floor((Math.min(xa, xb) - reach - x0) / pixel));
    const c1 = Math.min(columns - 1, Math.ceil((Math.max(xa, xb) + reach - x0) / pixel));
    const r0 = Math.max(0, Math.floor((Math.min(ya, yb) - reach - y0) / rowPixel));
    const r1 = Math.min(rows - 1, Math.ceil((Math.max(ya, yb) + reach - y0) / rowPixel));
    const ex = branch.bx - branch.ax;
    const ey = branch.by - branch.ay;
    const length2 = ex * ex + ey * ey + dz * dz;
    for (let row = r0; row <= r1; row++) {
      const py = y0 + row * rowPixel;
      for (let column = c0; column <= c1; column++) {
        const i = row * columns + column;
        if (out[i] > CHEST_HU.lung + 80 && !branch.airway) continue;
        const px = x0 + column * pixel;
        const t = Math.min(1, Math.max(0, ((px - branch.ax) * ex + (py - branch.ay) * ey + (z - branch.az) * dz) / length2));
        const distance = Math.hypot(px - branch.ax - t * ex, py - branch.ay - t * ey, z - branch.az - t * dz);
        const radius = branch.r0 + t * (branch.r1 - branch.r0);
        if (distance > radius + pixel) continue;
        if (out[i] > CHEST_HU.lung + 200) continue;
        if (branch.airway) {
          const wall = coverage(distance - radius, pixel);
          out[i] += wall * (CHEST_HU.muscle - out[i]);
          const lumen = coverage(distance - radius * 0.68, pixel);
          out[i] += lumen * (CHEST_HU.air - out[i]);
        } else {
          const alpha = coverage(distance - radius, pixel);
          out[i] += alpha * (CHEST_HU.blood - out[i]);
        }
      }
    }
  }
}

/**
 * Paints a disc with partial-volume edges onto the slice. With `onlyBelow` set, only pixels of
 * lower HU are painted (vessels show inside lung, not over the heart or the wall).
 */
function stampDisc(grid: SliceGrid, out: Float32Array, cx: number, cy: number, radius: number, value: number, onlyBelow: number): void {
  const { columns, rows, pixel, x0, y0 } = grid;
  const rowPixel = grid.rowPixel ?? pixel;
  const c0 = Math.max(0, Math.floor((cx - radius - pixel - x0) / pixel));
  const c1 = Math.min(columns - 1, Math.ceil((cx + radius + pixel - x0) / pixel));
  const r0 = Math.max(0, Math.floor((cy - radius - pixel - y0) / rowPixel));
  const r1 = Math.min(rows - 1, Math.ceil((cy + radius + pixel - y0) / rowPixel));
  for (let row = r0; row <= r1; row++) {
    for (let column = c0; column <= c1; column++) {
      const i = row * columns + column;
      if (onlyBelow && out[i] > onlyBelow) continue;
      const alpha = coverage(Math.hypot(x0 + column * pixel - cx, y0 + row * rowPixel - cy) - radius, pixel);
      if (alpha > 0) out[i] += alpha * (value - out[i]);
    }
  }
}
