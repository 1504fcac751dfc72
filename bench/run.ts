/**
 * `npm run bench`: builds what it needs, starts Orthanc + the gateway (and the demo's folder source for
 * HTJ2K) and the pages' origin, runs the three pages interleaved on every codec's series in fresh
 * browsers, and writes bench/results/latest.{json,md} and timeline.png. See bench/README.md for what is
 * measured and how.
 *
 *   npm run bench -- --samples 5            rounds on the main series (default 3)
 *   npm run bench -- --extra-samples 2      rounds on the other codecs (default 1; load samples only)
 *   npm run bench -- --extra-scroll         scroll samples (P4) on the other codecs too
 *   npm run bench -- --series raw,jpegls    some series only (raw, jpegls, jpegll, jpegbase, j2k, rle, htj2k)
 *   npm run bench -- --no-phone --no-compare   leave out P10 / P9
 *   npm run bench -- --modes load,compare   only these kinds of samples (load, scroll, phone, compare)
 *   npm run bench -- --report-only          rebuild the report from the last run's raw samples
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CHROMIUM_PATH } from './browser.js';
import { buildPages, ensureFilmlessBuild, snapshotDist } from './build-pages.js';
import { drawTimelines } from './chart.js';
import { ensureBenchData, fileName, SERIES_NAMES, type BenchSeries, type SeriesName } from './generate-ct.js';
import { summarize } from './metrics.js';
import { BENCH_TOKEN, spawnBenchPacs, type BenchPacs } from './pacs.js';
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
    samples: { type: 'string', default: '3' },
    'extra-samples': { type: 'string', default: '1' },
    series: { type: 'string', default: SERIES_NAMES.join(',') },
    'extra-scroll': { type: 'boolean', default: false },
    modes: { type: 'string', default: 'load,scroll,phone,compare' },
    'no-phone': { type: 'boolean', default: false },
    'no-compare': { type: 'boolean', default: false },
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
  /** DICOMweb roots the pages talked to (Orthanc's gateway, the folder source's). */
  gateways: string[];
  environment: Record<string, unknown>;
}

interface Load {
  page: PageName;
  series: BenchSeries;
  mode: Mode;
  /** compare mode: the study opened as the prior. */
  prior?: BenchSeries;
}

/** The series measured every round; the other codecs get `--extra-samples` rounds (the run stays short). */
const MAIN_SERIES: readonly SeriesName[] = ['raw', 'jpegls'];
/** P10 runs on these series, limit and filmless only (the target is filmless's own; the peer's 1 MB of code alone takes 5 s). */
const PHONE_SERIES: readonly SeriesName[] = ['raw', 'jpegls'];
const PHONE_PAGES: readonly PageName[] = ['limit', 'filmless'];
/** P9: the uncompressed study open, its JPEG-LS twin (same patient) compared as the prior. */
const COMPARE = { series: 'raw', prior: 'jpegls' } as const;

interface PlanOptions {
  /** Kinds of samples to take. */
  modes: readonly Mode[];
  extraRounds: number;
  /** Scroll samples (P4) on the other codecs too (default: load samples only, to keep the run short). */
  extraScroll: boolean;
  phone: boolean;
  compare: boolean;
}

/**
 * One round: for each mode and series, the three pages in an order that rotates every round. `load`
 * samples give P1, P2, P5, P6, P7, P8 and (uncompressed series) P3; `scroll` samples give P4. The
 * other codecs' series are in the first `extraRounds` rounds only; P10 (phone) and P9 (compare) in
 * the first round.
 */
function roundPlan(round: number, series: BenchSeries[], options: PlanOptions): Load[] {
  return fullRoundPlan(round, series, options).filter((load) => options.modes.includes(load.mode));
}

