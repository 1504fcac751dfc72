/**
 * What a DICOM file's frames hold, decoded in Node independently of the viewer (no Cornerstone, no
 * DICOMweb), for the image-type tests: modality values (stored values masked to BitsStored, sign-extended,
 * rescaled with the frame's own rescale, functional groups included) of grey images, display colours of
 * colour images (YBR converted, palettes applied), and each frame's position along the slice normal.
 *
 * Decoders:
 * - native little/big endian, deflated: read here with dicom-parser;
 * - RLE, JPEG (all processes), JPEG-LS: DCMTK's `dcmdrle`, `dcmdjpeg`, `dcmdjpls` write an uncompressed
 *   copy, read as above (Debian package `dcmtk`);
 * - JPEG 2000 and HTJ2K: OpenJPEG's `opj_decompress` (Debian package `libopenjp2-tools`), per frame.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import * as dicomParserModule from 'dicom-parser';
import { functionalGroup, jpegProcess } from './codec-studies.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;
type DataSet = ReturnType<typeof dicomParser.parseDicom>;
const run = promisify(execFile);

const NATIVE_LITTLE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const J2K = /^1\.2\.840\.10008\.1\.2\.4\.(90|91|92|93|201|202|203)$/;
/** Lossy syntaxes: JPEG lossy processes, JPEG-LS near-lossless, JPEG 2000 and HTJ2K lossy. */
const LOSSY = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.53', '1.2.840.10008.1.2.4.55', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.203']);

/** One frame of a file, as the reference decoders read it. */
export interface FileFrame {
  file: string;
  /** 0-based. */
  frame: number;
  /** Position along the slice normal (mm), from the frame's functional groups or the file's own plane. */
  position?: number;
  /** At each asked point: `[modality value]` for grey images, `[r, g, b]` (0–255) for colour ones. */
  values: number[][];
}

/** A series' frames at a few points, and where its first file's middle frame is dark, bright and colourful. */
export interface SeriesValues {
  /** False for files without pixel data (SR, KO, PR…): nothing else is then filled in. */
  hasPixels: boolean;
  /**
   * README, unsupported data: why the viewer must refuse the series (12-bit JPEG whose scans refine by
   * successive approximation, read here from the file's own JPEG markers); absent when it must show it.
   */
  refusal?: string;
  photometric: string;
  samplesPerPixel: number;
  columns: number;
  rows: number;
  bitsStored: number;
  signed: boolean;
  transferSyntaxUID: string;
  lossy: boolean;
  /** |rescale slope| of the frame the points were chosen on: one stored step in modality units. */
  step: number;
  /** Who decoded the pixels. */
  reference: string;
  /** [column, row] points, chosen on the middle frame of the middle file: darkest, brightest, centre. */
  points: [number, number][];
  /** Grey images: the darkest and brightest flat places (3×3 means on a grid), and their values. */
  low?: { point: [number, number]; value: number };
  high?: { point: [number, number]; value: number };
  /** Colour images: the most colourful flat place and its colour. */
  colourful?: { point: [number, number]; rgb: [number, number, number] };
  /** Colour images: the least, over the frames, of each frame's highest chroma (max − min of R, G, B) on the grid. */
  leastFrameChroma?: number;
  /** Every frame of every file, at `points`. */
  frames: FileFrame[];
  /** Whether the file names a window (WindowCenter/WindowWidth, functional groups included). */
  hasWindow: boolean;
  /** PixelPaddingValue as a modality value, when the file has one. */
  padding?: number;
  /** Grey images: the lowest and highest modality value of the chosen frame, padding left out. */
  range?: [number, number];
}

interface Decoded {
  dataSet: DataSet;
  transferSyntaxUID: string;
  columns: number;
  rows: number;
  samplesPerPixel: number;
  photometric: string;
  frameCount: number;
  bitsStored: number;
  signed: boolean;
  reference: string;
  /** Per frame: samples (stored values masked and sign-extended), pixel-interleaved. */
  frames: Int32Array[];
}

function numbers(dataSet: DataSet | undefined, tag: string): number[] {
  const text = dataSet?.string(tag);
  return text ? text.split('\\').map(Number) : [];
}

