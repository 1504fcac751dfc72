/**
 * The priors tests' patient: three CT studies of one patient (PRIORS_PATIENT_ID), written here with
 * dcmjs from the generated head CTs and loaded into the test Orthanc, plus a gateway that refuses
 * patient-level searches.
 *
 * | accession            | date     | what                                                                        |
 * |----------------------|----------|-----------------------------------------------------------------------------|
 * | FL-PRIORS-CURRENT    | 20260112 | the generated head CT (scout + 1.25 mm axial), new UIDs                     |
 * | FL-PRIORS-SAME-FOR   | 20250615 | the same files, same FrameOfReferenceUID, every ImagePositionPatient moved by SAME_FOR_SHIFT_MM along z |
 * | FL-PRIORS-OTHER-FOR  | 20250108 | the generated prior (SAMPLE-CT-PRIOR: 5 mm slices, its own frame of reference) |
 *
 * Orthanc's modify cannot move each instance by a different position, so the copies are written here.
 * Files go to .cache/test-priors (rewritten when missing; every value derives from the source files).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { sampleUid } from '../../demo/server/sample-datasets.js';
import { startGatewayServer } from '../../gateway/gateway.js';
import { type OrthancServer, listFiles } from './orthanc.js';
import { PRIORS, PRIORS_PATIENT_ID, PRIORS_REFUSING_GATEWAY, SAME_FOR_SHIFT_MM } from './prior-names.js';
import { REPO, type TestData, generatedStudyFolder } from './test-data.js';

/** The DICOM files of a sample study folder (its other files, e.g. a README, left out). */
const dicomFiles = async (folder: string) => (await listFiles(folder)).filter((file) => file.endsWith('.dcm'));

interface DicomDict {
  meta: Record<string, { vr: string; Value: unknown[] }>;
  dict: Record<string, { vr: string; Value: unknown[] }>;
  write(): ArrayBuffer;
}
interface Dcmjs {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): DicomDict } };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

const OUTPUT = path.join(REPO, '.cache/test-priors');

interface PriorStudy {
  key: keyof typeof PRIORS;
  source: string;
  date: string;
  /** Millimetres added to ImagePositionPatient z (and SliceLocation) of every image. */
  shiftZ: number;
}


const set = (dict: DicomDict['dict'], tag: string, vr: string, value: unknown) => {
  dict[tag] = { vr, Value: [value] };
};

/** One study rewritten: the priors patient, its own UIDs (from names), date, and positions moved. */
async function writeStudy(study: PriorStudy, folder: string): Promise<void> {
  const { accession } = PRIORS[study.key];
  for (const file of await dicomFiles(study.source)) {
    const bytes = await readFile(file);
    const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const { dict } = dicom;
    const oldSeries = String(dict['0020000E']?.Value[0]);
    const oldSop = String(dict['00080018']?.Value[0]);
    const sop = sampleUid('priors-test', study.key, oldSop);
    set(dict, '0020000D', 'UI', sampleUid('priors-test', study.key, 'study'));
    set(dict, '0020000E', 'UI', sampleUid('priors-test', study.key, oldSeries));
    set(dict, '00080018', 'UI', sop);
    dicom.meta['00020003'] = { vr: 'UI', Value: [sop] };
    set(dict, '00100020', 'LO', PRIORS_PATIENT_ID);
    dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'PRIORS^TEST' }] };
    set(dict, '00080050', 'SH', accession);
    set(dict, '00080020', 'DA', study.date);
    if (dict['00080021']) set(dict, '00080021', 'DA', study.date);
    if (study.shiftZ !== 0 && dict['00200032']) {
      const [x, y, z] = (dict['00200032'].Value as (number | string)[]).map(Number) as [number, number, number];
      dict['00200032'] = { vr: 'DS', Value: [x, y, Math.round((z + study.shiftZ) * 1000) / 1000] };
      if (dict['00201041']) set(dict, '00201041', 'DS', Math.round((Number(dict['00201041'].Value[0]) + study.shiftZ) * 1000) / 1000);
    }
    const relative = path.relative(study.source, file);
    await mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
    await writeFile(path.join(folder, relative), Buffer.from(dicom.write()));
  }
}