function fullRoundPlan(round: number, series: BenchSeries[], options: PlanOptions): Load[] {
  const order = PAGE_NAMES.map((_, i) => PAGE_NAMES[(i + round) % PAGE_NAMES.length]!);
  const inRound = (mode: Mode) =>
    series.filter((s) => MAIN_SERIES.includes(s.name) || (round < options.extraRounds && (mode === 'load' || options.extraScroll)));
  const plan: Load[] = [];
  for (const mode of ['load', 'scroll'] as const) {
    for (const s of inRound(mode)) for (const page of order) plan.push({ page, series: s, mode });
  }
  if (round === 0 && options.phone) {
    for (const s of series.filter((x) => PHONE_SERIES.includes(x.name))) {
      for (const page of order.filter((p) => PHONE_PAGES.includes(p))) plan.push({ page, series: s, mode: 'phone' });
    }
  }
  const compared = series.find((s) => s.name === COMPARE.series);
  const prior = series.find((s) => s.name === COMPARE.prior);
  if (round === 0 && options.compare && compared && prior) plan.push({ page: 'filmless', series: compared, mode: 'compare', prior });
  return plan;
}

let pacs: BenchPacs | undefined;

/** Reads a series' metadata and all its instances through the gateway, as a page would, and drops them. */
async function warmSeries(gateway: string, s: BenchSeries): Promise<void> {
  const root = `${gateway}/studies/${s.studyInstanceUID}/series/${s.seriesInstanceUID}`;
  const headers = { Authorization: `Bearer ${BENCH_TOKEN}` };
  for (const [url, accept] of [
    [`${root}/metadata`, 'application/dicom+json'],
    [root, 'multipart/related; type="application/dicom"; transfer-syntax=*'],
  ] as const) {
    const response = await fetch(url, { headers: { ...headers, Accept: accept } });
    if (!response.ok) throw new Error(`warm-up of ${s.name}: ${response.status} for ${url}`);
    await response.arrayBuffer();
  }
}

