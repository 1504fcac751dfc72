/**
 * One small study per network-fault test (test/integration/faults.test.ts): a copy of every other image
 * of the generated MR's smallest multi-image series under its own accession number and new UIDs, so that each test's
 * fault rules match its own URLs only and nothing it loads is cached from another test.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as dicomParserModule from 'dicom-parser';
import type { OrthancServer } from './orthanc.js';
import type { StudyFacts } from './test-data.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

/** The fault tests, each with its own study. */
export const FAULT_CASES = [
  'token',
  'forbidden',
  'notFound',
  'tooMany',
  'unavailable',
  'down',
  'slow',
  'slowAlways',
  'dropped',
  'stalled',
  'truncated',
  'contentType',
  'malformed',
  'html',
  'slowLink',
] as const;

export type FaultCase = (typeof FAULT_CASES)[number];

export interface FaultStudy {
  accession: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** The copy's instances in the viewer's order (the source series' files ordered along the slice normal). */
  instances: { sopInstanceUID: string; file: string }[];
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const newUid = () => `2.25.${BigInt(`0x${randomBytes(15).toString('hex')}`).toString()}`;

/** Copies the MR's smallest multi-image series into one new study per fault case (new UIDs, own accession). */
export async function loadFaultStudies(orthanc: OrthancServer, mr: StudyFacts, studies: Record<string, string[]>): Promise<Record<FaultCase, FaultStudy>> {
  const source = [...mr.series].reverse().find((s) => s.count >= 3);
  if (!source) throw new Error('The generated MR has no series of three images or more');
  // Every other image (at least three): enough for a series, and quick to copy fourteen times.
  const files = source.files.filter((_, index) => index % 2 === 0);
  // The uploaded originals, by the files' SOPInstanceUIDs.
  const originals = await Promise.all(
    files.map(async (file) => {
      const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)), { untilTag: 'x00080018' });
      const [found] = await json<{ ID: string }[]>(`${orthanc.url}/tools/lookup`, { method: 'POST', body: dataSet.string('x00080018')!.trim() });
      if (!found) throw new Error(`Orthanc does not hold ${file}`);
      return { file, id: found.ID };
    }),
  );
  const result = {} as Record<FaultCase, FaultStudy>;
  await Promise.all(
    FAULT_CASES.map(async (name) => {
      const accession = `FL-FAULT-${name.toUpperCase()}`;
      const studyInstanceUID = newUid();
      const seriesInstanceUID = newUid();
      const instances: FaultStudy['instances'] = [];
      for (const { file, id } of originals) {
        const sopInstanceUID = newUid();
        // Orthanc modifies one instance into a new file (series-level modify cannot move a series to another study).
        const modified = await fetch(`${orthanc.url}/instances/${id}/modify`, {
          method: 'POST',
          body: JSON.stringify({ Replace: { StudyInstanceUID: studyInstanceUID, SeriesInstanceUID: seriesInstanceUID, SOPInstanceUID: sopInstanceUID, AccessionNumber: accession }, Force: true }),
        });
        if (!modified.ok) throw new Error(`modify failed: ${modified.status} ${await modified.text()}`);
        const stored = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await modified.arrayBuffer() });
        if (!stored.ok) throw new Error(`upload failed: ${stored.status} ${await stored.text()}`);
        instances.push({ sopInstanceUID, file });
      }
      result[name] = { accession, studyInstanceUID, seriesInstanceUID, instances };
      studies[accession] = [studyInstanceUID];
    }),
  );
  return result;
}
