/**
 * The test PACS: a real Orthanc loaded with the generated sample studies (always) and with
 * ../shared/dicom's real studies (when that folder exists), with one accession number per test (each a
 * copy of a study with new UIDs, made through Orthanc's modify API), behind the demo gateway.
 */
import { type GatewayLogEntry, startGatewayServer } from '../../gateway/gateway.js';
import { loadCharsetStudies } from './charset-studies.js';
import { loadPriorStudies } from './prior-studies.js';
import { loadCodecStudies } from './codec-studies.js';
import { loadBadDataStudies } from './bad-data-studies.js';
import { type RobustnessStudies, loadRobustnessStudies } from './robustness-studies.js';
import { loadImageTypeStudies } from './image-type-studies.js';
import { type OrthancServer, copyStudyWithAccession, startOrthanc, uploadFolder } from './orthanc.js';
import { type DatasetName, type TestData, prepareTestData } from './test-data.js';

interface Fixture {
  accession: string;
  /** The studies copied under that accession number. */
  from: readonly DatasetName[];
  /** A transfer syntax Orthanc transcodes the copy to. */
  transcode?: string;
  /** Attributes the copy goes without (Orthanc's modify Remove). */
  remove?: readonly string[];
}

/** Accession numbers the browser tests use, on the generated studies; each test owns its own. */
export const ACCESSIONS = {
  ctPixels: { accession: 'FL-CT-PIXELS', from: ['ct'] },
  mr: { accession: 'FL-MR-1', from: ['mr'] },
  mrTools: { accession: 'FL-MR-TOOLS', from: ['mr'] },
  mrAuth: { accession: 'FL-MR-AUTH', from: ['mr'] },
  mrWrongToken: { accession: 'FL-MR-WRONG-TOKEN', from: ['mr'] },
  ambiguous: { accession: 'FL-AMBIG', from: ['ct', 'mr'] },
  switchFirst: { accession: 'FL-SWITCH-A', from: ['ct'] },
  switchSecond: { accession: 'FL-SWITCH-B', from: ['mr'] },
  twoViewersA: { accession: 'FL-TWO-A', from: ['mr'] },
  twoViewersB: { accession: 'FL-TWO-B', from: ['ct'] },
  disconnect: { accession: 'FL-DISCONNECT', from: ['ct'] },
  phone: { accession: 'FL-PHONE', from: ['mr'] },
  iid: { accession: 'FL-IID-1', from: ['mr'] },
  iidSecond: { accession: 'FL-IID-2', from: ['ct'] },
  distribution: { accession: 'FL-DIST-CT', from: ['ct'] },
  firstImage: { accession: 'FL-FIRST-CT', from: ['ct'] },
  /** The MR series transcoded by Orthanc to JPEG-LS lossless. */
  mrJpegLs: { accession: 'FL-MR-JLS', from: ['mr'], transcode: '1.2.840.10008.1.2.4.80' },
  /** The chrome tests: image area, toolbar, overlay, patient mode, screenshots. */
  chrome: { accession: 'FL-CHROME-CT', from: ['ct'] },
  /** The standalone page opened with a patient's token. */
  iidPatient: { accession: 'FL-IID-PATIENT', from: ['mr'] },
  /** Measurements (length, ROI, events) on the CT; lengths on the MR. */
  measurements: { accession: 'FL-MEASURE-CT', from: ['ct'] },
  measurementsMr: { accession: 'FL-MEASURE-MR', from: ['mr'] },
  /** MPR and reference lines (the CT with its lateral scout). */
  mpr: { accession: 'FL-MPR-CT', from: ['ct'] },
  referenceLines: { accession: 'FL-REFLINES-CT', from: ['ct'] },
  /** Orientation markers and geometry warnings. */
  geometryCt: { accession: 'FL-GEO-CT', from: ['ct'] },
  geometryMr: { accession: 'FL-GEO-MR', from: ['mr'] },
  /** View tools: rotate, flip, invert, zoom, presets and the file's windows on the CT; cine on the MR. */
  viewTools: { accession: 'FL-VIEW-CT', from: ['ct'] },
  viewToolsGpu: { accession: 'FL-VIEW-CT-GPU', from: ['ct'] },
  cine: { accession: 'FL-CINE-MR', from: ['mr'] },
  /** The MR without any window attribute: the viewer's auto-window. */
  noWindow: { accession: 'FL-NO-WINDOW-MR', from: ['mr'], remove: ['WindowCenter', 'WindowWidth', 'WindowCenterWidthExplanation'] },
  /** Memory and lifecycles: study switches, connect/disconnect cycles, eight viewers on one page. */
  memoryCt: { accession: 'FL-MEMORY-CT', from: ['ct'] },
  memoryMr: { accession: 'FL-MEMORY-MR', from: ['mr'] },
  /** Engines: the core contract in Firefox and without WebGL (test/engines), WebGL context loss. */
  engines: { accession: 'FL-ENGINES-CT', from: ['ct'] },
  contextLoss: { accession: 'FL-CONTEXT-LOSS-CT', from: ['ct'] },
} as const satisfies Record<string, Fixture>;

