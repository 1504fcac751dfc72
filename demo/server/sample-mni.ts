/**
 * The real anatomy behind the sample head studies: the ICBM 2009 average brain (MNI152), as shipped
 * by the pinned devDependency `@niivue/niivue` in `src/mni152.nii.gz`, read with `nifti-reader-js`.
 *
 * The volume is a brain-extracted T1-weighted average of 152 adults, 207×256×215 voxels of 0.737 mm.
 * Its voxel values are 8-bit (0–252): background 0, CSF low, grey matter near 168, white matter
 * near 210. Everything around the brain (skull, scalp, face) is added by ./sample-head.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as nifti from 'nifti-reader-js';

/**
 * The notice that must accompany the template and anything derived from it (the licence of the
 * ICBM 2009 atlases). It is written into every generated instance (ImageComments) and the README.
 */
export const MNI_NOTICE =
  'Copyright (C) 1993-2004 Louis Collins, McConnell Brain Imaging Centre, Montreal Neurological Institute, ' +
  'McGill University. Permission to use, copy, modify, and distribute this software and its documentation for ' +
  'any purpose and without fee is hereby granted, provided that the above copyright notice appear in all copies. ' +
  'The authors and McGill University make no representations about the suitability of this software for any ' +
  'purpose. It is provided "as is" without express or implied warranty. The authors are not responsible for any ' +
  'data loss, equipment damage, property loss, or injury to subjects or patients resulting from the use or misuse ' +
  'of this software package.';

/** Where the template comes from, for the generated files and the cache stamp. */
export const MNI_SOURCE = '@niivue/niivue/src/mni152.nii.gz (ICBM 2009 nonlinear average, MNI152)';

/** The template: raw voxel values and the affine from voxel indices to RAS millimetres (axis-aligned). */
export interface MniTemplate {
  readonly dims: readonly [number, number, number];
  readonly voxels: Uint8Array;
  /** RAS mm of voxel (i, j, k) = origin + spacing × (i, j, k); the file's sform has no rotation. */
  readonly origin: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
}

let cached: MniTemplate | undefined;

/** Reads and decompresses the template once per process. */
export function loadMniTemplate(): MniTemplate {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve('@niivue/niivue/src/mni152.nii.gz');
  const bytes = readFileSync(file);
  let buffer: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(buffer)) buffer = nifti.decompress(buffer) as ArrayBuffer;
  const header = nifti.readHeader(buffer);
  if (!header) throw new Error(`${file} is not a NIfTI file`);
  if (header.datatypeCode !== nifti.NIFTI1.TYPE_UINT8) {
    throw new Error(`${file}: expected 8-bit voxels, found datatype ${header.datatypeCode}`);
  }
  const [, nx = 0, ny = 0, nz = 0] = header.dims;
  const affine = header.affine;
  const rotated = [0, 1, 2].some((row) => [0, 1, 2].some((column) => row !== column && Math.abs(affine[row][column]) > 1e-6));
  if (rotated) throw new Error(`${file}: the sform is rotated; only an axis-aligned template is supported`);
  cached = {
    dims: [nx, ny, nz],
    voxels: new Uint8Array(nifti.readImage(header, buffer)),
    origin: [affine[0][3], affine[1][3], affine[2][3]],
    spacing: [affine[0][0], affine[1][1], affine[2][2]],
  };
  return cached;
}

/**
 * Trilinear sampler of the template at RAS millimetres; 0 outside the volume. Returns a closure
 * so the hot loops read plain locals.
 */
export function templateSampler(template: MniTemplate): (x: number, y: number, z: number) => number {
  const { voxels } = template;
  const [nx, ny, nz] = template.dims;
  const [ox, oy, oz] = template.origin;
  const [sx, sy, sz] = template.spacing;
  const strideY = nx;
  const strideZ = nx * ny;
  return (x, y, z) => {
    const fi = (x - ox) / sx;
    const fj = (y - oy) / sy;
    const fk = (z - oz) / sz;
    if (fi < 0 || fj < 0 || fk < 0 || fi > nx - 1 || fj > ny - 1 || fk > nz - 1) return 0;
    const i = Math.min(Math.floor(fi), nx - 2);
    const j = Math.min(Math.floor(fj), ny - 2);
    const k = Math.min(Math.floor(fk), nz - 2);
    const u = fi - i;
    const v = fj - j;
    const w = fk - k;
    const base = i + j * strideY + k * strideZ;
    const c000 = voxels[base];
    const c100 = voxels[base + 1];
    const c010 = voxels[base + strideY];
    const c110 = voxels[base + strideY + 1];
    const c001 = voxels[base + strideZ];
    const c101 = voxels[base + strideZ + 1];
    const c011 = voxels[base + strideZ + strideY];
    const c111 = voxels[base + strideZ + strideY + 1];
    const c00 = c000 + (c100 - c000) * u;
    const c10 = c010 + (c110 - c010) * u;
    const c01 = c001 + (c101 - c001) * u;
    const c11 = c011 + (c111 - c011) * u;
    const c0 = c00 + (c10 - c00) * v;
    const c1 = c01 + (c11 - c01) * v;
    return c0 + (c1 - c0) * w;
  };
}
