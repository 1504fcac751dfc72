/**
 * An in-memory index of the DICOM files under one or more folders: studies → series → instances,
 * each instance with its DICOM JSON and the byte ranges of its frames (pixel data stays on disk).
 *
 * It is the data behind the demo's embedded DICOMweb server, so it also gives every study an
 * accession number: the viewer opens studies by accession, and most public test data has none.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { DicomJsonAttribute, DicomJsonDataset } from './folder-dicom-json.js';
import type { StoredFrames } from './folder-frames.js';
import { readInstanceFile, type ParsedInstance } from './folder-instance-reader.js';

export interface IndexedInstance extends StoredFrames {
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly fileSize: number;
  /** All non-pixel attributes, with (0008,0050) filled in when the file had no accession number. */
  readonly json: DicomJsonDataset;
}

export interface IndexedSeries {
  readonly seriesInstanceUID: string;
  /** By InstanceNumber, then file path. */
  readonly instances: ReadonlyMap<string, IndexedInstance>;
}

export interface IndexedStudy {
  readonly studyInstanceUID: string;
  readonly accessionNumber: string;
  /** The folder holding all of the study's files, relative to the indexed folder ('.' for the folder itself). */
  readonly folderHint: string;
  /** By SeriesNumber, then SeriesInstanceUID. */
  readonly series: ReadonlyMap<string, IndexedSeries>;
}

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface DicomIndex {
  readonly folders: readonly string[];
  /** In the order their first file was found (folders walked depth-first, names sorted). */
  readonly studies: ReadonlyMap<string, IndexedStudy>;
  readonly instanceCount: number;
  /** Files that are not usable DICOM, lack UIDs, or repeat a SOPInstanceUID already indexed. */
  readonly skipped: readonly SkippedFile[];
}

/** One line per study, for a demo page listing what can be opened. */
export interface StudySummary {
  studyInstanceUID: string;
  accessionNumber: string;
  patientName: string;
  modalities: string[];
  description: string;
  seriesCount: number;
  instanceCount: number;
  folderHint: string;
}

export interface IndexOptions {
  /** Files parsed at once; enough to overlap disk reads without holding many files in memory. */
  concurrency?: number;
}

const ACCESSION_NUMBER = '00080050';
/** Values real systems write when there is no accession number. */
const PLACEHOLDER_ACCESSIONS = new Set(['', '-']);

interface FoundFile {
  readonly root: string;
  readonly path: string;
}

/**
 * Indexes every DICOM Part-10 file under the given folder(s), recursively. Unusable files are
 * listed in `skipped`, never thrown; of files sharing a SOPInstanceUID only the first is kept.
 * Each file is read once to parse it and then released; only metadata stays in memory.
 */
export async function indexDicomFolder(
  folders: string | readonly string[],
  options: IndexOptions = {},
): Promise<DicomIndex> {
  const roots = typeof folders === 'string' ? [folders] : [...folders];
  const files = (await Promise.all(roots.map(async (root) => (await listFiles(root)).map((path) => ({ root, path })))))
    .flat();
  const outcomes = await mapConcurrently(files, options.concurrency ?? 8, (file) => readInstanceFile(file.path));

  const skipped: SkippedFile[] = [];
  const bySop = new Map<string, { file: FoundFile; instance: ParsedInstance }>();
  outcomes.forEach((outcome, i) => {
    const file = files[i];
    if ('skipReason' in outcome) {
      skipped.push({ path: file.path, reason: outcome.skipReason });
      return;
    }
    const kept = bySop.get(outcome.instance.sopInstanceUID);
    if (kept) skipped.push({ path: file.path, reason: `repeats the SOPInstanceUID of ${kept.file.path}` });
    else bySop.set(outcome.instance.sopInstanceUID, { file, instance: outcome.instance });
  });

  return { folders: roots, studies: groupIntoStudies([...bySop.values()]), instanceCount: bySop.size, skipped };
}

