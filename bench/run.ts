/**
 * `npm run bench`: builds what it needs, starts Orthanc + the gateway and the pages' origin, runs the
 * three pages interleaved on both series in fresh browsers, and writes bench/results/latest.{json,md}
 * and timeline.png. See bench/README.md for what is measured and how.
 *
 *   npm run bench -- --samples 7            more samples (default 5)
 *   npm run bench -- --series raw           one series only (raw, jpegls)
 *   npm run bench -- --report-only          rebuild the report from the last run's raw samples
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CHROMIUM_PATH } from './browser.js';
import { buildPages, ensureFilmlessBuild, snapshotDist } from './build-pages.js';
import { drawTimeline } from './chart.js';
import { ensureBenchData, type BenchSeries, type SeriesName } from './generate-ct.js';
import { summarize } from './metrics.js';
import { spawnBenchPacs, type BenchPacs } from './pacs.js';
import { PAGE_NAMES, type Mode, type PageName } from './pages/protocol.js';
import { writeReport } from './report.js';
import { runSample, type RawSample } from './sample.js';
import { startStaticServer } from './static-server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, '.cache/bench');
const RAW_FILE = path.join(CACHE, 'raw-samples.json');
const RESULTS = path.join(ROOT, 'bench/results');
/** P4 scrolls while the series streams, for at most this long (most of every page's streaming is in it). */
const STREAM_MS = 4000;

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '5' },
    series: { type: 'string', default: 'raw,jpegls' },
    steps: { type: 'string', default: '300' },
    'report-only': { type: 'boolean', default: false },
  },
});

const started = performance.now();
const log = (line: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

interface Measured {
  raw: RawSample[];
  /** Samples that produced no result at all (the page never reported back). */
  failures: string[];
  series: BenchSeries[];
  gatewayUrl: string;
  environment: Record<string, unknown>;
}

interface Load {
  page: PageName;
  series: BenchSeries;
  mode: Mode;
}

/**
 * One round: for each mode and series, the three pages in an order that rotates every round. `load`
 * samples give P1, P2, P5, P6, P7 and (uncompressed series) P3; `scroll` samples give P4.
 */
function roundPlan(round: number, series: BenchSeries[]): Load[] {
  const order = PAGE_NAMES.map((_, i) => PAGE_NAMES[(i + round) % PAGE_NAMES.length]!);
  const plan: Load[] = [];
  for (const mode of ['load', 'scroll'] as const) {
    for (const s of series) for (const page of order) plan.push({ page, series: s, mode });
  }
  return plan;
}

let pacs: BenchPacs | undefined;

async function measure(samples: number, seriesNames: SeriesName[], steps: number): Promise<Measured> {
  if (await ensureFilmlessBuild(ROOT)) log('built Filmless (dist/ was older than src/)');
  const distCopy = path.join(CACHE, 'filmless-dist');
  await snapshotDist(ROOT, distCopy);
  const filmlessBuilt = (await stat(path.join(ROOT, 'dist/filmless-viewer.js'))).mtime.toISOString();
  const pagesDir = await buildPages(ROOT);
  log('bench pages built');
  const series = (await ensureBenchData(path.join(CACHE, 'data'), log)).filter((s) => seriesNames.includes(s.name));
  const pages = await startStaticServer({ '/': pagesDir, '/dist/': distCopy });
  pacs = await spawnBenchPacs(series, pages.origin, log);
  log(`pages on ${pages.origin}, gateway on ${pacs.gatewayUrl}`);
  const raw: RawSample[] = [];
  const failures: string[] = [];
  const shots = path.join(CACHE, 'shots');
  await mkdir(shots, { recursive: true });
  const common = { pages, gatewayUrl: pacs.gatewayUrl, serverPid: pacs.pid, streamSteps: steps, streamMs: STREAM_MS };
  try {
    // Discarded loads warm Orthanc, the gateway and the file cache (every browser is fresh anyway).
    for (const s of series) await runSample({ ...common, page: 'limit', series: s, mode: 'load', sample: -1, cachedSteps: 0 });
    log('warm-up done');
    for (let round = 0; round < samples; round++) {
      for (const item of roundPlan(round, series)) {
        try {
          const sample = await runSample({
            ...common,
            ...item,
            sample: round,
            // The cached scroll is the same work whatever the transfer syntax was: measured on the uncompressed series.
            cachedSteps: item.series.name === 'raw' ? steps : 0,
            // The first round's load samples screenshot the first image once the series is in (costs no measured time).
            screenshot: round === 0 && item.mode === 'load' ? path.join(shots, `${item.page}-${item.series.name}.png`) : undefined,
          });
          if (sample.result.error) log(`${item.page}/${item.series.name}/${item.mode}: ${sample.result.error}`);
          raw.push(sample);
        } catch (error) {
          const failure = `${item.page}/${item.series.name}/${item.mode} sample ${round}: ${error instanceof Error ? error.message : String(error)}`;
          log(failure);
          failures.push(failure);
        }
      }
      log(`round ${round + 1} of ${samples} done`);
    }
  } finally {
    await pacs.stop();
    pacs = undefined;
    await pages.close();
  }
  const run = promisify(execFile);
  const { stdout: chromium } = await run(CHROMIUM_PATH, ['--version']).catch(() => ({ stdout: '' }));
  const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).catch(() => ({ stdout: '' }));
  const { stdout: changes } = await run('git', ['status', '--porcelain', 'src'], { cwd: ROOT }).catch(() => ({ stdout: '' }));
  const environment = {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    chromium: /[\d.]+/.exec(chromium)?.[0] ?? '',
    node: process.version,
    // What was measured: the commit, whether src/ had uncommitted changes, and when dist/ was built.
    commit: `${commit.trim()}${changes.trim() ? ' + uncommitted changes in src/' : ''}`,
    filmlessBuilt,
    samples,
    steps,
  };
  return { raw, failures, series, gatewayUrl: common.gatewayUrl, environment };
}

// Stop Orthanc and the gateway if the run is interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (pacs?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const samples = Math.max(1, Number(args.samples) || 5);
const steps = Math.max(10, Number(args.steps) || 300);
const seriesNames = args.series.split(',').map((s) => s.trim()) as SeriesName[];

let measured: Measured;
if (args['report-only']) {
  measured = JSON.parse(await readFile(RAW_FILE, 'utf8')) as Measured;
} else {
  measured = await measure(samples, seriesNames, steps);
  await writeFile(RAW_FILE, JSON.stringify(measured));
}
const summary = summarize(measured.raw, measured.series, measured.environment, measured.gatewayUrl);
summary.errors.push(...(measured.failures ?? []));
await mkdir(RESULTS, { recursive: true });
await writeReport(summary, RESULTS);
await drawTimeline(summary, path.join(RESULTS, 'timeline.png'));
log(`wrote ${path.relative(ROOT, RESULTS)}/latest.md, latest.json and timeline.png`);

// Teleconsultation latency (presenter scroll → follower drawn through the loopback relay): its own script,
// also `npm run bench:sync`; run here too so that one `npm run bench` reports every measurement.
if (!args['report-only']) {
  log('teleconsultation latency (bench/sync-latency.ts)');
  const latency = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/sync-latency.ts')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  process.stdout.write(latency.stdout);
}