async function measure(samples: number, seriesNames: SeriesName[], steps: number, plan: PlanOptions): Promise<Measured> {
  const filmless = await ensureFilmlessBuild(ROOT);
  if (filmless.built) log(`built Filmless from src/ into ${path.relative(ROOT, filmless.folder)} (dist/ was older than src/)`);
  const distCopy = path.join(CACHE, 'filmless-dist');
  await snapshotDist(filmless.folder, distCopy);
  const filmlessBuilt = `${(await stat(path.join(filmless.folder, 'filmless-viewer.js'))).mtime.toISOString()} (${path.relative(ROOT, filmless.folder)})`;
  const pagesDir = await buildPages(ROOT);
  log('bench pages built');
  const series = await ensureBenchData(path.join(CACHE, 'data'), log, seriesNames);
  const pages = await startStaticServer({ '/': pagesDir, '/dist/': distCopy });
  pacs = await spawnBenchPacs(series, pages.origin, log);
  const gateways = [pacs.gatewayUrl, ...(pacs.folderGatewayUrl ? [pacs.folderGatewayUrl] : [])];
  log(`pages on ${pages.origin}, gateway on ${pacs.gatewayUrl}`);
  const raw: RawSample[] = [];
  const failures: string[] = [];
  const shots = path.join(CACHE, 'shots');
  await mkdir(shots, { recursive: true });
  const gatewayOf = (s: BenchSeries) => (s.server === 'folder' ? pacs!.folderGatewayUrl! : pacs!.gatewayUrl);
  const common = { pages, serverPid: pacs.pid, streamSteps: steps, streamMs: STREAM_MS };
  try {
    // Warm Orthanc, the gateway and the file cache (every browser is fresh anyway): one discarded limit
    // load of the first series, and each series read once through its gateway from here.
    await runSample({ ...common, gatewayUrl: gatewayOf(series[0]!), page: 'limit', series: series[0]!, mode: 'load', sample: -1, cachedSteps: 0 });
    for (const s of series) await warmSeries(gatewayOf(s), s);
    log('warm-up done');
    for (let round = 0; round < samples; round++) {
      for (const item of roundPlan(round, series, plan)) {
        try {
          const sample = await runSample({
            ...common,
            page: item.page,
            series: item.series,
            mode: item.mode,
            gatewayUrl: gatewayOf(item.series),
            priorStudyInstanceUID: item.prior?.studyInstanceUID,
            // Slow codecs on a busy machine can take a minute for the whole series.
            timeoutMs: item.mode === 'phone' ? 120_000 : 90_000,
            sample: round,
            // The cached scroll is the same work whatever the transfer syntax was: measured on the uncompressed series.
            cachedSteps: item.series.name === 'raw' ? steps : 0,
            // The first round's load samples screenshot the first image once the series is in (costs no measured time).
            screenshot: round === 0 && item.mode === 'load' ? path.join(shots, `${item.page}-${item.series.name}.png`) : undefined,
          });
          if (sample.result.error) log(`${item.page}/${item.series.name}/${item.mode}: ${sample.result.error}`);
          else if (process.env.FILMLESS_BENCH_VERBOSE) log(`${item.page}/${item.series.name}/${item.mode}: first image ${sample.result.firstImage?.toFixed(0)} ms`);
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
    extraSamples: plan.extraRounds,
    steps,
  };
  return { raw, failures, series, gateways, environment };
}

// Stop Orthanc and the gateway if the run is interrupted.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (pacs?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const samples = Math.max(1, Number(args.samples) || 3);
const plan: PlanOptions = {
  modes: args.modes.split(',').map((m) => m.trim()) as Mode[],
  extraRounds: Math.min(samples, Math.max(0, Number(args['extra-samples'] ?? 1))),
  extraScroll: args['extra-scroll'],
  phone: !args['no-phone'],
  compare: !args['no-compare'],
};
const steps = Math.max(10, Number(args.steps) || 300);
const seriesNames = args.series.split(',').map((s) => s.trim()) as SeriesName[];

let measured: Measured;
if (args['report-only']) {
  measured = JSON.parse(await readFile(RAW_FILE, 'utf8')) as Measured;
} else {
  measured = await measure(samples, seriesNames, steps, plan);
  await writeFile(RAW_FILE, JSON.stringify(measured));
}
// P10's bound: the middle slice's bytes (its file, about what its frame moves) ÷ the link's bandwidth.
const middleBytes: Partial<Record<SeriesName, number>> = {};
for (const s of measured.series) {
  middleBytes[s.name] = await stat(path.join(s.folder, fileName(Math.floor((s.instanceCount - 1) / 2)))).then((f) => f.size, () => undefined);
}
const summary = summarize(measured.raw, measured.series, measured.environment, measured.gateways, middleBytes);
summary.errors.push(...(measured.failures ?? []));
await mkdir(RESULTS, { recursive: true });
await writeReport(summary, RESULTS);
// timeline.png: the two main series side by side; timeline-<series>.png: one chart per codec.
const charts: Record<string, readonly string[]> = { [path.join(RESULTS, 'timeline.png')]: MAIN_SERIES };
for (const s of measured.series) charts[path.join(RESULTS, `timeline-${s.name}.png`)] = [s.name];
await drawTimelines(summary, charts);
log(`wrote ${path.relative(ROOT, RESULTS)}/latest.md, latest.json and the timeline charts`);

// Teleconsultation latency (presenter scroll → follower drawn through the loopback relay): its own script,
// also `npm run bench:sync`; run here too so that one `npm run bench` reports every measurement.
if (!args['report-only']) {
  log('teleconsultation latency (bench/sync-latency.ts)');
  try {
    const latency = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/sync-latency.ts')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    process.stdout.write(latency.stdout);
  } catch (error) {
    // It runs the element from src/ through Vite's dev server: a broken working tree stops it, not the page measurements.
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    log(`teleconsultation latency failed (results/sync-latency.* not updated): ${stderr.trim().split('\n').slice(-8).join(' | ')}`);
    process.exitCode = 1;
  }
}

// Gateway under load (latency p50/p99 and errors at a fixed rate, in memory and on Redis, two instances
// on one Redis): its own script, also `npm run bench:gateway`; run here too so that one `npm run bench`
// reports every measurement.
if (!args['report-only']) {
  log('gateway load (bench/gateway-load.ts)');
  try {
    const load = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/gateway-load.ts')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    process.stdout.write(load.stdout);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    log(`gateway load failed (results/gateway-load.* not updated): ${stderr.trim().split('\n').slice(-8).join(' | ')}`);
    process.exitCode = 1;
  }
}
