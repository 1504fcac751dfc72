/**
 * A head for the sample CT and MR studies: the real average brain of ./sample-mni.ts, wrapped in
 * synthetic but anatomically placed skull (inner and outer tables, diploë, frontal, sphenoid and
 * mastoid air), scalp with subcutaneous fat and temporalis, orbits with globes, lenses and optic
 * nerves, ethmoid and nasal air, a neck with the spinal cord, and calcified choroid plexus and pineal.
 *
 * Every boundary is a signed distance turned into partial volume over one pixel
 * ({@link coverage}), so edges are smooth at any resolution. The model is evaluated in DICOM
 * patient coordinates (LPS, mm); the template's RAS space is converted here.
 */
import { loadMniTemplate, templateSampler } from './sample-mni.js';
import {
  coverage,
  ellipseDistance,
  ellipsoidDistance,
  gaussianBlur3,
  gridSampler,
  smoothstep,
  squaredDistanceTransform,
} from './sample-raster.js';

/** What each material shows: Hounsfield units for CT, signal for the T1-weighted MR. */
export interface HeadContrast {
  /** The value of brain tissue from the template's 0–252 voxel value. */
  readonly brain: (templateValue: number) => number;
  readonly csf: number;
  readonly corticalBone: number;
  readonly diploe: number;
  readonly muscle: number;
  readonly fat: number;
  readonly skin: number;
  readonly air: number;
  readonly vitreous: number;
  readonly lens: number;
  readonly nerve: number;
  readonly marrow: number;
  readonly disc: number;
  readonly calcification: number;
  readonly marker: number;
}

/** CT: grey matter ≈ 39 HU, white matter ≈ 28, CSF ≈ 5, cortical bone 1600 HU, diploë 650. */
export const HEAD_CT: HeadContrast = {
  brain: piecewiseLinear([[0, 4], [60, 9], [120, 24], [168, 39], [190, 34], [210, 28], [252, 26]]),
  csf: 5,
  corticalBone: 1600,
  diploe: 650,
  muscle: 48,
  fat: -95,
  skin: 35,
  air: -1000,
  vitreous: 12,
  lens: 105,
  nerve: 32,
  marrow: 350,
  disc: 85,
  calcification: 420,
  /** A metal skin marker (a BB): saturates the 12-bit range. */
  marker: 3000,
};

/** T1-weighted MR: white matter ≈ 950, grey ≈ 770, CSF ≈ 150, fat and marrow bright, cortical bone dark. */
export const HEAD_T1: HeadContrast = {
  brain: (value) => 120 + 3.9 * value,
  csf: 140,
  corticalBone: 70,
  diploe: 720,
  muscle: 430,
  fat: 1180,
  skin: 520,
  air: 0,
  vitreous: 150,
  lens: 560,
  nerve: 700,
  marrow: 820,
  disc: 330,
  calcification: 700,
  /** A vitamin E capsule taped to the skin: bright on T1. */
  marker: 1450,
};

/**
 * The skin marker on the patient's LEFT frontal scalp (LPS: +x is patient left), in the head's own
 * coordinates (a study that shifts the head shifts the marker with it). Laterality tests check that
 * it shows on the viewer's right in an axial image.
 */
export interface HeadMarker {
  readonly center: { readonly x: number; readonly y: number; readonly z: number };
  readonly radius: number;
}

export interface HeadModel {
  /** The value at a point (LPS mm), with edges smoothed over `pixel` mm. */
  value(contrast: HeadContrast, x: number, y: number, z: number, pixel: number): number;
  readonly marker: HeadMarker;
  /** Patient z (mm) of the top of the scalp and the lowest template slice. */
  readonly vertexZ: number;
}

const GRID_SPACING = 2;
const GRID_ORIGIN = [-106, -150, -130] as const;
const GRID_SIZE = [107, 136, 126] as const;

let cachedModel: HeadModel | undefined;

/** Builds the head once per process (about a second: a distance transform of the skull's inner surface). */
export function headModel(): HeadModel {
  cachedModel ??= buildHeadModel();
  return cachedModel;
}

