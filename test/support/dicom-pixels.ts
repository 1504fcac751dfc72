/**
 * Reads a stored pixel straight from a DICOM file with dicom-parser, independently of the viewer's code
 * path (no Cornerstone, no DICOMweb), so pixel tests compare the screen against the file itself.
 */
import { readFile } from 'node:fs/promises';
import * as dicomParserModule from 'dicom-parser';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = ((dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule);

export interface StoredPixel {
  stored: number;
  slope: number;
  intercept: number;
  /** stored × slope + intercept: Hounsfield units for CT. */
  modalityValue: number;
}

export async function readStoredPixel(file: string, column: number, row: number): Promise<StoredPixel> {
  const bytes = new Uint8Array(await readFile(file));
  const dataSet = dicomParser.parseDicom(bytes);
  const columns = dataSet.uint16('x00280011') ?? 0;
  const signed = dataSet.uint16('x00280103') === 1;
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel) throw new Error(`${file} has no pixel data`);
  const offset = pixel.dataOffset + (row * columns + column) * 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const stored = signed ? view.getInt16(offset, true) : view.getUint16(offset, true);
  const slope = Number(dataSet.string('x00281053') ?? 1);
  const intercept = Number(dataSet.string('x00281052') ?? 0);
  return { stored, slope, intercept, modalityValue: stored * slope + intercept };
}
