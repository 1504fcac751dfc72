/**
 * Starts a real Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) for the tests: loopback only, a free
 * port, its own temporary storage, no DICOM port. Nothing here mocks the PACS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ORTHANC_BINARY = ['/usr/sbin/Orthanc', '/usr/bin/Orthanc'].find((p) => existsSync(p)) ?? 'Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancServer {
  /** REST root, e.g. http://127.0.0.1:PORT */
  url: string;
  /** DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomwebUrl: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startOrthanc(name = 'filmless-test'): Promise<OrthancServer> {
  if (!existsSync(DICOMWEB_PLUGIN)) {
    throw new Error(`Orthanc's DICOMweb plugin is missing. Run: apt-get update && apt-get install -y orthanc orthanc-dicomweb`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'filmless-orthanc-'));
  const port = await freePort();
  const config = {
    Name: name,
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    HttpPort: port,
    HttpBindAddress: '127.0.0.1',
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpCompressionEnabled: false,
    // Orthanc builds QIDO answers in this encoding; its Latin-1 default drops Turkish and Vietnamese letters.
    DefaultEncoding: 'Utf8',
    ConcurrentJobs: 2,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
  };
  await writeFile(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(ORTHANC_BINARY, [path.join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(`${url}/system`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Orthanc did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dicomwebUrl: `${url}/dicom-web`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every file under a folder, recursively, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** Uploads every file of a folder; returns the Orthanc study IDs they landed in. */
export async function uploadFolder(orthanc: OrthancServer, folder: string): Promise<string[]> {
  const studies = new Set<string>();
  const files = await listFiles(folder);
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      if ((await stat(file)).size === 0) continue;
      const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await readFile(file) });
      if (!response.ok) continue; // not DICOM: Orthanc refuses it, which is fine for a folder upload
      const answer = (await response.json()) as { ParentStudy?: string };
      if (answer.ParentStudy) studies.add(answer.ParentStudy);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return [...studies];
}

/**
 * Copies an Orthanc study under a new accession number (and new UIDs), leaving the original and the
 * files in ../shared untouched. Returns the new StudyInstanceUID.
 */
export async function copyStudyWithAccession(
  orthanc: OrthancServer,
  orthancStudyId: string,
  accessionNumber: string,
  replace: Record<string, string> = {},
  transcode?: string,
  remove?: readonly string[],
): Promise<string> {
  const response = await fetch(`${orthanc.url}/studies/${orthancStudyId}/modify`, {
    method: 'POST',
    body: JSON.stringify({ Replace: { AccessionNumber: accessionNumber, ...replace }, Force: true, ...(transcode ? { Transcode: transcode } : {}), ...(remove ? { Remove: remove } : {}) }),
  });
  if (!response.ok) throw new Error(`modify failed: ${response.status} ${await response.text()}`);
  const { ID } = (await response.json()) as { ID: string };
  const study = (await (await fetch(`${orthanc.url}/studies/${ID}`)).json()) as { MainDicomTags: { StudyInstanceUID: string } };
  return study.MainDicomTags.StudyInstanceUID;
}