function buildHeadModel(): HeadModel {
  const template = loadMniTemplate();
  const brainAt = templateSampler(template);
  const [nx, ny, nz] = GRID_SIZE;
  const [ox, oy, oz] = GRID_ORIGIN;

  // 1. The intracranial space: the brain mask, blurred so it bridges the sulci, thresholded.
  const mask = { nx, ny, nz, data: new Float32Array(nx * ny * nz) };
  for (let k = 0, i = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let n = 0; n < nx; n++, i++) {
        mask.data[i] = brainAt(ox + n * GRID_SPACING, oy + j * GRID_SPACING, oz + k * GRID_SPACING) > 12 ? 1 : 0;
      }
    }
  }
  gaussianBlur3(mask, 4 / GRID_SPACING);
  const inside = (i: number): boolean => mask.data[i] > 0.25;
  // 2. Signed distance to its surface in mm (negative inside), smoothed to remove voxel steps.
  const outward = squaredDistanceTransform(nx, ny, nz, inside);
  const inward = squaredDistanceTransform(nx, ny, nz, (i) => !inside(i));
  const distance = { nx, ny, nz, data: new Float32Array(nx * ny * nz) };
  for (let i = 0; i < distance.data.length; i++) {
    distance.data[i] = inside(i)
      ? -(Math.sqrt(inward[i]) - 0.5) * GRID_SPACING
      : (Math.sqrt(outward[i]) - 0.5) * GRID_SPACING;
  }
  gaussianBlur3(distance, 1);
  const intracranial = gridSampler(distance, GRID_ORIGIN, GRID_SPACING);

  // 3. Where the medulla leaves the template's lowest slice: the spinal cord continues from there.
  const [tx, ty] = template.dims;
  const bottomZ = template.origin[2] + template.spacing[2];
  let sumX = 0;
  let sumY = 0;
  let count = 0;
  for (let j = 0; j < ty; j++) {
    for (let n = 0; n < tx; n++) {
      const x = template.origin[0] + n * template.spacing[0];
      const y = template.origin[1] + j * template.spacing[1];
      if (brainAt(x, y, bottomZ) > 120 && Math.abs(x) < 20) {
        sumX += x;
        sumY += y;
        count++;
      }
    }
  }
  const cord = { x: count ? sumX / count : 0, y: count ? sumY / count : -40, z: bottomZ };

  const geometry: Geometry = { brainAt, intracranial, cord };
  const marker = findMarker(geometry);
  let vertexZ = 0;
  for (let z = 150; z > 0; z -= 0.5) {
    if (envelopeDistance(geometry.intracranial(0, -10, z), 0, -10, z) < 0) {
      vertexZ = z;
      break;
    }
  }
  return {
    marker,
    vertexZ,
    value: (contrast, x, y, z, pixel) => valueAt(geometry, contrast, -x, -y, z, pixel, marker),
  };
}

interface Geometry {
  readonly brainAt: (x: number, y: number, z: number) => number;
  readonly intracranial: (x: number, y: number, z: number) => number;
  readonly cord: { readonly x: number; readonly y: number; readonly z: number };
}

/** Skull thickness (mm) at a RAS point: thicker at the occiput, thin over the temporal squama, wide at the frontal sinus. */
function skullThickness(x: number, y: number, z: number): number {
  const temporal = smoothstep(46, 60, Math.abs(x)) * smoothstep(40, 18, z);
  return 6 + 2 * smoothstep(-45, -85, y) - 3.2 * temporal + 6 * frontalSinusRegion(x, y, z);
}

/** 1 where the frontal bone holds the frontal sinus (two lobulated halves either side of a septum), fading out around it. */
function frontalSinusRegion(x: number, y: number, z: number): number {
  if (y < 30 || z < -34 || z > 20) return 0;
  const lobe = Math.hypot(x / (19 + 4 * Math.sin(z * 0.35)), (z + 8) / 15);
  return smoothstep(30, 48, y) * smoothstep(1, 0.75, lobe) * smoothstep(0.6, 1.6, Math.abs(x - 2));
}

/** Scalp thickness (mm): temporalis muscle makes it thick at the temples. */
function scalpThickness(x: number, y: number, z: number): number {
  const temporalis = smoothstep(44, 58, Math.abs(x)) * smoothstep(45, 20, z) * smoothstep(-45, -20, y) * smoothstep(60, 40, y);
  return 5 + 8 * temporalis;
}

/** Polynomial smooth minimum: unions of shapes without a crease where they meet. */
function smoothMin(a: number, b: number, k: number): number {
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - (h * h * k) / 4;
}

