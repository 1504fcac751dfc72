/**
 * ImageOrientationPatient as a file states it, read with dicom-parser (never the viewer's code): the
 * top-level attribute, else an enhanced image's shared functional groups, else its first frame's.
 */
import { readFile } from 'node:fs/promises';
import * as dicomParserModule from 'dicom-parser';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;
type DataSet = ReturnType<typeof dicomParser.parseDicom>;

const numbers = (text: string | undefined) => (text ? text.split('\\').map(Number) : []);

function orientationIn(dataSet: DataSet | undefined): number[] {
  return numbers(dataSet?.string('x00200037'));
}

/** The orientation of a functional-group item (PlaneOrientationSequence inside it). */
function groupOrientation(item: DataSet | undefined): number[] {
  return orientationIn(item?.elements.x00209116?.items?.[0]?.dataSet);
}

export async function readOrientation(file: string): Promise<number[]> {
  const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)), { untilTag: 'x7fe00010' });
  const top = orientationIn(dataSet);
  if (top.length === 6) return top;
  const shared = groupOrientation(dataSet.elements.x52009229?.items?.[0]?.dataSet);
  if (shared.length === 6) return shared;
  return groupOrientation(dataSet.elements.x52009230?.items?.[0]?.dataSet);
}
