/**
 * Facts the view-tools tests compare the screen with, read straight from a DICOM file with dicom-parser
 * (never through the viewer's code): its windows with their explanations, and percentiles of its
 * modality values with pixel padding left out.
 */
import { readFile } from 'node:fs/promises';
import * as dicomParserModule from 'dicom-parser';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

export interface FileWindowFact {
  center: number;
  width: number;
  explanation: string;
}

/** Every WindowCenter/WindowWidth pair of a file, with WindowCenterWidthExplanation at the same position. */
export async function readFileWindows(file: string): Promise<FileWindowFact[]> {
  const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)));
  const values = (tag: string) => {
    const element = dataSet.elements[tag];
    if (!element) return [];
    return (dataSet.string(tag) === undefined ? '' : readRaw(dataSet, tag)).split('\\').map((v) => v.trim());
  };
  const centers = values('x00281050');
  const widths = values('x00281051');
  const explanations = values('x00281055');
  return centers.slice(0, widths.length).map((center, i) => ({ center: Number(center), width: Number(widths[i]), explanation: explanations[i] ?? '' }));
}

/** The whole value of a string element, backslashes included (dataSet.string gives one value). */
function readRaw(dataSet: ReturnType<typeof dicomParser.parseDicom>, tag: string): string {
  const element = dataSet.elements[tag]!;
  return new TextDecoder('latin1').decode(dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length)).replace(/[\0 ]+$/, '');
}

/**
 * Modality values (stored × slope + intercept) of an uncompressed 16-bit single-frame file at the
 * given fractions (0–1) of its sorted values, Pixel Padding Value (and Range Limit) left out.
 */
export async function modalityPercentiles(file: string, fractions: number[]): Promise<number[]> {
  const bytes = new Uint8Array(await readFile(file));
  const dataSet = dicomParser.parseDicom(bytes);
  const columns = dataSet.uint16('x00280011') ?? 0;
  const rows = dataSet.uint16('x00280010') ?? 0;
  const signed = dataSet.uint16('x00280103') === 1;
  if (dataSet.uint16('x00280100') !== 16) throw new Error(`${file}: percentiles need 16-bit pixels`);
  const slope = Number(dataSet.string('x00281053') ?? 1);
  const intercept = Number(dataSet.string('x00281052') ?? 0);
  const paddingElement = dataSet.elements.x00280120;
  const padding = paddingElement ? (signed ? dataSet.int16('x00280120') : dataSet.uint16('x00280120')) : undefined;
  const limitElement = dataSet.elements.x00280121;
  const limit = limitElement ? (signed ? dataSet.int16('x00280121') : dataSet.uint16('x00280121')) : padding;
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel) throw new Error(`${file} has no pixel data`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, columns * rows * 2);
  const values: number[] = [];
  for (let i = 0; i < columns * rows; i++) {
    const stored = signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
    if (padding !== undefined && limit !== undefined && stored >= Math.min(padding, limit) && stored <= Math.max(padding, limit)) continue;
    values.push(stored * slope + intercept);
  }
  values.sort((a, b) => a - b);
  return fractions.map((f) => values[Math.min(values.length - 1, Math.max(0, Math.round(f * (values.length - 1))))]!);
}
