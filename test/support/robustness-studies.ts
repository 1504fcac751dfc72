/**
 * Every folder of ../shared/dicom's `robustness/` and `transfer-syntaxes/`, loaded into the test Orthanc
 * (only when that folder exists), each under its own accession number, for the image-type, geometry and
 * codec tests.
 *
 * Each file is uploaded as it is, copied by Orthanc's instance modify with new UIDs and the folder's
 * accession number (the file's transfer syntax, pixel data and every other attribute kept), and the
 * original deleted, so the files in ../shared are never changed and never clash with copies other loaders
 * make of the same images.
 *
 * - Files that share a SOPInstanceUID (a transfer-syntax family re-encodes one image) and every file of a
 *   `transfer-syntaxes/` folder get a series of their own, so each encoding can be shown and checked
 *   alone; the other folders keep their study and series structure (new UIDs, mapped one to one).
 * - Files without Study or Series Instance UID (pydicom's HTJ2K samples), which Orthanc refuses, get them
 *   inserted into the uploaded bytes first.
 *
 * The accession numbers (VR SH: at most 16 characters) come from a short code per folder.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import * as dicomParserModule from 'dicom-parser';
import type { OrthancServer } from './orthanc.js';
import { ROBUSTNESS_ACCESSIONS } from './robustness-names.js';
import { SHARED_DICOM } from './test-data.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;
type DataSet = ReturnType<typeof dicomParser.parseDicom>;

/** The top folders of ../shared/dicom whose every sub-folder is loaded. */
const ROBUSTNESS_TOP_FOLDERS = ['robustness', 'transfer-syntaxes'] as const;

/** One series of a loaded folder, as the test PACS holds it. */
export interface RobustnessSeries {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** The series' files (absolute paths, sorted by name), for ground truth. */
  files: string[];
  /** The SOPInstanceUID each file was stored under, in the order of `files`. */
  sopInstanceUIDs: string[];
  /** Each file's transfer syntax (the copy keeps the file's own), in the order of `files`. */
  transferSyntaxUIDs: string[];
}

/** One folder of robustness/ or transfer-syntaxes/ in the test PACS. */
export interface RobustnessFolder {
  accession: string;
  /** The studies made from the folder (one per StudyInstanceUID of its files). */
  studyInstanceUIDs: string[];
  /** Every file of the folder that the PACS took (absolute paths, sorted), for ground truth. */
  files: string[];
  series: RobustnessSeries[];
}

/** By folder path relative to ../shared/dicom, e.g. `robustness/ct-missing-slice-d2n`. */
export type RobustnessStudies = Record<string, RobustnessFolder>;

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const IMPLICIT_LITTLE = '1.2.840.10008.1.2';

/** A new UID under the UUID root (PS3.5 B.2). */
function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`)}`;
}

interface Replace {
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  SOPInstanceUID: string;
  AccessionNumber: string;
}

interface SourceFile {
  folder: string;
  file: string;
  bytes: Uint8Array<ArrayBuffer>;
  transferSyntaxUID: string;
  sopInstanceUID: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
}

/** The header of a file: deflated data sets are inflated (dicom-parser's inflater option) to reach their UIDs. */
function readHeader(bytes: Uint8Array): DataSet | undefined {
  try {
    return dicomParser.parseDicom(bytes, {
      untilTag: 'x7fe00010',
      inflater: (array: Uint8Array, position: number) => {
        const inflated = inflateRawSync(array.subarray(position));
        const whole = new Uint8Array(position + inflated.length);
        whole.set(array.subarray(0, position));
        whole.set(inflated, position);
        return whole;
      },
    } as Parameters<typeof dicomParser.parseDicom>[1]);
  } catch {
    return undefined;
  }
}

async function readFolder(relative: string): Promise<SourceFile[]> {
  const folder = path.join(SHARED_DICOM, relative);
  const files: SourceFile[] = [];
  for (const name of (await readdir(folder)).sort()) {
    if (name.startsWith('.')) continue;
    const file = path.join(folder, name);
    const bytes = new Uint8Array(await readFile(file));
    const dataSet = readHeader(bytes);
    const sopInstanceUID = dataSet?.string('x00080018')?.trim() || dataSet?.string('x00020003')?.trim();
    if (!dataSet || !sopInstanceUID) continue;
    files.push({
      folder: relative,
      file,
      bytes,
      transferSyntaxUID: dataSet.string('x00020010')?.trim() ?? '',
      sopInstanceUID,
      studyInstanceUID: dataSet.string('x0020000d')?.trim() || undefined,
      seriesInstanceUID: dataSet.string('x0020000e')?.trim() || undefined,
    });
  }
  return files;
}

const LONG_HEADER_VRS = ['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UT', 'UN', 'UC', 'UR'];