/** Regular files under `root`, depth-first with names sorted, so "the first" of duplicates is stable. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const nested = await Promise.all(
    entries
      .filter((entry) => !entry.name.startsWith('.'))
      .map(async (entry) => {
        const path = join(root, entry.name);
        if (entry.isDirectory()) return listFiles(path);
        return entry.isFile() ? [path] : [];
      }),
  );
  return nested.flat();
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function groupIntoStudies(found: readonly { file: FoundFile; instance: ParsedInstance }[]): Map<string, IndexedStudy> {
  const grouped = new Map<string, Map<string, { file: FoundFile; instance: ParsedInstance }[]>>();
  for (const entry of found) {
    const { studyInstanceUID, seriesInstanceUID } = entry.instance;
    const study = grouped.get(studyInstanceUID) ?? new Map();
    grouped.set(studyInstanceUID, study);
    const series = study.get(seriesInstanceUID) ?? [];
    study.set(seriesInstanceUID, series);
    series.push(entry);
  }

  const studies = new Map<string, IndexedStudy>();
  for (const [studyInstanceUID, seriesGroups] of grouped) {
    const members = [...seriesGroups.values()].flat();
    const accessionNumber = studyAccessionNumber(studyInstanceUID, members.map((m) => m.instance.json));
    const series = [...seriesGroups].map(([seriesInstanceUID, entries]) =>
      buildSeries(seriesInstanceUID, entries, accessionNumber),
    );
    series.sort(
      (a, b) =>
        seriesNumber(a) - seriesNumber(b) || compareText(a.seriesInstanceUID, b.seriesInstanceUID),
    );
    studies.set(studyInstanceUID, {
      studyInstanceUID,
      accessionNumber,
      folderHint: commonFolder(members.map((m) => m.file)),
      series: new Map(series.map((s) => [s.seriesInstanceUID, s])),
    });
  }
  return studies;
}

function buildSeries(
  seriesInstanceUID: string,
  entries: readonly { instance: ParsedInstance }[],
  accessionNumber: string,
): IndexedSeries {
  const instances = entries.map(({ instance }) => toIndexedInstance(instance, accessionNumber));
  instances.sort(
    (a, b) => instanceNumber(a) - instanceNumber(b) || compareText(a.filePath, b.filePath),
  );
  return { seriesInstanceUID, instances: new Map(instances.map((i) => [i.sopInstanceUID, i])) };
}

function toIndexedInstance(instance: ParsedInstance, accessionNumber: string): IndexedInstance {
  const { filePath, fileSize, sopInstanceUID, transferSyntaxUID, deflated, frames, json } = instance;
  const hasOwnAccession = ownAccessionNumber(json) !== undefined;
  return {
    filePath,
    fileSize,
    sopInstanceUID,
    transferSyntaxUID,
    deflated,
    frames,
    json: hasOwnAccession ? json : withAttribute(json, ACCESSION_NUMBER, { vr: 'SH', Value: [accessionNumber] }),
  };
}

/**
 * The study's own accession number if any of its files has one, else `DEMO-` and six hex digits
 * of a hash of the StudyInstanceUID: stable across restarts and machines, so links keep working.
 */
function studyAccessionNumber(studyInstanceUID: string, datasets: readonly DicomJsonDataset[]): string {
  const own = datasets.map(ownAccessionNumber).find((accession) => accession !== undefined);
  if (own !== undefined) return own;
  const digest = createHash('sha256').update(studyInstanceUID).digest('hex');
  return `DEMO-${digest.slice(0, 6).toUpperCase()}`;
}

function ownAccessionNumber(json: DicomJsonDataset): string | undefined {
  const value = json[ACCESSION_NUMBER]?.Value?.[0];
  return typeof value === 'string' && !PLACEHOLDER_ACCESSIONS.has(value) ? value : undefined;
}

/** A copy with one attribute set, keys kept in tag order as in a file. */
function withAttribute(json: DicomJsonDataset, tag: string, attribute: DicomJsonAttribute): DicomJsonDataset {
  const entries = Object.entries({ ...json, [tag]: attribute });
  entries.sort(([a], [b]) => compareText(a, b));
  return Object.fromEntries(entries);
}

function commonFolder(files: readonly FoundFile[]): string {
  const folders = files.map((file) => relative(file.root, dirname(file.path)).split(sep).filter(Boolean));
  const [first = [], ...rest] = folders;
  let depth = first.length;
  for (const folder of rest) {
    let shared = 0;
    while (shared < depth && folder[shared] === first[shared]) shared++;
    depth = shared;
  }
  return depth === 0 ? '.' : first.slice(0, depth).join('/');
}

function seriesNumber(series: IndexedSeries): number {
  return firstNumber(series.instances.values().next().value?.json, '00200011');
}

function instanceNumber(instance: IndexedInstance): number {
  return firstNumber(instance.json, '00200013');
}

/** Missing numbers sort last. */
function firstNumber(json: DicomJsonDataset | undefined, tag: string): number {
  const value = json?.[tag]?.Value?.[0];
  return typeof value === 'number' ? value : Number.MAX_SAFE_INTEGER;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Summaries of every study, in index order. */
export function listStudies(index: DicomIndex): StudySummary[] {
  return [...index.studies.values()].map((study) => {
    const series = [...study.series.values()];
    const instances = series.flatMap((s) => [...s.instances.values()]);
    const first = instances[0]?.json ?? {};
    const modalities = new Set(instances.map((i) => textOf(i.json, '00080060')).filter(Boolean));
    return {
      studyInstanceUID: study.studyInstanceUID,
      accessionNumber: study.accessionNumber,
      patientName: textOf(first, '00100010'),
      modalities: [...modalities],
      description: textOf(first, '00081030'),
      seriesCount: series.length,
      instanceCount: instances.length,
      folderHint: study.folderHint,
    };
  });
}

/**
 * Accession numbers a demo page can offer, one per study: the generated SAMPLE-* studies first
 * (they always exist), then the others in index order.
 */
export function listSampleAccessions(index: DicomIndex): string[] {
  const accessions = [...new Set([...index.studies.values()].map((study) => study.accessionNumber))];
  const isSample = (accession: string): boolean => accession.startsWith('SAMPLE-');
  return [...accessions.filter(isSample), ...accessions.filter((a) => !isSample(a))];
}

function textOf(json: DicomJsonDataset, tag: string): string {
  const value = json[tag]?.Value?.[0];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String(value.Alphabetic ?? '');
  return '';
}
