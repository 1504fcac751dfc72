/**
 * Small series the geometry tests write with dcmjs from the generated studies, so a fresh clone checks
 * stacks and warnings without ../shared/dicom. Written on first use (server command `geometry-studies`)
 * into .cache/test-geometry and loaded into the test Orthanc, one accession each:
 *
 * | accession       | what                                                                                      |
 * |-----------------|-------------------------------------------------------------------------------------------|
 * | FL-GEO-ECHOES   | 6 slices of the generated MR, each stored twice: echo 1 (as is) and echo 2 (a negative: the slice's maximum minus each value), InstanceNumbers alternating 1, 2, 3…, one series |
 * | FL-GEO-GAP      | 7 consecutive slices of the generated CT without the 4th (one gap twice the spacing)      |
 * | FL-GEO-TILT     | 6 slices of the generated CT, each ImagePositionPatient moved along y by z·tan 20° (a sheared, tilted-gantry stack) |
 * | FL-GEO-LOSSY    | 3 slices of the generated CT marked LossyImageCompression 01                               |
 * | FL-GEO-OBLIQUE  | 3 slices of the generated MR with rows and columns turned 30° within their plane (oblique edges) |
 *
 * Every file gets new UIDs derived from its source's; the tests read truth from the written files. The
 * files are written once into a folder named after what they derive from (renamed into place whole) and
 * never rewritten, so test runs at the same time (several people, or CI jobs) read the same files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sampleUid } from '../../demo/server/sample-datasets.js';
import type { OrthancServer } from './orthanc.js';
import { REPO, type TestData } from './test-data.js';

interface DicomDict {
  meta: Record<string, { vr: string; Value: unknown[] }>;
  dict: Record<string, { vr: string; Value: unknown[] }>;
  write(): ArrayBuffer;
}
interface Dcmjs {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): DicomDict } };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

const OUTPUT = path.join(REPO, '.cache/test-geometry');
/** Changes whenever what is written changes: a new folder then. */
const GENERATOR_VERSION = 'echo-negative-1';

/** One written series: its accession, UIDs and files (absolute paths, in InstanceNumber order). */
export interface GeometrySeries {
  accession: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  files: string[];
}

export interface GeometryStudies {
  /** Two echoes at the same positions: `echoFiles[0]` echo 1's files, `[1]` echo 2's, each ordered as the source slices. */
  echoes: GeometrySeries & { echoFiles: [string[], string[]] };
  gap: GeometrySeries;
  tilt: GeometrySeries;
  lossy: GeometrySeries;
  oblique: GeometrySeries;
}

const set = (dict: DicomDict['dict'], tag: string, vr: string, value: unknown) => {
  dict[tag] = { vr, Value: [value] };
};

