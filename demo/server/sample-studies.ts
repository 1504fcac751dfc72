/**
 * Writes the project's own sample studies (./sample-datasets.ts: a head CT with a prior, a brain
 * MR on the real MNI152 average brain, a chest CT) as DICOM Part-10 files, so the demo and the
 * tests have convincing images on a machine with no PACS and no test data.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sampleStudies } from './sample-datasets.js';
import { writeInstances, type SampleJob } from './sample-worker.js';

export { HEAD_CT_GEOMETRY, PRIOR_SHIFT, sampleUid } from './sample-datasets.js';
export { HEAD_CT, HEAD_T1, headModel } from './sample-head.js';
export { MNI_NOTICE } from './sample-mni.js';

const require = createRequire(import.meta.url);

export interface GeneratedSeries {
  /** Relative to the output folder, e.g. `sample-1-ct-head/2-axial-1.25mm`. */
  folder: string;
  instanceCount: number;
  /** False when the folder already held that many files from the same generator and was left alone. */
  written: boolean;
}

export interface GeneratedStudy {
  accessionNumber: string;
  studyInstanceUID: string;
  series: GeneratedSeries[];
}

/** Hidden (the index skips dot files): which generator wrote a series folder. */
const STAMP_FILE = '.sample-generator';

/**
 * A hash of everything the output depends on: the generator's source files (every
 * `sample-*.ts` beside this one), the template's bytes and the dcmjs version. A folder written by
 * another generator is rewritten, even when it holds the right number of files.
 */
export function generatorStamp(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(here).filter((n) => /^sample-.*\.[jt]s$/.test(n)).sort()) {
    hash.update(name).update(readFileSync(join(here, name)));
  }
  hash.update(readFileSync(require.resolve('@niivue/niivue/src/mni152.nii.gz')));
  hash.update(readFileSync(join(dirname(require.resolve('dcmjs')), '..', 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Writes the sample studies to `outDir/<study>/<series>/<InstanceNumber>.dcm`:
 * SAMPLE-CT-1 (head CT: scout, 106 axial slices), SAMPLE-MR-1 (brain MR: 128 sagittal, 24 axial),
 * SAMPLE-CT-PRIOR (the same head a year earlier: scout, 27 axial slices) and SAMPLE-CT-CHEST
 * (scout, 59 axial slices). A series folder that already holds the expected number of `.dcm`
 * files from this same generator is kept as is; any other is rewritten. Output is deterministic.
 * `log`, when given, hears how long the writing took.
 */
export async function generateSampleStudies(outDir: string, log?: (line: string) => void): Promise<GeneratedStudy[]> {
  const started = performance.now();
  const stamp = generatorStamp();
  const generated: GeneratedStudy[] = [];
  const jobs: SampleJob[] = [];
  for (const [studyIndex, study] of sampleStudies().entries()) {
    const series: GeneratedSeries[] = [];
    for (const [seriesIndex, sampleSeries] of study.series.entries()) {
      const folder = join(study.folder, sampleSeries.folder);
      const stale = await clearUnlessCurrent(join(outDir, folder), sampleSeries.instanceCount, stamp);
      if (stale) {
        const instanceNumbers = Array.from({ length: sampleSeries.instanceCount }, (_, i) => i + 1);
        jobs.push({ studyIndex, seriesIndex, folder: join(outDir, folder), instanceNumbers });
      }
      series.push({ folder, instanceCount: sampleSeries.instanceCount, written: stale });
    }
    generated.push({ accessionNumber: study.accessionNumber, studyInstanceUID: study.studyInstanceUID, series });
  }
  if (jobs.length === 0) return generated;

  await writeInParallel(jobs, log);
  for (const job of jobs) await writeFile(join(job.folder, STAMP_FILE), `${stamp}\n`);
  const count = jobs.reduce((n, job) => n + job.instanceNumbers.length, 0);
  log?.(`generated ${count} sample images in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return generated;
}

/**
 * Shares the instances between worker threads, one per core (at most 4), alternating instance
 * numbers so each worker gets a fair part of every series. Falls back to this thread when workers
 * cannot start (a runtime without worker_threads or without the TypeScript loader in workers).
 */
async function writeInParallel(jobs: readonly SampleJob[], log?: (line: string) => void): Promise<void> {
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  if (workers === 1) return writeInstances(jobs);
  const shares = Array.from({ length: workers }, (_, w) =>
    jobs.map((job) => ({ ...job, instanceNumbers: job.instanceNumbers.filter((_, i) => i % workers === w) })),
  );
  // Under tsx the worker must register tsx's loader itself before it can import TypeScript.
  const typescript = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(typescript ? './sample-worker.ts' : './sample-worker.js', import.meta.url).href;
  const loader = typescript ? import.meta.resolve('tsx/esm/api') : undefined;
  const bootstrap =
    `(async () => { ${loader ? `(await import(${JSON.stringify(loader)})).register();` : ''} ` +
    `await import(${JSON.stringify(workerUrl)}); })().catch((error) => { throw error; });`;
  try {
    await Promise.all(
      shares.map(
        (sampleJobs) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(bootstrap, { eval: true, workerData: { sampleJobs } });
            worker.once('message', () => resolve());
            worker.once('error', reject);
            worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sample worker exited with ${code}`))));
          }),
      ),
    );
  } catch (error) {
    // Whatever a failed worker left is rewritten here, on this thread.
    if (!(error instanceof Error)) throw error;
    log?.(`sample workers failed (${error.message}); writing on one thread`);
    await writeInstances(jobs);
  }
}

/** Empties a series folder unless it holds `count` files written by this generator; true when emptied. */
async function clearUnlessCurrent(folder: string, count: number, stamp: string): Promise<boolean> {
  await mkdir(folder, { recursive: true });
  const names = await readdir(folder);
  const existing = names.filter((name) => name.endsWith('.dcm'));
  const previousStamp = await readFile(join(folder, STAMP_FILE), 'utf8').catch(() => '');
  if (existing.length === count && previousStamp.trim() === stamp) return false;
  const stale = names.filter((name) => name.endsWith('.dcm') || name.endsWith('.partial') || name === STAMP_FILE);
  await Promise.all(stale.map((name) => rm(join(folder, name))));
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? '.cache/samples';
  const studies = await generateSampleStudies(outDir, console.log);
  for (const study of studies) {
    console.log(`${study.accessionNumber}: ${study.series.map((s) => `${s.folder} (${s.instanceCount}${s.written ? '' : ', kept'})`).join(', ')}`);
  }
}
