/**
 * Writes the project's own sample studies (synthetic CT and MR of a head phantom) as DICOM Part-10
 * files, so the demo has something to show on a machine with no PACS and no test data.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sampleStudies, type NaturalizedDataset, type SampleSeries } from './sample-datasets.js';

export { HEAD_PHANTOM, CT_HOUNSFIELD, MR_T1_SIGNAL } from './sample-phantom.js';

interface DcmjsWriter {
  data: { datasetToBuffer(dataset: NaturalizedDataset): Buffer };
}

// dcmjs ships no type declarations; load its CommonJS build and describe only what this file calls.
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsWriter;

export interface GeneratedSeries {
  /** Relative to the output folder, e.g. `sample-ct-head/2-axial-2.5mm`. */
  folder: string;
  instanceCount: number;
  /** False when the folder already held that many files and was left alone. */
  written: boolean;
}

export interface GeneratedStudy {
  accessionNumber: string;
  studyInstanceUID: string;
  series: GeneratedSeries[];
}

/**
 * Writes the sample CT (accession SAMPLE-CT-1: a localizer and 60 axial slices) and MR
 * (SAMPLE-MR-1: 24 sagittal slices) to `outDir/<study>/<series>/<InstanceNumber>.dcm`.
 * A series folder that already holds the expected number of `.dcm` files is kept as is; any
 * other is rewritten. Output is deterministic: same UIDs and bytes on every run.
 */
export async function generateSampleStudies(outDir: string): Promise<GeneratedStudy[]> {
  const generated: GeneratedStudy[] = [];
  for (const study of sampleStudies()) {
    const series: GeneratedSeries[] = [];
    for (const sampleSeries of study.series) {
      const folder = join(study.folder, sampleSeries.folder);
      const written = await writeSeriesUnlessPresent(join(outDir, folder), sampleSeries);
      series.push({ folder, instanceCount: sampleSeries.instanceCount, written });
    }
    generated.push({ accessionNumber: study.accessionNumber, studyInstanceUID: study.studyInstanceUID, series });
  }
  return generated;
}

async function writeSeriesUnlessPresent(folder: string, series: SampleSeries): Promise<boolean> {
  await mkdir(folder, { recursive: true });
  const existing = (await readdir(folder)).filter((name) => name.endsWith('.dcm'));
  if (existing.length === series.instanceCount) return false;

  const stale = (await readdir(folder)).filter((name) => name.endsWith('.dcm') || name.endsWith('.partial'));
  await Promise.all(stale.map((name) => rm(join(folder, name))));
  for (let instanceNumber = 1; instanceNumber <= series.instanceCount; instanceNumber++) {
    // Write a hidden file (the index skips dot files), then rename: an interrupted run never
    // leaves a truncated file that counts as done.
    const partial = join(folder, `.${instanceNumber}.dcm.partial`);
    await writeFile(partial, dcmjs.data.datasetToBuffer(series.dataset(instanceNumber)));
    await rename(partial, join(folder, `${instanceNumber}.dcm`));
  }
  return true;
}
