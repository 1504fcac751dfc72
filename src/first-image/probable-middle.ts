/**
 * Finds the series' middle image without waiting for the series metadata. A server builds WADO-RS
 * series metadata by reading every file of the series (Orthanc: about 300 ms for 300 CT slices), while
 * a QIDO-RS match on InstanceNumber and one instance's metadata come from its index in a few
 * milliseconds. Slices are numbered along the stack almost always, so the instance numbered in the
 * middle is the middle slice; once the full metadata is in, the viewer places that instance where the
 * geometry puts it, so a series numbered otherwise still shows correctly, only starting elsewhere.
 */
import type { DicomwebClient, FrameBytes } from '../dicomweb/client.js';
import { warmDecoder } from './codec-decoder.js';
import { type DicomJsonDataset, Tag, numberValue, stringValue } from '../dicomweb/dicom-json.js';

export interface ProbableMiddle {
  sopInstanceUID: string;
  /** The instance's own metadata (one instance: enough to draw it). */
  instance: DicomJsonDataset;
  /** Its first (only) frame, as stored. */
  bytes: FrameBytes;
  /** Where it probably is in the ordered series: InstanceNumber − 1. */
  estimatedIndex: number;
}

/** The middle instance as the search found it, before its metadata and frame arrive. */
export interface MiddleFound {
  sopInstanceUID: string;
  /** Its size as the search answered it (QIDO-RS returns Rows and Columns by default), when it did. */
  columns?: number;
  rows?: number;
  /** Its own metadata, once in (undefined if it failed): small, it comes well before the frame. */
  metadata: Promise<DicomJsonDataset | undefined>;
}

/**
 * The instance numbered in the middle of a series of `imageCount` instances, with its metadata and
 * frame; undefined when the server cannot tell (no match, several matches, a filter it ignores) or the
 * instance holds several frames (enhanced images: the series metadata decides those). `onFound` hears
 * of the instance as its metadata and frame are asked for, with the promise of their arrival.
 */
export async function fetchProbableMiddle(
  client: DicomwebClient,
  studyUID: string,
  seriesUID: string,
  imageCount: number,
  signal: AbortSignal,
  onFound?: (found: MiddleFound, arrived: Promise<unknown>) => void,
): Promise<ProbableMiddle | undefined> {
  if (imageCount < 3) return undefined;
  const instanceNumber = Math.floor((imageCount - 1) / 2) + 1;
  const matches = await client.searchInstancesOfSeries(studyUID, seriesUID, { InstanceNumber: String(instanceNumber) }, signal);
  // Several matches: numbers repeat (several acquisitions in one series); a server that ignored the filter answers them all.
  if (matches.length !== 1 || numberValue(matches[0], Tag.InstanceNumber) !== instanceNumber) return undefined;
  const sopInstanceUID = stringValue(matches[0], Tag.SOPInstanceUID);
  if (!sopInstanceUID) return undefined;
  const metadataRequest = client.retrieveInstanceMetadata(studyUID, seriesUID, sopInstanceUID, signal);
  // Its decoder loads while a compressed frame arrives (seconds on a phone's link), not after.
  const arrived = Promise.all([metadataRequest, client.retrieveFrames(studyUID, seriesUID, sopInstanceUID, [1], signal, warmDecoder)]);
  const ownMetadata = metadataRequest.then(
    (datasets) => datasets[0],
    () => undefined,
  );
  onFound?.({ sopInstanceUID, columns: numberValue(matches[0], Tag.Columns), rows: numberValue(matches[0], Tag.Rows), metadata: ownMetadata }, arrived);
  const [metadata, frames] = await arrived;
  const instance = metadata[0];
  const bytes = frames[0];
  if (!instance || !bytes || (numberValue(instance, Tag.NumberOfFrames) ?? 1) > 1) return undefined;
  return { sopInstanceUID, instance, bytes, estimatedIndex: instanceNumber - 1 };
}
