/**
 * The studies the tests load into Orthanc, and the facts about them that tests compare the screen with.
 *
 * - **Generated** data is always there: the project's own sample studies (demo/server/sample-studies.ts),
 *   written into .cache/test-samples, so a fresh clone with nothing beside it runs every test group.
 * - **Real** data is `../shared/dicom` (a Philips head-phantom CT and a Siemens brain MR), used in addition
 *   when the folder exists: the "real data" suites run on it, and are counted as skipped without it.
 *
 * The facts (patient, counts, slice order, window, landmark pixels) are read here from the files with
 * dicom-parser, independently of the viewer's own code, so a test that compares the screen with them
 * compares it with the file.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dicomParserModule from 'dicom-parser';
import { generateSampleStudies } from '../../demo/server/sample-studies.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;
type DataSet = ReturnType<typeof dicomParser.parseDicom>;

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SHARED_DICOM = path.resolve(REPO, '../shared/dicom');
export const REAL_CT_FOLDER = path.join(SHARED_DICOM, 'ct-dcmqact-philips-head-phantom');
export const REAL_MR_FOLDER = path.join(SHARED_DICOM, 'mr-dcmqadecubitus-siemens-t1-sag');
export const GENERATED_FOLDER = path.join(REPO, '.cache/test-samples');

/** True when `../shared/dicom` holds the real studies the real-data suites need. */
export function realDataPresent(): boolean {
  return existsSync(REAL_CT_FOLDER) && existsSync(REAL_MR_FOLDER);
}

/** The series a viewer shows by default (the largest that is not a localizer), as the file says. */
export interface SeriesFacts {
  seriesInstanceUID: string;
  description: string;
  modality: string;
  /** Its files, repo-relative, ordered along the slice normal, lower InstanceNumber end first. */
  files: string[];
  count: number;
  /** floor((count − 1) / 2): the slice a viewer opens on. */
  middleIndex: number;
  middleFile: string;
  middleInstanceNumber: number;
  columns: number;
  rows: number;
  /** The middle file's first window. */
  windowCenter: number;
  windowWidth: number;
  /** Whether slice 9 carries another window than the middle one (Siemens writes one per slice). */
  perSliceWindows: boolean;
}

/** Pixels of the middle file, [column, row], chosen here from its values. */
export interface Landmarks {
  /** Dense bone: the pixel whose 5×5 neighbourhood has the highest minimum value. */
  bone: [number, number];
  /** Air at the image corner, outside the body. */
  outsideAir: [number, number];
  /** Air enclosed by the body (sinuses, a phantom's cavity), when there is any. */
  insideAir?: [number, number];
}

export interface StudyFacts {
  /** The folder uploaded to Orthanc (absolute). */
  folder: string;
  patientID: string;
  studyDate: string;
  /** Image counts of every series, ascending. */
  seriesCounts: number[];
  main: SeriesFacts;
  /** Every series, localizers included, largest first. */
  series: SeriesFacts[];
  landmarks?: Landmarks;
}

export interface TestData {
  ct: StudyFacts;
  mr: StudyFacts;
  realCt?: StudyFacts;
  realMr?: StudyFacts;
}

export type DatasetName = keyof TestData;

/**
 * The folder of one generated study (written on first use, and again when the generator changes):
 * `SAMPLE-CT-1` is the head CT with its localizer, `SAMPLE-MR-1` the brain MR.
 */
export async function generatedStudyFolder(accession: string): Promise<string> {
  const study = (await generateSampleStudies(GENERATED_FOLDER)).find((s) => s.accessionNumber === accession);
  if (!study?.series[0]) throw new Error(`The sample generator made no study ${accession}`);
  return path.join(GENERATED_FOLDER, study.series[0].folder.split(/[\\/]/)[0]!);
}

