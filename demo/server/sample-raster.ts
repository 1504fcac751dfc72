/**
 * Small numerical helpers shared by the sample phantoms: a seeded random source, correlated image
 * noise, soft (partial-volume) edges, and distance and blur operations on 3D grids.
 */

/** xorshift32 in [0, 1): deterministic, so regenerated files are byte-identical. */
export function uniformSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/**
 * Gaussian noise of standard deviation `sigma` over a `width`×`height` image, smoothed by a 3×3
 * binomial kernel (then rescaled to `sigma`) so it has the fine grain of reconstructed CT or MR
 * noise rather than independent pixels.
 */
export function correlatedNoise(width: number, height: number, sigma: number, seed: number): Float32Array {
  const next = uniformSource(seed);
  const white = new Float32Array(width * height);
  for (let i = 0; i < white.length; i += 2) {
    // Box–Muller: two independent normals from two uniforms.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    white[i] = radius * Math.cos(angle);
    if (i + 1 < white.length) white[i + 1] = radius * Math.sin(angle);
  }
  const across = new Float32Array(white.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      across[i] = 0.5 * white[i] + 0.25 * (white[x > 0 ? i - 1 : i] + white[x < width - 1 ? i + 1 : i]);
    }
  }
  const out = new Float32Array(white.length);
  // The binomial [1 2 1]/4 kernel in 2D keeps 0.375² ≈ 0.1406 of the variance: undo that.
  const gain = sigma / 0.375;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      out[i] = gain * (0.5 * across[i] + 0.25 * (across[y > 0 ? i - width : i] + across[y < height - 1 ? i + width : i]));
    }
  }
  return out;
}

/**
 * How much of a pixel of size `width` lies inside a shape, from the signed distance to its surface
 * (negative inside): 1 deep inside, 0 far outside, a linear ramp across the edge. This is the
 * partial-volume effect that makes edges smooth instead of staircased.
 */
export function coverage(signedDistance: number, width: number): number {
  const t = 0.5 - signedDistance / width;
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/** Signed distance (approximate, exact on the axes) to an axis-aligned ellipsoid; negative inside. */
export function ellipsoidDistance(
  x: number, y: number, z: number,
  cx: number, cy: number, cz: number,
  ax: number, ay: number, az: number,
): number {
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  const dz = (z - cz) / az;
  const k = Math.sqrt(dx * dx + dy * dy + dz * dz);
  // (k - 1) times the smallest semi-axis: a distance that never overstates how far inside a point is.
  return (k - 1) * Math.min(ax, ay, az);
}

/** Signed distance to a 2D ellipse in a plane (an elliptic cylinder along the third axis). */
export function ellipseDistance(x: number, y: number, cx: number, cy: number, ax: number, ay: number): number {
  const dx = (x - cx) / ax;
  const dy = (y - cy) / ay;
  return (Math.sqrt(dx * dx + dy * dy) - 1) * Math.min(ax, ay);
}

/** Smooth step 0 → 1 as `value` goes from `from` to `to`. */
export function smoothstep(from: number, to: number, value: number): number {
  const t = Math.min(1, Math.max(0, (value - from) / (to - from)));
  return t * t * (3 - 2 * t);
}

/** A 3D grid of floats, x fastest. */
export interface Grid3 {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly data: Float32Array;
}

/**
 * Squared Euclidean distance (in voxels) from every voxel to the nearest voxel where `inside` is
 * true; Felzenszwalb & Huttenlocher's separable lower-envelope algorithm, one axis at a time.
 */
export function squaredDistanceTransform(nx: number, ny: number, nz: number, inside: (index: number) => boolean): Float32Array {
  const far = 1e20;
  const grid = new Float32Array(nx * ny * nz);
  for (let i = 0; i < grid.length; i++) grid[i] = inside(i) ? 0 : far;
  const longest = Math.max(nx, ny, nz);
  const f = new Float64Array(longest);
  const d = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const pass = (count: number, stride: number, lines: number, startOf: (n: number) => number): void => {
    for (let line = 0; line < lines; line++) {
      const start = startOf(line);
      for (let i = 0; i < count; i++) f[i] = grid[start + i * stride];
      let k = 0;
      v[0] = 0;
      z[0] = -Infinity;
      z[1] = Infinity;
      for (let q = 1; q < count; q++) {
        let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
        while (s <= z[k]) {
          k--;
          s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
        }
        k++;
        v[k] = q;
        z[k] = s;
        z[k + 1] = Infinity;
      }
      k = 0;
      for (let q = 0; q < count; q++) {
        while (z[k + 1] < q) k++;
        d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
      }
      for (let i = 0; i < count; i++) grid[start + i * stride] = d[i];
    }
  };
  pass(nx, 1, ny * nz, (n) => n * nx);
  pass(ny, nx, nx * nz, (n) => (n % nx) + Math.floor(n / nx) * nx * ny);
  pass(nz, nx * ny, nx * ny, (n) => n);
  return grid;
}

/** Separable Gaussian blur of a grid in place, `sigma` in voxels. */
export function gaussianBlur3(grid: Grid3, sigma: number): void {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const { nx, ny, nz, data } = grid;
  const line = new Float64Array(Math.max(nx, ny, nz));
  const blurLine = (start: number, stride: number, count: number): void => {
    for (let i = 0; i < count; i++) line[i] = data[start + i * stride];
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) {
        const j = Math.min(count - 1, Math.max(0, i + k));
        sum += kernel[k + radius] * line[j];
      }
      data[start + i * stride] = sum;
    }
  };
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) blurLine((z * ny + y) * nx, 1, nx);
  for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) blurLine(z * ny * nx + x, nx, ny);
  for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) blurLine(y * nx + x, nx * ny, nz);
}

/** Trilinear sampler of a grid whose voxel (0,0,0) is at `origin` and spacing is `spacing` mm; edge values outside. */
export function gridSampler(grid: Grid3, origin: readonly [number, number, number], spacing: number): (x: number, y: number, z: number) => number {
  const { nx, ny, nz, data } = grid;
  const [ox, oy, oz] = origin;
  const strideZ = nx * ny;
  return (x, y, z) => {
    const fi = Math.min(nx - 1.0001, Math.max(0, (x - ox) / spacing));
    const fj = Math.min(ny - 1.0001, Math.max(0, (y - oy) / spacing));
    const fk = Math.min(nz - 1.0001, Math.max(0, (z - oz) / spacing));
    const i = Math.floor(fi);
    const j = Math.floor(fj);
    const k = Math.floor(fk);
    const u = fi - i;
    const v = fj - j;
    const w = fk - k;
    const base = i + j * nx + k * strideZ;
    const c00 = data[base] + (data[base + 1] - data[base]) * u;
    const c10 = data[base + nx] + (data[base + nx + 1] - data[base + nx]) * u;
    const c01 = data[base + strideZ] + (data[base + strideZ + 1] - data[base + strideZ]) * u;
    const c11 = data[base + strideZ + nx] + (data[base + strideZ + nx + 1] - data[base + strideZ + nx]) * u;
    const c0 = c00 + (c10 - c00) * v;
    const c1 = c01 + (c11 - c01) * v;
    return c0 + (c1 - c0) * w;
  };
}