/** The studies' files, written once into .cache/test-priors/<key> (each folder renamed into place whole). */
async function priorFolders(data: TestData): Promise<Record<keyof typeof PRIORS, string>> {
  const currentSource = data.ct.folder;
  const otherSource = await generatedStudyFolder('SAMPLE-CT-PRIOR');
  const studies: PriorStudy[] = [
    { key: 'current', source: currentSource, date: data.ct.studyDate, shiftZ: 0 },
    { key: 'sameFor', source: currentSource, date: '20250615', shiftZ: SAME_FOR_SHIFT_MM },
    { key: 'otherFor', source: otherSource, date: '20250108', shiftZ: 0 },
  ];
  const folders = {} as Record<keyof typeof PRIORS, string>;
  for (const study of studies) {
    // The folder name carries what the files derive from, so a changed generator gives new files.
    const folder = path.join(OUTPUT, `${study.key}-${sampleUid(study.source, study.date, String(study.shiftZ), String((await dicomFiles(study.source)).length)).slice(5, 17)}`);
    folders[study.key] = folder;
    if (existsSync(folder)) continue;
    const temporary = `${folder}.${process.pid}.tmp`;
    await rm(temporary, { recursive: true, force: true });
    await writeStudy(study, temporary);
    try {
      await rename(temporary, folder);
    } catch {
      await rm(temporary, { recursive: true, force: true }); // another run wrote the same files first
    }
  }
  return folders;
}

async function upload(orthanc: OrthancServer, folder: string): Promise<void> {
  const queue = await dicomFiles(folder);
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await readFile(file) });
      if (!response.ok) throw new Error(`Orthanc refused ${file}: ${response.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/**
 * A gateway like the tests' own (any `test-token-…`), in front of the same Orthanc, that answers 403 to
 * every search by patient (a root QIDO with PatientID): a deployment whose tokens open a study but may
 * not look through the patient's others.
 */
async function startRefusingGateway(orthanc: OrthancServer, allowedOrigins: string[] | '*'): Promise<string> {
  const gateway = await startGatewayServer({
    allowedOrigins,
    verifyToken: (token) => (token.startsWith('test-token-') ? `refusing:${token.slice(11)}` : undefined),
    upstream: async (req, res, pathname, query) => {
      if (/^\/(studies|series|instances)\/?$/.test(pathname) && (query.has('PatientID') || query.has('00100020'))) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Patient searches are not allowed with this token');
        return;
      }
      const search = query.toString();
      const answer = await fetch(`${orthanc.dicomwebUrl}${pathname}${search ? `?${search}` : ''}`, {
        headers: { Accept: req.headers.accept ?? '*/*' },
      });
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-length']) {
        const value = answer.headers.get(name);
        if (value) headers[name] = value;
      }
      res.writeHead(answer.status, headers);
      if (!answer.body) return void res.end();
      Readable.fromWeb(answer.body as NodeReadableStream).pipe(res);
    },
  });
  // Nothing stops it: it must not keep the test runner's process alive.
  gateway.server.unref();
  gateway.server.on('connection', (socket) => socket.unref());
  return gateway.url;
}

/**
 * Loads the priors patient's three studies and starts the refusing gateway. Adds to `studies`: each
 * accession's StudyInstanceUID, and the refusing gateway's URL under PRIORS_REFUSING_GATEWAY.
 */
export async function loadPriorStudies(orthanc: OrthancServer, data: TestData, studies: Record<string, string[]>, allowedOrigins: string[] | '*'): Promise<void> {
  const folders = await priorFolders(data);
  for (const key of Object.keys(PRIORS) as (keyof typeof PRIORS)[]) {
    await upload(orthanc, folders[key]);
    studies[PRIORS[key].accession] = [sampleUid('priors-test', key, 'study')];
  }
  studies[PRIORS_REFUSING_GATEWAY] = [await startRefusingGateway(orthanc, allowedOrigins)];
}
