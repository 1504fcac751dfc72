/**
 * The browser runner's reporter for `npm test`: quiet on success, exact on failure.
 *
 * - Writes every browser log line (Lit's dev-mode notice, timings the tests print) to
 *   `.cache/test-logs/browser-console.log`, not to the terminal.
 * - Writes `.cache/test-logs/browser-summary.json`: per group, the tests passed, failed and skipped,
 *   the skipped ones of real-data suites counted apart, and the files that could not run.
 * - Writes `.cache/test-logs/browser-failures.txt`: each failed test or file with its error.
 *
 * scripts/test.sh turns these into one line per group and the closing summary line.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestResultError, TestSession, TestSuiteResult } from '@web/test-runner-core';
import { REAL_DATA_MARK } from './real-data-mark.js';
import { readEngineSkipMark } from './engine-skip-mark.js';

export interface GroupSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Of `skipped`, tests in suites that need ../shared/dicom. */
  skippedRealData: number;
  /** Test files that failed to load or run at all (each also counted in `failed`). */
  brokenFiles: string[];
  /** Of `skipped`, tests marked not to run on this engine (engines.ts' skipOn): "engine: reason" and how many. */
  skippedOnEngine: Record<string, number>;
}

/** An assertion's message, expected and actual, then where it failed. */
function describeError(error: TestResultError | undefined): string {
  if (!error) return 'failed';
  const lines = [error.message];
  if (error.expected !== undefined || error.actual !== undefined) lines.push(`expected: ${error.expected}`, `actual:   ${error.actual}`);
  if (error.stack) lines.push(...error.stack.split('\n').filter((line) => !line.includes(error.message)).slice(0, 6));
  return lines.join('\n  ');
}

export function summaryReporter(folder: string): Reporter {
  mkdirSync(folder, { recursive: true });
  const consoleLog = path.join(folder, 'browser-console.log');
  const failuresFile = path.join(folder, 'browser-failures.txt');
  writeFileSync(consoleLog, '');
  writeFileSync(failuresFile, '');
  const groups = new Map<string, GroupSummary>();

  const groupOf = (session: TestSession) => {
    const name = session.group?.name ?? 'default';
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { passed: 0, failed: 0, skipped: 0, skippedRealData: 0, brokenFiles: [], skippedOnEngine: {} }));
    return group;
  };

  const count = (suite: TestSuiteResult, trail: string[], group: GroupSummary, file: string, realData: boolean) => {
    for (const test of suite.tests) {
      const name = [...trail, test.name].join(' › ');
      if (test.skipped) {
        group.skipped++;
        const onEngine = readEngineSkipMark(name);
        if (onEngine) {
          const why = `${onEngine.engine}: ${onEngine.reason}`;
          group.skippedOnEngine[why] = (group.skippedOnEngine[why] ?? 0) + 1;
        } else if (realData) group.skippedRealData++;
      } else if (test.passed) {
        group.passed++;
      } else {
        group.failed++;
        appendFileSync(failuresFile, `✗ ${file}\n  ${name}\n  ${describeError(test.error)}\n\n`);
      }
    }
    for (const child of suite.suites) count(child, [...trail, child.name], group, file, realData || child.name.includes(REAL_DATA_MARK));
  };

  return {
    reportTestFileResults({ sessionsForTestFile, testFile }) {
      const file = path.relative(process.cwd(), testFile);
      for (const session of sessionsForTestFile) {
        for (const log of session.logs) appendFileSync(consoleLog, `[${file}] ${log.map(String).join(' ')}\n`);
        const group = groupOf(session);
        if (session.testResults) count(session.testResults, [], group, file, false);
        // A file that could not load, or threw outside any test: a failure of its own, never silence.
        if (session.errors.length > 0 || (!session.passed && !session.testResults)) {
          group.failed++;
          group.brokenFiles.push(file);
          const errors = session.errors.map((e) => e.stack ?? e.message).join('\n  ') || 'the file did not run';
          appendFileSync(failuresFile, `✗ ${file} (the file itself)\n  ${errors}\n\n`);
        }
      }
    },
    onTestRunFinished() {
      writeFileSync(path.join(folder, 'browser-summary.json'), JSON.stringify(Object.fromEntries(groups), null, 2));
    },
  };
}