/** An element with a short text value (UI or SH), padded to even length (UI with NUL, SH with a space). */
function textElement(tag: number, vr: 'UI' | 'SH', value: string, explicit: boolean): Uint8Array {
  const text = value.length % 2 ? `${value}${vr === 'UI' ? '\0' : ' '}` : value;
  const out = new Uint8Array(8 + text.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  if (explicit) {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    view.setUint16(6, text.length, true);
  } else {
    view.setUint32(4, text.length, true);
  }
  for (let i = 0; i < text.length; i++) out[8 + i] = text.charCodeAt(i);
  return out;
}

/**
 * The file with top-level text elements replaced or inserted (in tag order), written in Node: for files
 * Orthanc cannot take or modify (no Study/Series Instance UID; a transfer syntax its DCMTK does not know,
 * such as HTJ2K). Little endian files only (explicit or implicit VR); the meta group length is updated.
 */
function withElements(source: SourceFile, values: [number, 'UI' | 'SH', string][]): Uint8Array<ArrayBuffer> {
  // Explicit VR little endian: 1.2.840.10008.1.2.1 and every encapsulated syntax (1.2.840.10008.1.2.4.x, .5).
  const explicitSet = source.transferSyntaxUID === EXPLICIT_LITTLE || /^1\.2\.840\.10008\.1\.2\.(4|5)/.test(source.transferSyntaxUID);
  if (!explicitSet && source.transferSyntaxUID !== IMPLICIT_LITTLE) {
    throw new Error(`${source.file}: cannot rewrite a file in transfer syntax ${source.transferSyntaxUID}`);
  }
  const dataSet = dicomParser.parseDicom(source.bytes);
  const elements = Object.values(dataSet.elements).map((e) => {
    const tag = parseInt(e.tag.slice(1), 16);
    const explicit = tag >>> 16 === 0x0002 || explicitSet;
    const headerLength = explicit && LONG_HEADER_VRS.includes(e.vr ?? '') ? 12 : 8;
    return { tag, start: e.dataOffset - headerLength, end: e.dataOffset + (e.hadUndefinedLength ? 0 : e.length) };
  });
  const edits = values.map(([tag, vr, value]) => {
    const explicit = tag >>> 16 === 0x0002 || explicitSet;
    const element = textElement(tag, vr, value, explicit);
    const found = elements.find((e) => e.tag === tag);
    if (found) return { start: found.start, end: found.end, element };
    const group = tag >>> 16;
    const next = elements.filter((e) => e.tag > tag && (e.tag >>> 16 === 0x0002) === (group === 0x0002)).sort((a, b) => a.start - b.start)[0];
    if (!next) throw new Error(`${source.file}: no element after (${tag.toString(16)})`);
    return { start: next.start, end: next.start, element };
  });
  let bytes = source.bytes;
  // From the end backwards, so earlier offsets stay valid.
  for (const { start, end, element } of edits.sort((a, b) => b.start - a.start)) {
    const next = new Uint8Array(bytes.length - (end - start) + element.length);
    next.set(bytes.subarray(0, start));
    next.set(element, start);
    next.set(bytes.subarray(end), start + element.length);
    bytes = next;
  }
  const meta = dicomParser.readPart10Header(bytes);
  const groupLength = meta.elements.x00020000;
  if (groupLength) {
    const metaEnd = Math.max(...Object.values(meta.elements).map((e) => e.dataOffset + e.length));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(groupLength.dataOffset, metaEnd - (groupLength.dataOffset + 4), true);
  }
  return bytes;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** One Orthanc round trip per SOPInstanceUID at a time: files sharing one must not meet in Orthanc. */
const sopLocks = new Map<string, Promise<unknown>>();
function underSopLock<T>(sop: string, run: () => Promise<T>): Promise<T> {
  const result = (sopLocks.get(sop) ?? Promise.resolve()).then(run);
  sopLocks.set(sop, result.catch(() => undefined));
  return result;
}

/**
 * Stores a copy of one file with the given UIDs and accession number: Orthanc's instance modify on the
 * uploaded file (the upload deleted after), or, for a file Orthanc cannot take or modify as it is, the
 * same attributes replaced in Node. Answers the transfer syntax Orthanc stored.
 */
async function copyFile(orthanc: OrthancServer, source: SourceFile, replace: Replace): Promise<string> {
  const inNode = () =>
    withElements(source, [
      [0x00020003, 'UI', replace.SOPInstanceUID],
      [0x00080018, 'UI', replace.SOPInstanceUID],
      [0x00080050, 'SH', replace.AccessionNumber],
      [0x0020000d, 'UI', replace.StudyInstanceUID],
      [0x0020000e, 'UI', replace.SeriesInstanceUID],
    ]);
  return underSopLock(source.sopInstanceUID, async () => {
    let copy: Uint8Array<ArrayBuffer>;
    if (!source.studyInstanceUID || !source.seriesInstanceUID) {
      copy = inNode();
    } else {
      const upload = await json<{ ID: string; Status: string }>(`${orthanc.url}/instances`, { method: 'POST', body: source.bytes });
      if (upload.Status === 'AlreadyStored') throw new Error(`${source.file}: Orthanc already holds SOPInstanceUID ${source.sopInstanceUID} (another loader left it there)`);
      try {
        const modified = await fetch(`${orthanc.url}/instances/${upload.ID}/modify`, { method: 'POST', body: JSON.stringify({ Replace: replace, Force: true }) });
        copy = modified.ok ? new Uint8Array(await modified.arrayBuffer()) : inNode();
      } finally {
        await fetch(`${orthanc.url}/instances/${upload.ID}`, { method: 'DELETE' });
      }
    }
    const stored = await json<{ ID: string }>(`${orthanc.url}/instances`, { method: 'POST', body: copy });
    // Orthanc leaves the metadata empty for a syntax its DCMTK does not know (HTJ2K).
    const syntax = (await (await fetch(`${orthanc.url}/instances/${stored.ID}/metadata/TransferSyntax`)).text()).trim() || source.transferSyntaxUID;
    if (syntax !== source.transferSyntaxUID) throw new Error(`${source.file}: Orthanc stored ${syntax}, the file is ${source.transferSyntaxUID}`);
    return syntax;
  });
}

/** The folders present, relative to ../shared/dicom, e.g. `robustness/color-pydicom`. */
async function presentFolders(): Promise<string[]> {
  const folders: string[] = [];
  for (const top of ROBUSTNESS_TOP_FOLDERS) {
    const root = path.join(SHARED_DICOM, top);
    if (!existsSync(root)) continue;
    for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) folders.push(`${top}/${entry.name}`);
    }
  }
  return folders;
}