/** The frame's rescale: top level, else its Pixel Value Transformation functional group. */
function rescaleOf(dataSet: DataSet, frame: number): { slope: number; intercept: number } {
  const source = dataSet.string('x00281053') !== undefined ? dataSet : (functionalGroup(dataSet, 'x00289145', frame) ?? dataSet);
  return { slope: Number(source.string('x00281053') ?? 1), intercept: Number(source.string('x00281052') ?? 0) };
}

/** The frame's position along its slice normal, when it has a plane. */
function positionOf(dataSet: DataSet, frame: number): number | undefined {
  const ipp = numbers(functionalGroup(dataSet, 'x00209113', frame), 'x00200032');
  const iop = numbers(functionalGroup(dataSet, 'x00209116', frame), 'x00200037');
  const p = ipp.length === 3 ? ipp : numbers(dataSet, 'x00200032');
  const o = iop.length === 6 ? iop : numbers(dataSet, 'x00200037');
  if (p.length !== 3 || o.length !== 6) return undefined;
  const n = [o[1]! * o[5]! - o[2]! * o[4]!, o[2]! * o[3]! - o[0]! * o[5]!, o[0]! * o[4]! - o[1]! * o[3]!];
  return n[0]! * p[0]! + n[1]! * p[1]! + n[2]! * p[2]!;
}

function parse(bytes: Uint8Array): DataSet {
  return dicomParser.parseDicom(bytes, {
    inflater: (array: Uint8Array, position: number) => {
      const inflated = inflateRawSync(array.subarray(position));
      const whole = new Uint8Array(position + inflated.length);
      whole.set(array.subarray(0, position));
      whole.set(inflated, position);
      return whole;
    },
  } as Parameters<typeof dicomParser.parseDicom>[1]);
}

function describe(dataSet: DataSet) {
  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  return {
    transferSyntaxUID: dataSet.string('x00020010')?.trim() ?? '',
    columns: dataSet.uint16('x00280011') ?? 0,
    rows: dataSet.uint16('x00280010') ?? 0,
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    photometric: dataSet.string('x00280004')?.trim() ?? '',
    frameCount: Math.max(1, dataSet.intString('x00280008') ?? 1),
    bitsAllocated,
    bitsStored: dataSet.uint16('x00280101') ?? bitsAllocated,
    signed: dataSet.uint16('x00280103') === 1,
    planar: dataSet.uint16('x00280006') === 1,
  };
}

/** Stored values of native frames: masked to BitsStored, sign-extended; pixel-interleaved. */
function nativeFrames(dataSet: DataSet, littleEndian: boolean): Int32Array[] {
  const d = describe(dataSet);
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel) throw new Error('no pixel data');
  const bytes = dataSet.byteArray;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, pixel.length);
  const perFrame = d.columns * d.rows * d.samplesPerPixel;
  // YBR_FULL_422 native: two luma samples share one pair of chroma samples (Y Y Cb Cr).
  const ybr422 = d.photometric === 'YBR_FULL_422';
  const samplesInFile = ybr422 ? d.columns * d.rows * 2 : perFrame;
  const bytesPerSample = d.bitsAllocated / 8;
  const mask = d.bitsStored >= 32 ? 0xffffffff : 2 ** d.bitsStored - 1;
  const read = (i: number) => {
    const raw = d.bitsAllocated === 8 ? view.getUint8(i) : d.bitsAllocated === 16 ? view.getUint16(i * 2, littleEndian) : view.getUint32(i * 4, littleEndian);
    let value = raw & mask;
    if (d.signed && value >= 2 ** (d.bitsStored - 1)) value -= 2 ** d.bitsStored;
    return value;
  };
  const frames: Int32Array[] = [];
  for (let f = 0; f < d.frameCount; f++) {
    const base = f * samplesInFile;
    if ((base + samplesInFile) * bytesPerSample > pixel.length) throw new Error(`frame ${f} is cut short`);
    const out = new Int32Array(perFrame);
    if (ybr422) {
      for (let p = 0; p < d.columns * d.rows; p += 2) {
        const at = base + p * 2;
        const [y0, y1, cb, cr] = [read(at), read(at + 1), read(at + 2), read(at + 3)];
        out.set([y0, cb, cr, y1, cb, cr], p * 3);
      }
    } else if (d.planar && d.samplesPerPixel > 1) {
      const plane = d.columns * d.rows;
      for (let p = 0; p < plane; p++) for (let s = 0; s < d.samplesPerPixel; s++) out[p * d.samplesPerPixel + s] = read(base + s * plane + p);
    } else {
      for (let i = 0; i < perFrame; i++) out[i] = read(base + i);
    }
    frames.push(out);
  }
  return frames;
}