/**
 * The same tests' accession numbers on ../shared/dicom's real studies (the Philips head phantom and the
 * Siemens brain MR), made only when that folder exists.
 */
export const REAL_ACCESSIONS = {
  ctPixels: { accession: 'FL-REAL-CT-PIXELS', from: ['realCt'] },
  firstImage: { accession: 'FL-REAL-FIRST-CT', from: ['realCt'] },
  mr: { accession: 'FL-REAL-MR-1', from: ['realMr'] },
  mrTools: { accession: 'FL-REAL-MR-TOOLS', from: ['realMr'] },
  mrJpegLs: { accession: 'FL-REAL-MR-JLS', from: ['realMr'], transcode: '1.2.840.10008.1.2.4.80' },
  /** Measurements: lengths on the Philips phantom and the Siemens MR. */
  measurements: { accession: 'FL-REAL-MEASURE-CT', from: ['realCt'] },
  measurementsMr: { accession: 'FL-REAL-MEASURE-MR', from: ['realMr'] },
  /** MPR and reference lines (the Philips phantom with its localizer S1000). */
  mpr: { accession: 'FL-REAL-MPR-CT', from: ['realCt'] },
  referenceLines: { accession: 'FL-REAL-REFLINES', from: ['realCt'] },
  /** Orientation markers and geometry warnings. */
  geometryCt: { accession: 'FL-REAL-GEO-CT', from: ['realCt'] },
  geometryMr: { accession: 'FL-REAL-GEO-MR', from: ['realMr'] },
} as const satisfies Record<string, Fixture>;

/**
 * A study of four series (the generated CT's localizer and axial series, the MR's two), made by copying
 * both studies and merging the MR copy's series into the CT copy with Orthanc's merge API: for layouts.
 */
export const FOUR_SERIES_ACCESSION = 'FL-LAYOUT-4';

/** Studies the tests generate in specific character sets (see charset-studies.ts). */
export const CHARSET_ACCESSIONS = { vi: 'FL-CHARSET-VI', tr: 'FL-CHARSET-TR' } as const;

export type FixtureName = keyof typeof ACCESSIONS;

/** The token every browser test may use; tests that check headers use their own `test-token-…`. */
export const TEST_TOKEN = 'test-token-shared';

export interface TestPacs {
  orthanc: OrthancServer;
  gatewayUrl: string;
  /** A second hospital: its own Orthanc behind its own gateway (several-PACS tests). */
  hospitalB: { gatewayUrl: string; stop: () => Promise<void> };
  /** StudyInstanceUIDs created for each accession. */
  studies: Record<string, string[]>;
  /** What the tests compare the screen with, read from the files. */
  data: TestData;
  /** ../shared/dicom's robustness/ and transfer-syntaxes/ folders, by folder path; absent without ../shared. */
  robustness?: RobustnessStudies;
  /** The generated image-type studies (MONOCHROME1, RGB, high bits, signed, padding, a report), same shape. */
  imageTypes: RobustnessStudies;
  requests: GatewayLogEntry[];
  stop: () => Promise<void>;
}

