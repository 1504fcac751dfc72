/**
 * A synthetic chest CT for the benchmark: body outline, subcutaneous fat, lungs with vessels, heart,
 * aorta, a spine with discs and ribs that come and go along the table axis. Every slice differs from
 * its neighbours (so scrolling shows movement and lossless compression has real work), and the same
 * inputs always give the same Hounsfield units.
 */

/** Geometry of the bench series; patient coordinates in mm, DICOM LPS (+x left, +y posterior, +z superior). */
export const CT_GEOMETRY = {
  rows: 512,
  columns: 512,
  slices: 300,
  /** Row and column spacing (a 500 mm field of view). */
  pixelSpacing: 500 / 512,
  sliceSpacing: 1,
  /** Patient position of the first pixel of slice 0 (the most superior slice). */
  origin: { x: -250, y: -250, z: 0 },
} as const;

/** Stored value = HU + 1024, 12 bits stored, unsigned. */
export const RESCALE_INTERCEPT = -1024;
export const BITS_STORED = 12;

interface Disc {
  x: number;
  y: number;
  r: number;
}

/** xorshift32: deterministic noise that regenerates byte-identical files. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/** Lung vessels: small discs at fixed places, each spanning a range of slices. */
const VESSELS: Array<Disc & { from: number; to: number; hu: number }> = (() => {
  const next = random(0xc7a5);
  return Array.from({ length: 160 }, () => {
    const side = next() < 0.5 ? -1 : 1;
    const from = Math.floor(next() * 280);
    return {
      x: side * (45 + next() * 70),
      y: -60 + next() * 110,
      r: 1.5 + next() * 4,
      from,
      to: from + 10 + Math.floor(next() * 60),
      hu: -100 + next() * 150,
    };
  });
})();

const inEllipse = (x: number, y: number, cx: number, cy: number, a: number, b: number): boolean => {
  const dx = (x - cx) / a;
  const dy = (y - cy) / b;
  return dx * dx + dy * dy <= 1;
};

/** Fraction 0..1 of an organ's extent along z (0 outside it): a smooth bump between two slices. */
function extent(slice: number, from: number, to: number): number {
  if (slice <= from || slice >= to) return 0;
  const t = (slice - from) / (to - from);
  return Math.sqrt(Math.sin(Math.PI * t));
}

/** Hounsfield units of one slice, row by row, without noise. */
function sliceHounsfield(slice: number, out: Float32Array): void {
  const { rows, columns, pixelSpacing, origin } = CT_GEOMETRY;
  const bodyA = 165 + 10 * Math.sin(slice / 50);
  const bodyB = 118 + 6 * Math.cos(slice / 70);
  const lung = extent(slice, 10, 230);
  const heart = extent(slice, 110, 250);
  const disc = slice % 28 < 5;
  const ribPhase = (slice % 24) / 24;
  const vessels = VESSELS.filter((v) => slice >= v.from && slice <= v.to);
  for (let row = 0; row < rows; row++) {
    const y = origin.y + row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      const x = origin.x + column * pixelSpacing;
      let hu = -1000;
      if (y > 135 && y < 150 && Math.abs(x) < 200) hu = y < 139 ? 200 : -200; // the table
      if (inEllipse(x, y, 0, 0, bodyA, bodyB)) {
        hu = inEllipse(x, y, 0, 0, bodyA - 14, bodyB - 12) ? 45 : -100; // muscle inside, fat under the skin
        // Ribs: a ring under the fat, present for part of each 24 mm period, angled around the body.
        if (!inEllipse(x, y, 0, 0, bodyA - 24, bodyB - 22) && Math.abs(Math.sin(Math.atan2(y, x) * 3 + ribPhase * 2 * Math.PI)) > 0.8) {
          hu = 650;
        }
        if (lung > 0) {
          for (const side of [-1, 1]) {
            if (inEllipse(x, y, side * 75, -5, 58 * lung, 80 * lung)) {
              hu = -860;
              for (const v of vessels) if (v.x * side > 0 && (x - v.x) ** 2 + (y - v.y) ** 2 <= v.r * v.r) hu = v.hu;
            }
          }
        }
        if (heart > 0 && inEllipse(x, y, 22, 10, 58 * heart, 46 * heart)) hu = 40;
        if (inEllipse(x, y, -22, 52, 12, 12)) hu = 180; // descending aorta with contrast
        if (inEllipse(x, y, 0, 82, 22, 19)) hu = disc ? 80 : inEllipse(x, y, 0, 82, 18, 15) ? 280 : 1100; // vertebra
        if (!disc && inEllipse(x, y, 0, 112, 16, 12) && !inEllipse(x, y, 0, 112, 8, 7)) hu = 900; // arch
        if (inEllipse(x, y, 0, 112, 8, 7)) hu = 10; // spinal canal
      }
      out[row * columns + column] = hu;
    }
  }
}

/**
 * Stored pixel values (HU + 1024, clamped to 12 bits) of one slice, 0 = most superior, little-endian
 * 16-bit; noise of a few HU is added so the image is not piecewise flat.
 */
export function slicePixels(slice: number): Buffer {
  const { rows, columns } = CT_GEOMETRY;
  const hounsfield = new Float32Array(rows * columns);
  sliceHounsfield(slice, hounsfield);
  const next = random(0x5eed + slice * 7919);
  const pixels = Buffer.alloc(rows * columns * 2);
  const max = (1 << BITS_STORED) - 1;
  for (let i = 0; i < hounsfield.length; i++) {
    const hu = hounsfield[i]!;
    const noise = (next() + next() + next() - 1.5) * (hu <= -990 ? 6 : 18);
    const stored = Math.round(hu + noise - RESCALE_INTERCEPT);
    pixels.writeUInt16LE(Math.min(max, Math.max(0, stored)), i * 2);
  }
  return pixels;
}