/** The encapsulated bytes of one frame (one fragment per frame, or the offset table's split). */
function encapsulatedFrame(dataSet: DataSet, frame: number, frameCount: number): Uint8Array {
  const pixel = dataSet.elements.x7fe00010!;
  const fragments = pixel.fragments ?? [];
  if (pixel.basicOffsetTable?.length) return dicomParser.readEncapsulatedImageFrame(dataSet, pixel, frame);
  if (fragments.length === frameCount) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixel, frame, 1);
  if (frameCount === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixel, 0, fragments.length);
  return dicomParser.readEncapsulatedImageFrame(dataSet, pixel, frame, dicomParser.createJPEGBasicOffsetTable(dataSet, pixel));
}

/** JPEG 2000 / HTJ2K frames decoded by OpenJPEG's opj_decompress. */
async function openJpegFrames(dataSet: DataSet, dir: string): Promise<Int32Array[]> {
  const d = describe(dataSet);
  const frames: Int32Array[] = [];
  for (let f = 0; f < d.frameCount; f++) {
    const input = path.join(dir, `frame${f}.j2k`);
    const output = path.join(dir, `frame${f}.rawl`);
    await writeFile(input, encapsulatedFrame(dataSet, f, d.frameCount));
    await run('opj_decompress', ['-quiet', '-i', input, '-o', output]);
    const raw = await readFile(output);
    // Components one after the other, each sample in 1 or 2 bytes (little endian), signed as coded.
    const plane = d.columns * d.rows;
    const bytes = raw.length / (plane * d.samplesPerPixel);
    const out = new Int32Array(plane * d.samplesPerPixel);
    for (let s = 0; s < d.samplesPerPixel; s++) {
      for (let p = 0; p < plane; p++) {
        const at = (s * plane + p) * bytes;
        out[p * d.samplesPerPixel + s] = bytes === 1 ? (d.signed ? raw.readInt8(at) : raw.readUInt8(at)) : d.signed ? raw.readInt16LE(at) : raw.readUInt16LE(at);
      }
    }
    frames.push(out);
  }
  return frames;
}

const cache = new Map<string, Promise<Decoded>>();

/** Decodes every frame of a file (cached for the run). */
export function decodeFile(file: string): Promise<Decoded> {
  let decoded = cache.get(file);
  if (!decoded) {
    decoded = decode(file);
    cache.set(file, decoded);
  }
  return decoded;
}