/** Signed distance (mm, RAS) to the skin: cranium, face and nose, neck. */
function envelopeDistance(d: number, x: number, y: number, z: number): number {
  const cranium = d - skullThickness(x, y, z) - scalpThickness(x, y, z);
  const face = ellipsoidDistance(x, y, z, 0, 36, -70, 62, 60, 52);
  const nose = ellipsoidDistance(x, y, z, 0, 92, -62, 11, 15, 24);
  const neck = Math.max(ellipseDistance(x, y, 0, -22, 54, 56), z + 72);
  return smoothMin(smoothMin(cranium, face, 10), smoothMin(nose, neck, 12), 8);
}

/** A point just outside the skin of the left (RAS −x) forehead. */
function findMarker(g: Geometry): HeadMarker {
  const direction = [-0.55, 0.62, 0.56];
  const length = Math.hypot(direction[0], direction[1], direction[2]);
  const [dx, dy, dz] = direction.map((c) => c / length);
  const start = [0, 10, 35];
  let t = 0;
  while (t < 200 && envelopeDistance(g.intracranial(start[0] + t * dx, start[1] + t * dy, start[2] + t * dz), start[0] + t * dx, start[1] + t * dy, start[2] + t * dz) < 0) t += 0.25;
  const radius = 2.5;
  const outside = t + radius * 0.6;
  // Stored in LPS, the coordinates of the DICOM files.
  return { center: { x: -(start[0] + outside * dx), y: -(start[1] + outside * dy), z: start[2] + outside * dz }, radius };
}

/** Distance from a point to the segment a–b minus a radius: a rounded cylinder. */
function capsuleDistance(
  x: number, y: number, z: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  radius: number,
): number {
  const abx = bx - ax;
  const aby = by - ay;
  const abz = bz - az;
  const t = Math.min(1, Math.max(0, ((x - ax) * abx + (y - ay) * aby + (z - az) * abz) / (abx * abx + aby * aby + abz * abz)));
  return Math.hypot(x - ax - t * abx, y - ay - t * aby, z - az - t * abz) - radius;
}