/** Writes the generated studies (kept between runs while the generator is unchanged) and reads the facts. */
export async function prepareTestData(): Promise<TestData> {
  const data: TestData = {
    ct: await describeStudy(await generatedStudyFolder('SAMPLE-CT-1'), true),
    mr: await describeStudy(await generatedStudyFolder('SAMPLE-MR-1'), false),
  };
  if (realDataPresent()) {
    data.realCt = await describeStudy(REAL_CT_FOLDER, true);
    data.realMr = await describeStudy(REAL_MR_FOLDER, false);
  }
  return data;
}

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

interface Instance {
  file: string;
  dataSet: DataSet;
  bytes: Uint8Array;
}

function numbers(dataSet: DataSet, tag: string): number[] {
  const text = dataSet.string(tag);
  return text ? text.split('\\').map(Number) : [];
}

async function describeStudy(folder: string, landmarks: boolean): Promise<StudyFacts> {
  const instances: Instance[] = [];
  for (const file of await listFiles(folder)) {
    const bytes = new Uint8Array(await readFile(file));
    try {
      instances.push({ file, bytes, dataSet: dicomParser.parseDicom(bytes) });
    } catch {
      // not DICOM (an index file): Orthanc refuses it too
    }
  }
  const bySeries = new Map<string, Instance[]>();
  for (const instance of instances) {
    const uid = instance.dataSet.string('x0020000e') ?? '';
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), instance]);
  }
  const isLocalizer = (series: Instance[]) => /LOCALIZER/i.test(series[0]!.dataSet.string('x00080008') ?? '');
  const candidates = [...bySeries.values()].filter((series) => !isLocalizer(series));
  const largest = candidates.sort((a, b) => b.length - a.length)[0];
  if (!largest) throw new Error(`No image series in ${folder}`);
  const main = seriesFacts(largest);
  const first = instances[0]!.dataSet;
  const facts: StudyFacts = {
    folder,
    patientID: first.string('x00100020') ?? '',
    studyDate: first.string('x00080020') ?? '',
    seriesCounts: [...bySeries.values()].map((series) => series.length).sort((a, b) => a - b),
    main,
    series: [...bySeries.values()].sort((a, b) => b.length - a.length).map(seriesFacts),
  };
  if (landmarks) facts.landmarks = findLandmarks(orderAlongNormal(largest)[main.middleIndex]!);
  return facts;
}

function seriesFacts(series: Instance[]): SeriesFacts {
  const ordered = orderAlongNormal(series);
  const middleIndex = Math.floor((ordered.length - 1) / 2);
  const middle = ordered[middleIndex]!.dataSet;
  const windowAt = (index: number) => {
    const ds = ordered[Math.min(index, ordered.length - 1)]!.dataSet;
    return [numbers(ds, 'x00281050')[0], numbers(ds, 'x00281051')[0]];
  };
  const [windowCenter, windowWidth] = windowAt(middleIndex);
  return {
    seriesInstanceUID: middle.string('x0020000e') ?? '',
    description: middle.string('x0008103e') ?? '',
    modality: middle.string('x00080060') ?? '',
    files: ordered.map((instance) => path.relative(REPO, instance.file)),
    count: ordered.length,
    middleIndex,
    middleFile: path.relative(REPO, ordered[middleIndex]!.file),
    middleInstanceNumber: Number(middle.string('x00200013')),
    columns: middle.uint16('x00280011') ?? 0,
    rows: middle.uint16('x00280010') ?? 0,
    windowCenter: windowCenter ?? NaN,
    windowWidth: windowWidth ?? NaN,
    perSliceWindows: JSON.stringify(windowAt(9)) !== JSON.stringify(windowAt(middleIndex)),
  };
}

/** Position along the slice normal; the end with the lower InstanceNumber first (as the scanner numbers). */
function orderAlongNormal(series: Instance[]): Instance[] {
  const located = series.map((instance) => {
    const [r0, r1, r2, c0, c1, c2] = numbers(instance.dataSet, 'x00200037');
    const normal = [r1! * c2! - r2! * c1!, r2! * c0! - r0! * c2!, r0! * c1! - r1! * c0!];
    const ipp = numbers(instance.dataSet, 'x00200032');
    return { instance, position: normal[0]! * ipp[0]! + normal[1]! * ipp[1]! + normal[2]! * ipp[2]!, number: Number(instance.dataSet.string('x00200013')) };
  });
  located.sort((a, b) => a.position - b.position || a.number - b.number);
  if (located.length > 1 && located[0]!.number > located[located.length - 1]!.number) located.reverse();
  return located.map((entry) => entry.instance);
}