async function read(file: string): Promise<DicomDict> {
  const bytes = await readFile(path.resolve(REPO, file));
  return dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Where files are written (a temporary folder) and where they will be read (the final one); `dry`: names only. */
interface Target {
  writeTo: string;
  readFrom: string;
  dry: boolean;
}
let target: Target = { writeTo: OUTPUT, readFrom: OUTPUT, dry: false };

/** Writes one file of a new series: new study/series/instance UIDs and accession, then `change`. */
async function writeCopy(name: string, source: string, index: number, instanceNumber: number, change: (dict: DicomDict['dict']) => void): Promise<string> {
  const file = `${String(index).padStart(3, '0')}.dcm`;
  if (target.dry) return path.join(target.readFrom, name, file);
  const dicom = await read(source);
  const { dict } = dicom;
  const sop = sampleUid('geometry-test', name, String(index), String(dict['00080018']?.Value[0]));
  set(dict, '0020000D', 'UI', sampleUid('geometry-test', name, 'study'));
  set(dict, '0020000E', 'UI', sampleUid('geometry-test', name, 'series'));
  set(dict, '00080018', 'UI', sop);
  dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
  set(dict, '00080050', 'SH', `FL-GEO-${name.toUpperCase()}`);
  set(dict, '00200013', 'IS', instanceNumber);
  set(dict, '0008103E', 'LO', `Geometry ${name}`);
  change(dict);
  await writeFile(path.join(target.writeTo, name, file), Buffer.from(dicom.write()));
  return path.join(target.readFrom, name, file);
}

function series(name: string, files: string[]): GeometrySeries {
  return {
    accession: `FL-GEO-${name.toUpperCase()}`,
    studyInstanceUID: sampleUid('geometry-test', name, 'study'),
    seriesInstanceUID: sampleUid('geometry-test', name, 'series'),
    files,
  };
}

/** A run of consecutive slices around the middle of a series' ordered files. */
function middleRun(files: string[], count: number): string[] {
  const start = Math.max(0, Math.floor((files.length - count) / 2));
  return files.slice(start, start + count);
}

async function writeStudies(data: TestData): Promise<GeometryStudies> {
  const sources = [...data.mr.main.files, ...data.ct.main.files];
  const folder = path.join(OUTPUT, sampleUid(GENERATOR_VERSION, ...sources).slice(5, 21));
  const written = existsSync(folder);
  const temporary = `${folder}.${process.pid}.tmp`;
  target = { writeTo: temporary, readFrom: folder, dry: written };
  if (!written) {
    await rm(temporary, { recursive: true, force: true });
    for (const name of ['echoes', 'gap', 'tilt', 'lossy', 'oblique']) await mkdir(path.join(temporary, name), { recursive: true });
  }
  const studies = await describeStudies(data);
  if (!written) {
    try {
      await rename(temporary, folder);
    } catch {
      await rm(temporary, { recursive: true, force: true }); // another run wrote the same files first
    }
  }
  return studies;
}

/** Writes the series (or, dry, only names their files). */
async function describeStudies(data: TestData): Promise<GeometryStudies> {

  // Two echoes: each slice twice, echo 2 a negative of it (so each echo's pixels, and previews, are its own).
  const mrSlices = middleRun(data.mr.main.files, 6);
  const echo1: string[] = [];
  const echo2: string[] = [];
  for (const [i, source] of mrSlices.entries()) {
    echo1.push(await writeCopy('echoes', source, 2 * i, 2 * i + 1, (dict) => {
      set(dict, '00180086', 'IS', 1);
      set(dict, '00180081', 'DS', 10);
    }));
    echo2.push(await writeCopy('echoes', source, 2 * i + 1, 2 * i + 2, (dict) => {
      set(dict, '00180086', 'IS', 2);
      set(dict, '00180081', 'DS', 80);
      const pixels = dict['7FE00010']!.Value[0] as ArrayBuffer;
      const signed = Number(dict['00280103']?.Value[0] ?? 0) === 1;
      const values = signed ? new Int16Array(pixels) : new Uint16Array(pixels);
      let max = 0;
      for (const v of values) max = Math.max(max, v);
      for (let p = 0; p < values.length; p++) values[p] = max - values[p]!;
    }));
  }

  const ctSlices = data.ct.main.files;
  const gapSources = middleRun(ctSlices, 7).filter((_, i) => i !== 3);
  const gap = await Promise.all(gapSources.map((source, i) => writeCopy('gap', source, i, i + 1, () => undefined)));

  const shear = Math.tan((20 * Math.PI) / 180);
  const tilt = await Promise.all(
    middleRun(ctSlices, 6).map((source, i) =>
      writeCopy('tilt', source, i, i + 1, (dict) => {
        const [x, y, z] = (dict['00200032']!.Value as (number | string)[]).map(Number) as [number, number, number];
        dict['00200032'] = { vr: 'DS', Value: [x, Math.round((y + z * shear) * 1000) / 1000, z] };
      }),
    ),
  );

  const lossy = await Promise.all(
    middleRun(ctSlices, 3).map((source, i) =>
      writeCopy('lossy', source, i, i + 1, (dict) => {
        set(dict, '00282110', 'CS', '01');
        set(dict, '00282112', 'DS', 10);
      }),
    ),
  );

  const turn = (30 * Math.PI) / 180;
  const [c, s] = [Math.cos(turn), Math.sin(turn)];
  const oblique = await Promise.all(
    middleRun(data.mr.main.files, 3).map((source, i) =>
      writeCopy('oblique', source, i, i + 1, (dict) => {
        const [rx, ry, rz, cx, cy, cz] = (dict['00200037']!.Value as (number | string)[]).map(Number) as [number, number, number, number, number, number];
        const round = (v: number) => Math.round(v * 1e6) / 1e6;
        // Turned within the plane (about its normal): row' = c·row + s·column, column' = −s·row + c·column.
        const row = [c * rx + s * cx, c * ry + s * cy, c * rz + s * cz].map(round);
        const column = [-s * rx + c * cx, -s * ry + c * cy, -s * rz + c * cz].map(round);
        dict['00200037'] = { vr: 'DS', Value: [...row, ...column] };
      }),
    ),
  );

  return {
    oblique: series('oblique', oblique),
    echoes: { ...series('echoes', [...echo1, ...echo2]), echoFiles: [echo1, echo2] },
    gap: series('gap', gap),
    tilt: series('tilt', tilt),
    lossy: series('lossy', lossy),
  };
}

async function upload(orthanc: OrthancServer, files: string[]): Promise<void> {
  for (const file of files) {
    const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await readFile(file) });
    if (!response.ok) throw new Error(`Orthanc refused ${file}: ${response.status}`);
  }
}

let loaded: Promise<GeometryStudies> | undefined;

/** Writes and loads the geometry series once per test run; later calls answer the same. */
export function geometryStudies(orthanc: OrthancServer, data: TestData): Promise<GeometryStudies> {
  loaded ??= (async () => {
    const studies = await writeStudies(data);
    for (const s of [studies.echoes, studies.gap, studies.tilt, studies.lossy, studies.oblique]) await upload(orthanc, s.files);
    return studies;
  })();
  return loaded;
}