/** Hash of a lattice cell to [0, 1). */
function cellHash(i: number, j: number, k: number, salt: number): number {
  let h = Math.imul(i, 0x8da6b343) ^ Math.imul(j, 0xd8163841) ^ Math.imul(k, 0xcb1ab31f) ^ Math.imul(salt, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 0x100000000;
}

/**
 * Air cells of irregular size (mastoid, ethmoid): a signed distance, negative inside a cell, from
 * one jittered sphere per lattice cell of `size` mm. The septa between cells stay bone.
 */
function airCellDistance(x: number, y: number, z: number, size: number): number {
  const ci = Math.floor(x / size);
  const cj = Math.floor(y / size);
  const ck = Math.floor(z / size);
  let best = Infinity;
  for (let i = ci - 1; i <= ci + 1; i++) {
    for (let j = cj - 1; j <= cj + 1; j++) {
      for (let k = ck - 1; k <= ck + 1; k++) {
        const px = (i + 0.2 + 0.6 * cellHash(i, j, k, 1)) * size;
        const py = (j + 0.2 + 0.6 * cellHash(i, j, k, 2)) * size;
        const pz = (k + 0.2 + 0.6 * cellHash(i, j, k, 3)) * size;
        const radius = size * (0.3 + 0.3 * cellHash(i, j, k, 4));
        const distance = Math.hypot(x - px, y - py, z - pz) - radius;
        if (distance < best) best = distance;
      }
    }
  }
  return best;
}

/** The painter's algorithm with soft coverage: each layer blends over what lies beneath it. */
function valueAt(g: Geometry, c: HeadContrast, x: number, y: number, z: number, w: number, marker: HeadMarker): number {
  const d = g.intracranial(x, y, z);
  const calcificationZone = z > -5 && z < 25;
  // Deep inside the cranium, above the skull base: the brain alone (most pixels of a slice).
  if (d < -w && z > -12) {
    const brain = c.brain(g.brainAt(x, y, z));
    return calcificationZone && d < -3 ? calcifications(c, x, y, z, w, brain) : brain;
  }
  const markerDistance = Math.hypot(-x - marker.center.x, -y - marker.center.y, z - marker.center.z) - marker.radius;
  // Far outside the cranium, above the face: air. (Bone and scalp are never more than 28 mm thick.)
  if (d > 28 + w && z > -15 && markerDistance > w) return c.air;
  const env = envelopeDistance(d, x, y, z);
  // Outside the skin: air (or the skin marker).
  if (env > w) return markerDistance < w ? c.air + coverage(markerDistance, w) * (c.marker - c.air) : c.air;

  // Inside: the template. Below its lowest slice the base is CSF; the cord is painted further down.
  let value = z >= g.cord.z ? c.brain(g.brainAt(x, y, z)) : c.csf;
  const blend = (alpha: number, material: number): void => {
    if (alpha > 0) value += alpha * (material - value);
  };

  // Skull: cortical tables with diploë between them, the frontal sinus inside the frontal bone,
  // and the foramen magnum left open around the cord.
  const thickness = skullThickness(x, y, z);
  const cordRadius = Math.hypot(x - g.cord.x, y - g.cord.y);
  const inBone = coverage(-d, w) * coverage(d - thickness, w) * (z < g.cord.z + 6 ? coverage(12 - cordRadius, w) : 1);
  if (inBone > 0) {
    blend(inBone, c.corticalBone);
    const table = 1.6;
    if (thickness > 2 * table + 0.8) blend(inBone * coverage(table - d, w) * coverage(d - (thickness - table), w), c.diploe);
    const frontal = frontalSinusRegion(x, y, z);
    if (frontal > 0) blend(frontal * coverage(2.2 - d, w) * coverage(d - (thickness - 2.2), w), c.air);
  }
  // Soft tissue between bone and skin: muscle, then subcutaneous fat, then skin.
  const beyondBone = coverage(thickness - d, w);
  if (beyondBone > 0) {
    blend(beyondBone, c.muscle);
    blend(beyondBone * coverage(-(env + 4.2), w) * coverage(env + 1.4, w), c.fat);
    blend(beyondBone * coverage(-(env + 1.4), w), c.skin);
  }
  // The spinal canal below the template: CSF around the cord, which continues the medulla.
  if (z < g.cord.z + 1) {
    const below = coverage(z - g.cord.z, w);
    blend(below * coverage(cordRadius - 8, w), c.csf);
    blend(below * coverage(cordRadius - 5.5, w), c.brain(g.brainAt(x, y, g.cord.z + 0.01)));
  }

  if (z < -12 && z > -125) skullBaseAndFace(g, c, x, y, z, w, d, blend);

  if (calcificationZone && d < -3) value = calcifications(c, x, y, z, w, value);
  blend(coverage(-env, w), c.air);
  if (markerDistance < w) blend(coverage(markerDistance, w), c.marker);
  return value;
}

/** Calcified choroid plexus in both atria and the pineal gland: the everyday calcifications of a head CT. */
function calcifications(c: HeadContrast, x: number, y: number, z: number, w: number, value: number): number {
  let result = value;
  for (const side of [-1, 1]) {
    const alpha = coverage(ellipsoidDistance(x, y, z, side * 27, -40, 13, 2.6, 3.4, 2.4), w);
    result += alpha * (c.calcification - result);
  }
  const pineal = coverage(ellipsoidDistance(x, y, z, 0, -30, 3, 2.2, 2.6, 2), w);
  return result + pineal * (c.calcification - result);
}

/**
 * Below the anterior and middle cranial fossae: orbits, sinuses, clivus, palate, the nasal cavity
 * and pharynx, the mastoids, and the cervical spine in front of the cord.
 */
function skullBaseAndFace(
  g: Geometry,
  c: HeadContrast,
  x: number, y: number, z: number, w: number, d: number,
  blend: (alpha: number, material: number) => void,
): void {
  const outsideBrain = coverage(1.5 - d, w);
  if (outsideBrain <= 0) return;
  // Clivus: a bar of marrow in cortex from the dorsum sellae down to the front of the foramen magnum.
  const clivus = capsuleDistance(x, y, z, 0, 4, -30, 0, g.cord.y + 14, g.cord.z - 2, 6);
  if (clivus < w) {
    blend(outsideBrain * coverage(clivus, w), c.corticalBone);
    blend(outsideBrain * coverage(clivus + 2, w), c.marrow);
  }
  // Orbits: fat in a bony cone, the globe with its lens, the optic nerve towards the apex.
  for (const side of [-1, 1]) {
    const ex = side * 31;
    const orbit = ellipsoidDistance(x, y, z, side * 29, 47, -41, 16, 25, 15);
    if (orbit < 3) {
      blend(outsideBrain * coverage(orbit - 1.8, w), c.corticalBone);
      blend(outsideBrain * coverage(orbit, w), c.fat);
      blend(outsideBrain * coverage(capsuleDistance(x, y, z, ex, 47, -40, side * 13, 18, -36, 2.2), w), c.nerve);
      blend(outsideBrain * coverage(ellipsoidDistance(x, y, z, ex, 58, -40, 11.5, 11.5, 11.5), w), c.vitreous);
      blend(outsideBrain * coverage(ellipsoidDistance(x, y, z, ex, 67.6, -40, 4.5, 1.8, 4.5), w), c.lens);
    }
    // Maxillary sinuses in bony walls.
    const maxillary = ellipsoidDistance(x, y, z, side * 28, 56, -80, 14, 16, 17);
    if (maxillary < 2) {
      blend(coverage(maxillary - 1.5, w), c.corticalBone);
      blend(coverage(maxillary, w), c.air);
    }
    // Mastoid air cells behind the ear, in the temporal bone.
    const mastoid = ellipsoidDistance(x, y, z, side * 52, -30, -42, 10, 12, 13);
    if (mastoid < w) {
      const alpha = outsideBrain * coverage(mastoid, w);
      blend(alpha, c.corticalBone);
      blend(alpha * coverage(airCellDistance(x, y, z, 4), 0.5), c.air);
    }
  }
  // Ethmoid air cells between the orbits.
  const ethmoid = ellipsoidDistance(x, y, z, 0, 48, -45, 10, 21, 13);
  if (ethmoid < w) {
    const alpha = outsideBrain * coverage(ethmoid, w);
    blend(alpha, c.corticalBone);
    blend(alpha * coverage(airCellDistance(x, y, z, 5), 0.5), c.air);
  }
  // Sphenoid sinus below the sella.
  const sphenoid = ellipsoidDistance(x, y, z, 0, 16, -47, 14, 11, 10);
  if (sphenoid < 2) {
    blend(outsideBrain * coverage(sphenoid - 1.2, w), c.corticalBone);
    blend(outsideBrain * coverage(sphenoid, w), c.air);
  }
  // Nasal cavity (with its septum) opening back into the nasopharynx; the hard palate beneath.
  if (z < -52) {
    const nasal = Math.max(ellipsoidDistance(x, y, z, 0, 60, -76, 14, 32, 18), 1.1 - Math.abs(x));
    blend(coverage(nasal, w), c.air);
    const pharynx = ellipsoidDistance(x, y, z, 0, 3, -96, 12, 6, 24);
    blend(coverage(pharynx, w), c.air);
    const palate = Math.max(ellipseDistance(x, y, 0, 50, 24, 32), Math.abs(z + 96) - 3.5);
    blend(coverage(palate, w), c.corticalBone);
    blend(coverage(palate + 1.2, w), c.marrow);
  }
  // Cervical spine in front of the cord: vertebral bodies of marrow in a cortical rim, and discs.
  if (z < g.cord.z - 1) {
    const bodyY = g.cord.y + 21;
    const rim = ellipseDistance(x, y, 0, bodyY, 11, 8.5);
    const level = (((z - g.cord.z) % 17) + 17) % 17;
    const inDisc = level > 13.5;
    const below = coverage(z - (g.cord.z - 3), w);
    blend(below * coverage(rim, w), inDisc ? c.disc : c.corticalBone);
    if (!inDisc) blend(below * coverage(rim + 1.5, w), c.marrow);
    const cordRadius = Math.hypot(x - g.cord.x, y - g.cord.y);
    // The posterior arch around the canal.
    const arch = Math.max(Math.abs(cordRadius - 10.5) - 2.2, y - g.cord.y - 2);
    blend(below * coverage(arch, w), c.corticalBone);
  }
}

/** A function through the given (input, output) points, flat beyond the ends. */
function piecewiseLinear(points: ReadonlyArray<readonly [number, number]>): (value: number) => number {
  return (value) => {
    if (value <= points[0][0]) return points[0][1];
    for (let i = 1; i < points.length; i++) {
      const [x1, y1] = points[i];
      if (value <= x1) {
        const [x0, y0] = points[i - 1];
        return y0 + ((value - x0) / (x1 - x0)) * (y1 - y0);
      }
    }
    return points[points.length - 1][1];
  };
}
