/**
 * Decides which folder of DICOM files the demo serves, in the order a newcomer expects: the folder
 * they named; else the project's shared test data beside the repository; else sample studies
 * generated on the spot, so `npm start` shows images on a machine with no PACS and no data.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { generateSampleStudies } from './sample-studies.js';

export type DataFolderChoice =
  /** Named on the command line or in FILMLESS_DATA: used as is, even when empty. */
  | { kind: 'named'; folder: string; namedBy: 'argument' | 'FILMLESS_DATA' }
  /** `../shared/dicom`, the test data every developer of the project has. */
  | { kind: 'shared'; folder: string }
  /** The project's sample studies (head CT and its prior, brain MR, chest CT), written to a cache folder. */
  | { kind: 'samples'; folder: string };

export interface DataFolderCandidates {
  /** The first command-line argument, if any. */
  argument?: string;
  /** The FILMLESS_DATA environment variable, if set. */
  env?: string;
  sharedFolder: string;
  samplesFolder: string;
  /** `--samples`: show the generated studies even when shared data exists. */
  preferSamples?: boolean;
}

/** Thrown when the named folder cannot be served; the message is meant for the person who named it. */
export class DataFolderError extends Error {}

export function chooseDataFolder(candidates: DataFolderCandidates): DataFolderChoice {
  if (candidates.argument) return { kind: 'named', folder: candidates.argument, namedBy: 'argument' };
  if (candidates.env) return { kind: 'named', folder: candidates.env, namedBy: 'FILMLESS_DATA' };
  if (!candidates.preferSamples && existsSync(candidates.sharedFolder)) {
    return { kind: 'shared', folder: candidates.sharedFolder };
  }
  return { kind: 'samples', folder: candidates.samplesFolder };
}

/**
 * Makes the chosen folder ready to index: writes the sample studies (kept between runs, so only the
 * first start pays for it), or checks that a named folder exists. A mistyped path must stop the
 * demo rather than quietly show other data.
 */
export async function prepareDataFolder(
  choice: DataFolderChoice,
  log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  if (choice.kind === 'samples') {
    // Prints how long the first generation took; a kept cache prints nothing.
    await generateSampleStudies(choice.folder, log);
    return;
  }
  const info = await stat(choice.folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    const by = choice.kind === 'named' && choice.namedBy === 'FILMLESS_DATA' ? ' (from FILMLESS_DATA)' : '';
    throw new DataFolderError(`${choice.folder}${by} is not a folder.`);
  }
}

/** One line for the console and the demo page: which folder, and why that one. */
export function describeDataFolder(choice: DataFolderChoice): string {
  switch (choice.kind) {
    case 'named':
      return `folder ${choice.folder} (from ${choice.namedBy === 'argument' ? 'the command line' : 'FILMLESS_DATA'})`;
    case 'shared':
      return `the project's shared test data in ${choice.folder}`;
    case 'samples':
      return `the generated sample studies in ${choice.folder}`;
  }
}