export async function startTestPacs(allowedOrigins: string[] | '*'): Promise<TestPacs> {
  const data = await prepareTestData();
  const orthanc = await startOrthanc();
  try {
    const originals: Partial<Record<DatasetName, string>> = {};
    for (const name of Object.keys(data) as DatasetName[]) originals[name] = (await uploadFolder(orthanc, data[name]!.folder))[0];
    const studies: Record<string, string[]> = {};
    const fixtures: Fixture[] = [...Object.values(ACCESSIONS), ...(data.realCt ? Object.values(REAL_ACCESSIONS) : [])];
    for (const fixture of fixtures) {
      const { accession, from, transcode } = fixture;
      const remove = 'remove' in fixture ? fixture.remove : undefined;
      studies[accession] = [];
      for (const source of from) {
        studies[accession].push(await copyStudyWithAccession(orthanc, originals[source]!, accession, {}, transcode, remove));
      }
    }
    studies[FOUR_SERIES_ACCESSION] = [await mergedStudy(orthanc, FOUR_SERIES_ACCESSION, [originals.ct!, originals.mr!])];
    for (const [accession, uid] of Object.entries(await loadCharsetStudies(orthanc, CHARSET_ACCESSIONS))) studies[accession] = [uid];
    await loadPriorStudies(orthanc, data, studies, allowedOrigins);
    await loadCodecStudies(orthanc, data.ct, studies);
    const robustness = await loadRobustnessStudies(orthanc, studies);
    const imageTypes = await loadImageTypeStudies(orthanc, studies);
    const requests: GatewayLogEntry[] = [];
    await loadBadDataStudies(orthanc, data.ct, studies);
    const hospitalB = await startHospitalB(orthanc, data.mr.folder, allowedOrigins, studies, requests);
    const gateway = await startGatewayServer({
      upstream: orthanc.dicomwebUrl,
      // Test tokens: any `test-token-…`; the identity logged is the token's suffix, as a real gateway would log a token id.
      verifyToken: (token) => (token.startsWith('test-token-') ? `id:${token.slice(11)}` : undefined),
      allowedOrigins,
      onRequest: (entry) => requests.push(entry),
    });
    return {
      orthanc,
      gatewayUrl: gateway.url,
      hospitalB,
      studies,
      data,
      ...(robustness ? { robustness } : {}),
      imageTypes,
      requests,
      stop: async () => {
        await hospitalB.stop();
        await gateway.close();
        await orthanc.stop();
      },
    };
  } catch (error) {
    await orthanc.stop();
    throw error;
  }
}

/** Orthanc's ID of a study, by its StudyInstanceUID. */
async function orthancStudyId(orthanc: OrthancServer, uid: string): Promise<string> {
  const [found] = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: uid })).json()) as { ID: string }[];
  if (!found) throw new Error(`Orthanc has no study ${uid}`);
  return found.ID;
}

/** Copies of several studies under one accession number, merged into one study (the first one's). */
async function mergedStudy(orthanc: OrthancServer, accession: string, sources: string[]): Promise<string> {
  const [first, ...others] = sources;
  const target = await copyStudyWithAccession(orthanc, first!, accession);
  const targetId = await orthancStudyId(orthanc, target);
  for (const other of others) {
    const copyId = await orthancStudyId(orthanc, await copyStudyWithAccession(orthanc, other, `${accession}-SOURCE`));
    const series = (await (await fetch(`${orthanc.url}/studies/${copyId}/series`)).json()) as { ID: string }[];
    const merged = await fetch(`${orthanc.url}/studies/${targetId}/merge`, { method: 'POST', body: JSON.stringify({ Resources: series.map((s) => s.ID), KeepSource: false }) });
    if (!merged.ok) throw new Error(`merge failed: ${merged.status} ${await merged.text()}`);
  }
  return target;
}

/** Accession numbers of the several-PACS tests. */
export const MULTI_PACS = {
  /** In both hospitals with the same StudyInstanceUID. */
  shared: 'FL-MULTI-SHARED',
  /** Only in hospital B. */
  onlyB: 'FL-MULTI-B',
} as const;

/**
 * Hospital B: a second Orthanc with the MR study under two accession numbers. The study under
 * MULTI_PACS.shared is also copied, byte for byte, into hospital A, so both hold the same study.
 */
async function startHospitalB(
  hospitalA: OrthancServer,
  mrFolder: string,
  allowedOrigins: string[] | '*',
  studies: Record<string, string[]>,
  requests: GatewayLogEntry[],
): Promise<{ gatewayUrl: string; stop: () => Promise<void> }> {
  const orthanc = await startOrthanc('hospital-b');
  const [original] = await uploadFolder(orthanc, mrFolder);
  studies[MULTI_PACS.shared] = [await copyStudyWithAccession(orthanc, original!, MULTI_PACS.shared)];
  studies[MULTI_PACS.onlyB] = [await copyStudyWithAccession(orthanc, original!, MULTI_PACS.onlyB)];
  const shared = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: studies[MULTI_PACS.shared]![0] })).json()) as { ID: string }[];
  const instances = (await (await fetch(`${orthanc.url}/studies/${shared[0]!.ID}/instances`)).json()) as { ID: string }[];
  for (const instance of instances) {
    const file = new Uint8Array(await (await fetch(`${orthanc.url}/instances/${instance.ID}/file`)).arrayBuffer());
    await fetch(`${hospitalA.url}/instances`, { method: 'POST', body: file });
  }
  const gateway = await startGatewayServer({
    upstream: orthanc.dicomwebUrl,
    verifyToken: (token) => (token.startsWith('test-token-') ? `b:${token.slice(11)}` : undefined),
    allowedOrigins,
    onRequest: (entry) => requests.push({ ...entry, url: `hospital-b${entry.url}` }),
  });
  let stopped = false;
  return {
    gatewayUrl: gateway.url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await gateway.close();
      await orthanc.stop();
    },
  };
}