/** Modality values of an uncompressed single-frame 16-bit file. */
function modalityValues({ dataSet, bytes }: Instance): { values: Float64Array; columns: number; rows: number } {
  const columns = dataSet.uint16('x00280011') ?? 0;
  const rows = dataSet.uint16('x00280010') ?? 0;
  const signed = dataSet.uint16('x00280103') === 1;
  const slope = Number(dataSet.string('x00281053') ?? 1);
  const intercept = Number(dataSet.string('x00281052') ?? 0);
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel || dataSet.uint16('x00280100') !== 16) throw new Error('landmarks need 16-bit native pixel data');
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, columns * rows * 2);
  const values = new Float64Array(columns * rows);
  for (let i = 0; i < values.length; i++) values[i] = (signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true)) * slope + intercept;
  return { values, columns, rows };
}

function findLandmarks(instance: Instance): Landmarks {
  const { values, columns, rows } = modalityValues(instance);
  const at = (c: number, r: number) => values[r * columns + c]!;
  const neighbourhoodMin = (c: number, r: number, radius: number) => {
    let min = Infinity;
    for (let dr = -radius; dr <= radius; dr++) for (let dc = -radius; dc <= radius; dc++) min = Math.min(min, at(c + dc, r + dr));
    return min;
  };
  let bone: [number, number] = [0, 0];
  let best = -Infinity;
  for (let r = 4; r < rows - 4; r += 2) {
    for (let c = 4; c < columns - 4; c += 2) {
      if (at(c, r) <= best) continue;
      const min = neighbourhoodMin(c, r, 2);
      if (min > best) [best, bone] = [min, [c, r]];
    }
  }
  const outsideAir: [number, number] = [20, 20];
  // Air reachable from the border is outside; air the flood never reaches is enclosed by the body.
  const isAir = (i: number) => values[i]! < -900;
  const outside = new Uint8Array(values.length);
  const stack: number[] = [];
  for (let c = 0; c < columns; c++) stack.push(c, (rows - 1) * columns + c);
  for (let r = 0; r < rows; r++) stack.push(r * columns, r * columns + columns - 1);
  while (stack.length) {
    const i = stack.pop()!;
    if (outside[i] || !isAir(i)) continue;
    outside[i] = 1;
    const c = i % columns;
    if (c > 0) stack.push(i - 1);
    if (c < columns - 1) stack.push(i + 1);
    if (i >= columns) stack.push(i - columns);
    if (i < values.length - columns) stack.push(i + columns);
  }
  let insideAir: [number, number] | undefined;
  let deepest = 0;
  for (let r = 3; r < rows - 3; r++) {
    for (let c = 3; c < columns - 3; c++) {
      const i = r * columns + c;
      if (!isAir(i) || outside[i]) continue;
      // The enclosed air pixel farthest from any tissue (its largest all-air square), so that it is
      // air on screen too, not an interpolated edge.
      let radius = 0;
      while (radius < 8 && r - radius - 1 >= 0 && c - radius - 1 >= 0 && r + radius + 1 < rows && c + radius + 1 < columns && maxAround(c, r, radius + 1) < -900) radius++;
      if (radius > deepest) [deepest, insideAir] = [radius, [c, r]];
    }
  }
  function maxAround(c: number, r: number, radius: number): number {
    let max = -Infinity;
    for (let dr = -radius; dr <= radius; dr++) for (let dc = -radius; dc <= radius; dc++) max = Math.max(max, at(c + dc, r + dr));
    return max;
  }
  if (at(...outsideAir) >= -900) throw new Error(`${instance.file}: the corner is not air`);
  return deepest >= 3 && insideAir ? { bone, outsideAir, insideAir } : { bone, outsideAir };
}
