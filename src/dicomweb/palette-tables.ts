/**
 * PALETTE COLOR images carry their red, green and blue lookup tables as binary elements, which a
 * DICOMweb server sends in the metadata as a `BulkDataURI` (Orthanc does for every OW element) instead of
 * the values. Cornerstone reads the tables only from the metadata's values, and without them it fails
 * inside its decoder. The tables are fetched here, once per instance of such a series, and written into
 * the metadata as values (16-bit little-endian words, or bytes for 8-bit tables sent as such).
 */
import type { DicomwebClient } from './client.js';
import { type DicomJsonDataset, numberValues, stringValue } from './dicom-json.js';

/** Descriptor and data tags of the red, green and blue tables. */
const TABLES = [
  ['00281101', '00281201'],
  ['00281102', '00281202'],
  ['00281103', '00281203'],
] as const;

function tableValues(bytes: Uint8Array, descriptor: number[]): number[] {
  const entries = descriptor[0] || 65536;
  if (descriptor[2] === 8 && bytes.length === entries) return [...bytes];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: number[] = [];
  for (let i = 0; i + 1 < bytes.length && values.length < entries; i += 2) values.push(view.getUint16(i, true));
  return values;
}

/** Replaces the palette tables' BulkDataURIs of PALETTE COLOR instances by their values (in place). */
export async function inlinePaletteTables(client: DicomwebClient, instances: DicomJsonDataset[], signal: AbortSignal): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const instance of instances) {
    if (stringValue(instance, '00280004').trim() !== 'PALETTE COLOR') continue;
    for (const [descriptorTag, dataTag] of TABLES) {
      const uri = instance[dataTag]?.BulkDataURI;
      if (!uri) continue;
      pending.push(
        client.retrieveBulkData(uri, signal).then((bytes) => {
          instance[dataTag] = { vr: 'US', Value: tableValues(bytes, numberValues(instance, descriptorTag)) };
        }),
      );
    }
  }
  await Promise.all(pending);
}
