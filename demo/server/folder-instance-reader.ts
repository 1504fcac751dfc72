/**
 * Reads one file into what the index keeps of an instance: identity, DICOM JSON and frame ranges.
 *
 * Every way a file can be unusable becomes a skip reason instead of an exception, so one bad file
 * never stops a folder from being served.
 */
import { open, readFile } from 'node:fs/promises';
import dicomParser, { type DataSet } from 'dicom-parser';
import { dataSetToDicomJson, type DicomJsonDataset } from './folder-dicom-json.js';
import { standardVr } from './folder-dictionary.js';
import { FrameLayoutError, isDeflated, locateFrames, type FrameRanges } from './folder-frames.js';

export interface ParsedInstance {
  readonly filePath: string;
  readonly fileSize: number;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly deflated: boolean;
  readonly frames: readonly FrameRanges[];
  readonly json: DicomJsonDataset;
}

export type ReadOutcome = { readonly instance: ParsedInstance } | { readonly skipReason: string };

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** Enough for LUTs and icon-free private blobs; larger binary values are not metadata anyone reads. */
const MAX_INLINE_BINARY_BYTES = 64 * 1024;
const PREAMBLE_AND_PREFIX = 132;

/** Parses a DICOM Part-10 file; never throws for content problems, only reports why it was skipped. */
export async function readInstanceFile(filePath: string): Promise<ReadOutcome> {
  try {
    if (!(await hasPart10Prefix(filePath))) return { skipReason: 'not DICOM Part 10 (no DICM prefix)' };
    const bytes = await readFile(filePath);
    const dataSet = dicomParser.parseDicom(bytes, {
      vrCallback: (tag: string) => standardVr(tag.slice(1)),
    });
    return describeInstance(filePath, bytes.length, dataSet);
  } catch (error) {
    const what = error instanceof FrameLayoutError ? 'pixel data' : 'unreadable';
    return { skipReason: `${what}: ${describeError(error)}` };
  }
}

async function hasPart10Prefix(filePath: string): Promise<boolean> {
  const file = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(PREAMBLE_AND_PREFIX);
    const { bytesRead } = await file.read(head, 0, PREAMBLE_AND_PREFIX, 0);
    return bytesRead === PREAMBLE_AND_PREFIX && head.toString('latin1', 128, 132) === 'DICM';
  } finally {
    await file.close();
  }
}

function describeInstance(filePath: string, fileSize: number, dataSet: DataSet): ReadOutcome {
  const studyInstanceUID = dataSet.string('x0020000d') ?? '';
  const seriesInstanceUID = dataSet.string('x0020000e') ?? '';
  const sopInstanceUID = dataSet.string('x00080018') ?? '';
  const missing = Object.entries({ studyInstanceUID, seriesInstanceUID, sopInstanceUID })
    .filter(([, uid]) => uid === '')
    .map(([name]) => name);
  if (missing.length > 0) return { skipReason: `missing ${missing.join(', ')}` };

  const transferSyntaxUID = dataSet.string('x00020010') ?? '';
  return {
    instance: {
      filePath,
      fileSize,
      studyInstanceUID,
      seriesInstanceUID,
      sopInstanceUID,
      transferSyntaxUID,
      deflated: isDeflated(transferSyntaxUID),
      frames: locateFrames(dataSet),
      json: dataSetToDicomJson(dataSet, {
        implicitVr: transferSyntaxUID === IMPLICIT_VR_LITTLE_ENDIAN,
        maxInlineBinaryBytes: MAX_INLINE_BINARY_BYTES,
      }),
    },
  };
}

/** dicom-parser throws strings, Errors, and `{exception, dataSet}` objects. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'exception' in error) return String(error.exception);
  return String(error);
}