/**
 * Loads every folder of ../shared/dicom's robustness/ and transfer-syntaxes/ into Orthanc, adds each
 * accession's StudyInstanceUIDs to `studies`, and answers what was loaded; undefined without ../shared.
 */
export async function loadRobustnessStudies(orthanc: OrthancServer, studies: Record<string, string[]>): Promise<RobustnessStudies | undefined> {
  const folders = await presentFolders();
  if (folders.length === 0) return undefined;
  const result: RobustnessStudies = {};
  const jobs: (() => Promise<void>)[] = [];
  let unnamed = 0;
  for (const folder of folders) {
    const sources = await readFolder(folder);
    if (sources.length === 0) continue;
    const accession = ROBUSTNESS_ACCESSIONS[folder] ?? `FL-RB-${++unnamed}`;
    const sopCounts = new Map<string, number>();
    for (const s of sources) sopCounts.set(s.sopInstanceUID, (sopCounts.get(s.sopInstanceUID) ?? 0) + 1);
    // Re-encodings of one image: each file a series of its own.
    const seriesPerFile = folder.startsWith('transfer-syntaxes/') || [...sopCounts.values()].some((n) => n > 1);
    const folderStudy = newUid();
    const studyMap = new Map<string, string>();
    const seriesMap = new Map<string, RobustnessSeries>();
    const entry: RobustnessFolder = { accession, studyInstanceUIDs: [], files: [], series: [] };
    result[folder] = entry;
    for (const source of sources) {
      const studyKey = source.studyInstanceUID ?? '';
      let studyUID = studyMap.get(studyKey);
      if (!studyUID) {
        studyUID = source.studyInstanceUID ? newUid() : folderStudy;
        studyMap.set(studyKey, studyUID);
        entry.studyInstanceUIDs.push(studyUID);
      }
      const seriesKey = seriesPerFile ? source.file : `${studyKey} ${source.seriesInstanceUID ?? ''}`;
      let series = seriesMap.get(seriesKey);
      if (!series) {
        series = { studyInstanceUID: studyUID, seriesInstanceUID: newUid(), files: [], sopInstanceUIDs: [], transferSyntaxUIDs: [] };
        seriesMap.set(seriesKey, series);
        entry.series.push(series);
      }
      const sopInstanceUID = newUid();
      const index = series.files.length;
      series.files.push(source.file);
      series.sopInstanceUIDs.push(sopInstanceUID);
      series.transferSyntaxUIDs.push(source.transferSyntaxUID);
      entry.files.push(source.file);
      const replace: Replace = { StudyInstanceUID: studyUID, SeriesInstanceUID: series.seriesInstanceUID, SOPInstanceUID: sopInstanceUID, AccessionNumber: accession };
      const target = series;
      jobs.push(async () => {
        target.transferSyntaxUIDs[index] = await copyFile(orthanc, source, replace);
      });
    }
    studies[accession] = entry.studyInstanceUIDs;
  }
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return result;
}