async function decode(file: string): Promise<Decoded> {
  const dataSet = parse(new Uint8Array(await readFile(file)));
  const d = describe(dataSet);
  const result = (frames: Int32Array[], reference: string, described = d): Decoded => ({
    dataSet,
    transferSyntaxUID: d.transferSyntaxUID,
    columns: described.columns,
    rows: described.rows,
    samplesPerPixel: described.samplesPerPixel,
    photometric: described.photometric,
    frameCount: described.frameCount,
    bitsStored: described.bitsStored,
    signed: described.signed,
    reference,
    frames,
  });
  if (NATIVE_LITTLE.has(d.transferSyntaxUID)) return result(nativeFrames(dataSet, true), 'dicom-parser (native)');
  if (d.transferSyntaxUID === BIG_ENDIAN) return result(nativeFrames(dataSet, false), 'dicom-parser (native, big endian)');
  const dir = await mkdtemp(path.join(tmpdir(), 'filmless-values-'));
  try {
    if (J2K.test(d.transferSyntaxUID)) return result(await openJpegFrames(dataSet, dir), 'OpenJPEG opj_decompress');
    const tool = d.transferSyntaxUID === '1.2.840.10008.1.2.5' ? 'dcmdrle' : /^1\.2\.840\.10008\.1\.2\.4\.8[01]$/.test(d.transferSyntaxUID) ? 'dcmdjpls' : 'dcmdjpeg';
    const output = path.join(dir, 'native.dcm');
    await run(tool, [file, output]);
    const native = parse(new Uint8Array(await readFile(output)));
    // Rescale, functional groups and palettes are read from the original (DCMTK keeps them); the
    // photometric interpretation from the copy (dcmdjpeg converts lossy YBR to RGB).
    return result(nativeFrames(native, true), `DCMTK ${tool}`, describe(native));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A palette's lookup table for one channel, as 0–255. */
function paletteChannel(dataSet: DataSet, descriptorTag: string, dataTag: string): (index: number) => number {
  const descriptor = dataSet.elements[descriptorTag]!;
  const entries = dataSet.uint16(descriptorTag, 0) || 65536;
  const first = descriptor.vr === 'SS' ? dataSet.int16(descriptorTag, 1)! : dataSet.uint16(descriptorTag, 1)!;
  const bits = dataSet.uint16(descriptorTag, 2)!;
  const data = dataSet.elements[dataTag]!;
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + data.dataOffset, data.length);
  const entry = (i: number) => (bits === 8 && data.length === entries ? view.getUint8(i) : view.getUint16(i * 2, true));
  const scale = bits === 8 ? 1 : 1 / 256;
  return (index: number) => Math.floor(entry(Math.min(entries - 1, Math.max(0, index - first))) * scale);
}

/** The display colour (0–255) of each pixel of a colour frame. */
function colours(decoded: Decoded, frame: number): (pixel: number) => [number, number, number] {
  const samples = decoded.frames[frame]!;
  const { photometric, dataSet } = decoded;
  if (photometric === 'PALETTE COLOR') {
    const [r, g, b] = [paletteChannel(dataSet, 'x00281101', 'x00281201'), paletteChannel(dataSet, 'x00281102', 'x00281202'), paletteChannel(dataSet, 'x00281103', 'x00281203')];
    return (p) => [r(samples[p]!), g(samples[p]!), b(samples[p]!)];
  }
  const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  if (photometric.startsWith('YBR_FULL')) {
    // PS3.3 C.7.6.3.1.2: YBR_FULL to RGB.
    return (p) => {
      const [y, cb, cr] = [samples[p * 3]!, samples[p * 3 + 1]! - 128, samples[p * 3 + 2]! - 128];
      return [clamp(y + 1.402 * cr), clamp(y - 0.344136 * cb - 0.714136 * cr), clamp(y + 1.772 * cb)];
    };
  }
  return (p) => [samples[p * 3]!, samples[p * 3 + 1]!, samples[p * 3 + 2]!];
}

/** What a grey frame holds: modality values. */
function modality(decoded: Decoded, frame: number): (pixel: number) => number {
  const samples = decoded.frames[frame]!;
  const { slope, intercept } = rescaleOf(decoded.dataSet, frame);
  return (p) => samples[p]! * slope + intercept;
}

/**
 * The frames of a series' files at a few points: chosen here (darkest, brightest and centre of the
 * middle file's middle frame) unless given.
 */
export async function seriesValues(files: string[], given?: [number, number][]): Promise<SeriesValues> {
  const first = parse(new Uint8Array(await readFile(files[0]!)));
  if (!first.elements.x7fe00010) {
    return { hasPixels: false, hasWindow: false, photometric: '', samplesPerPixel: 0, columns: 0, rows: 0, bitsStored: 0, signed: false, transferSyntaxUID: '', lossy: false, step: 1, reference: '', points: [], frames: [] };
  }
  const process = jpegProcess(first);
  const refusal = process?.precision === 12 && process.successiveApproximation ? '12-bit JPEG with successive approximation' : undefined;
  const decodedFiles = await Promise.all(files.map(decodeFile));
  const middleFile = decodedFiles[Math.floor((decodedFiles.length - 1) / 2)]!;
  const middleFrame = Math.floor((middleFile.frameCount - 1) / 2);
  const { columns, rows, samplesPerPixel, photometric } = middleFile;
  const colour = samplesPerPixel === 3 || photometric === 'PALETTE COLOR';
  const hasWindow = middleFile.dataSet.string('x00281050') !== undefined || functionalGroup(middleFile.dataSet, 'x00289132', middleFrame)?.string('x00281050') !== undefined;
  const result: SeriesValues = {
    hasPixels: true,
    hasWindow,
    ...(refusal ? { refusal } : {}),
    photometric,
    samplesPerPixel,
    columns,
    rows,
    bitsStored: middleFile.bitsStored,
    signed: middleFile.signed,
    transferSyntaxUID: middleFile.transferSyntaxUID,
    lossy: LOSSY.has(middleFile.transferSyntaxUID),
    step: Math.abs(rescaleOf(middleFile.dataSet, middleFrame).slope),
    reference: middleFile.reference,
    points: [],
    frames: [],
  };
  // Flat places on a grid (3×3 neighbourhoods whose values differ little), away from the edges.
  const grid: [number, number][] = [];
  const stepC = Math.max(1, Math.floor(columns / 24));
  const stepR = Math.max(1, Math.floor(rows / 24));
  for (let r = Math.max(1, stepR); r < rows - 1; r += stepR) for (let c = Math.max(1, stepC); c < columns - 1; c += stepC) grid.push([c, r]);
  if (colour) {
    const at = colours(middleFile, middleFrame);
    let best = { score: -Infinity, point: [columns >> 1, rows >> 1] as [number, number], rgb: [0, 0, 0] as [number, number, number] };
    for (const [c, r] of grid) {
      const rgb = at(r * columns + c);
      let spread = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) spread = Math.max(spread, ...at((r + dr) * columns + c + dc).map((v, i) => Math.abs(v - rgb[i]!)));
      const chroma = Math.max(...rgb) - Math.min(...rgb);
      if (chroma - 3 * spread > best.score) best = { score: chroma - 3 * spread, point: [c, r], rgb };
    }
    result.colourful = { point: best.point, rgb: best.rgb };
    result.points = given ?? [best.point, [columns >> 1, rows >> 1], [columns >> 2, rows >> 2]];
  } else {
    const at = modality(middleFile, middleFrame);
    const mean = (c: number, r: number) => {
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const v = at((r + dr) * columns + c + dc);
          sum += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      return { mean: sum / 9, spread: max - min };
    };
    const scored = grid.map(([c, r]) => ({ point: [c, r] as [number, number], ...mean(c, r) }));
    const { slope, intercept } = rescaleOf(middleFile.dataSet, middleFrame);
    const paddingElement = middleFile.dataSet.elements.x00280120;
    const paddingStored = paddingElement ? (middleFile.signed ? middleFile.dataSet.int16('x00280120') : middleFile.dataSet.uint16('x00280120')) : undefined;
    if (paddingStored !== undefined) result.padding = paddingStored * slope + intercept;
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < columns * rows; p++) {
      if (middleFile.frames[middleFrame]![p] === paddingStored) continue;
      const v = at(p);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    result.range = [min, max];
    // Darkest / brightest, preferring flat places.
    const low = scored.reduce((a, b) => (b.mean + b.spread < a.mean + a.spread ? b : a));
    const high = scored.reduce((a, b) => (b.mean - b.spread > a.mean - a.spread ? b : a));
    result.low = { point: low.point, value: at(low.point[1] * columns + low.point[0]) };
    result.high = { point: high.point, value: at(high.point[1] * columns + high.point[0]) };
    result.points = given ?? [low.point, high.point, [columns >> 1, rows >> 1]];
  }
  if (colour) {
    let least = Infinity;
    for (const decoded of decodedFiles) {
      for (let f = 0; f < decoded.frameCount; f++) {
        const at = colours(decoded, f);
        least = Math.min(least, Math.max(...grid.map(([c, r]) => ((rgb) => Math.max(...rgb) - Math.min(...rgb))(at(r * decoded.columns + c)))));
      }
    }
    result.leastFrameChroma = least;
  }
  for (const [i, decoded] of decodedFiles.entries()) {
    for (let f = 0; f < decoded.frameCount; f++) {
      const read = colour ? colours(decoded, f) : ((p: number) => [modality(decoded, f)(p)]);
      const position = positionOf(decoded.dataSet, f);
      result.frames.push({
        file: files[i]!,
        frame: f,
        ...(position === undefined ? {} : { position }),
        values: result.points.map(([c, r]) => read(r * decoded.columns + c)),
      });
    }
  }
  return result;
}
