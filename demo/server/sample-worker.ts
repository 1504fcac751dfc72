/**
 * A worker thread of ./sample-studies.ts: writes the instances it is given, so the sample studies
 * are generated on every core.
 */
import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { sampleStudies, type NaturalizedDataset } from './sample-datasets.js';

/** One series' share of a worker: which instances to write into which folder. */
export interface SampleJob {
  readonly studyIndex: number;
  readonly seriesIndex: number;
  readonly folder: string;
  readonly instanceNumbers: readonly number[];
}

interface DcmjsWriter {
  data: { datasetToBuffer(dataset: NaturalizedDataset): Buffer };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsWriter;

/** Writes each instance as a hidden file, then renames it: an interrupted run leaves no truncated `.dcm`. */
export async function writeInstances(jobs: readonly SampleJob[]): Promise<void> {
  const studies = sampleStudies();
  for (const job of jobs) {
    const series = studies[job.studyIndex].series[job.seriesIndex];
    for (const instanceNumber of job.instanceNumbers) {
      const partial = join(job.folder, `.${instanceNumber}.dcm.partial`);
      await writeFile(partial, dcmjs.data.datasetToBuffer(series.dataset(instanceNumber)));
      await rename(partial, join(job.folder, `${instanceNumber}.dcm`));
    }
  }
}

if (parentPort && (workerData as { sampleJobs?: SampleJob[] } | undefined)?.sampleJobs) {
  await writeInstances((workerData as { sampleJobs: SampleJob[] }).sampleJobs);
  parentPort.postMessage('done');
}
