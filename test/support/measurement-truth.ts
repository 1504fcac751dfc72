/**
 * Ground truth for the measurement tests, read from the DICOM files with dicom-parser in Node (never the
 * viewer's code): pixel spacing as the file states it, and the rescaled stored values inside an ellipse
 * or a rectangle given by two opposite corners in image coordinates (pixel centres on whole numbers).
 */
import { readFile } from 'node:fs/promises';
import * as dicomParserModule from 'dicom-parser';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

type DataSet = ReturnType<typeof dicomParser.parseDicom>;

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

function pair(dataSet: DataSet | undefined, tag: string): [number, number] | undefined {
  const text = dataSet?.string(tag);
  if (!text) return undefined;
  const values = text.split('\\').map(Number);
  return values.length >= 2 && values.every(Number.isFinite) ? [values[0]!, values[1]!] : undefined;
}

/** A spacing attribute at the top level, else in the shared or first per-frame Pixel Measures group. */
function spacing(dataSet: DataSet, tag: string): [number, number] | undefined {
  const top = pair(dataSet, tag);
  if (top) return top;
  for (const groups of ['x52009229', 'x52009230']) {
    const item = dataSet.elements[groups]?.items?.[0]?.dataSet;
    const measures = item?.elements.x00289110?.items?.[0]?.dataSet;
    const value = pair(measures, tag);
    if (value) return value;
  }
  return undefined;
}

export interface FileSpacing {
  /** PixelSpacing: [between rows, between columns] in mm. */
  pixelSpacing?: [number, number];
  imagerPixelSpacing?: [number, number];
  rows: number;
  columns: number;
}

export async function readSpacing(file: string): Promise<FileSpacing> {
  const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)), { untilTag: 'x7fe00010' });
  const pixelSpacing = spacing(dataSet, 'x00280030');
  const imagerPixelSpacing = spacing(dataSet, 'x00181164');
  return {
    ...(pixelSpacing ? { pixelSpacing } : {}),
    ...(imagerPixelSpacing ? { imagerPixelSpacing } : {}),
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
  };
}

export interface RegionTruth {
  mean: number;
  sd: number;
  min: number;
  max: number;
  pixelCount: number;
}

/**
 * Statistics of stored × slope + intercept over the pixels whose centre lies inside the ellipse
 * inscribed in the box of two corners (boundary included), or inside the box itself.
 */
export async function regionTruth(file: string, kind: 'ellipseRoi' | 'rectangleRoi', corners: [[number, number], [number, number]]): Promise<RegionTruth> {
  const bytes = new Uint8Array(await readFile(file));
  const dataSet = dicomParser.parseDicom(bytes);
  const syntax = dataSet.string('x00020010')?.trim() ?? '';
  if (!UNCOMPRESSED.has(syntax)) throw new Error(`${file}: ${syntax} is not uncompressed little endian`);
  if (dataSet.uint16('x00280100') !== 16) throw new Error(`${file}: only 16-bit pixels are read here`);
  const columns = dataSet.uint16('x00280011') ?? 0;
  const rows = dataSet.uint16('x00280010') ?? 0;
  const signed = dataSet.uint16('x00280103') === 1;
  const slope = Number(dataSet.string('x00281053') ?? 1);
  const intercept = Number(dataSet.string('x00281052') ?? 0);
  const pixel = dataSet.elements.x7fe00010!;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset);
  const [[c0, r0], [c1, r1]] = corners;
  const [left, right, top, bottom] = [Math.min(c0, c1), Math.max(c0, c1), Math.min(r0, r1), Math.max(r0, r1)];
  const [cx, cy, rx, ry] = [(left + right) / 2, (top + bottom) / 2, (right - left) / 2, (bottom - top) / 2];
  const values: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const inside =
        kind === 'rectangleRoi'
          ? column >= left && column <= right && row >= top && row <= bottom
          : ((column - cx) / rx) ** 2 + ((row - cy) / ry) ** 2 <= 1;
      if (!inside) continue;
      const offset = (row * columns + column) * 2;
      const stored = signed ? view.getInt16(offset, true) : view.getUint16(offset, true);
      values.push(stored * slope + intercept);
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), pixelCount: values.length };
}
