/**
 * Image geometry read straight from DICOM files with dicom-parser (no Cornerstone, no DICOMweb), for the
 * MPR and reference-line tests: where each image lies in the patient, as the file says.
 */
import { readFile } from 'node:fs/promises';
import * as dicomParserModule from 'dicom-parser';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = ((dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule);

export interface FileGeometry {
  file: string;
  rows: number;
  columns: number;
  /** ImagePositionPatient: the centre of the first pixel, mm. */
  position: number[];
  /** ImageOrientationPatient: row direction, then column direction. */
  orientation: number[];
  /** PixelSpacing: [between rows, between columns], mm. */
  pixelSpacing: number[];
  frameOfReferenceUID: string;
  imageType: string;
}

const numbers = (text: string | undefined) => (text ? text.split('\\').map(Number) : []);

export async function readGeometry(files: string[]): Promise<FileGeometry[]> {
  return Promise.all(
    files.map(async (file) => {
      const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)), { untilTag: 'x7fe00010' });
      return {
        file,
        rows: dataSet.uint16('x00280010') ?? 0,
        columns: dataSet.uint16('x00280011') ?? 0,
        position: numbers(dataSet.string('x00200032')),
        orientation: numbers(dataSet.string('x00200037')),
        pixelSpacing: numbers(dataSet.string('x00280030')),
        frameOfReferenceUID: dataSet.string('x00200052') ?? '',
        imageType: dataSet.string('x00080008') ?? '',
      };
    }),
  );
}
