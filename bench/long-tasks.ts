/**
 * What the filmless page's long main-thread tasks after the first image are (issue 11, P4): loads the
 * filmless bench page alone (load mode, no limit or peer page), records a Chromium trace of each load,
 * and prints every main-thread task of 50 ms or more that started after the `first-image` mark, with
 * what ran in it (module evaluations, timers, animation frames, events, garbage collection) and the
 * source files (through the build's source maps) and functions that took its time.
 *
 *   npx tsx bench/long-tasks.ts [--series raw,jpegls] [--samples 1] [--build <folder>] [--min 50]
 *
 * Without --build it builds src/ with the repo's vite.config.ts, not minified and with source maps, into
 * a private folder (never dist/): names and line numbers then point at the sources; evaluation costs
 * are those of the same code. The bench pages are built into a private folder too. Uses the bench's
 * Orthanc and gateway (bench/pacs.ts) on free ports, so it can run beside `npm run bench`, which it
 * would slow down: run it alone when the numbers matter.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { launchFresh } from './browser.js';
import { ensureBenchData, type SeriesName } from './generate-ct.js';
import { BENCH_TOKEN, spawnBenchPacs } from './pacs.js';
import { configToQuery, SIGNAL_BINDING, type Signal } from './pages/protocol.js';
import { startStaticServer } from './static-server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: 'raw' },
    samples: { type: 'string', default: '1' },
    build: { type: 'string' },
    min: { type: 'string', default: '50' },
    top: { type: 'string', default: '8' },
    /** List only tasks whose main-thread CPU time (not wall time) is --min ms or more: on a busy machine most long tasks are waits. */
    cpu: { type: 'boolean', default: false },
    /** Keep each trace (JSON, loadable in DevTools' Performance panel) in this folder. */
    keep: { type: 'string' },
    /** Only summarise a kept trace (its build folder with --build). */
    trace: { type: 'string' },
  },
});
const MIN_MS = Number(args.min);
const TOP = Number(args.top);

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of an X event, µs: far below dur when the machine kept the thread waiting. */
  tdur?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: { name?: string; data?: Record<string, unknown> & { url?: string; functionName?: string } };
}
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

const CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'blink.user_timing',
  'disabled-by-default-v8.cpu_profiler',
  '__metadata',
].join(',');

// The source-map reader the test runner's coverage brings (not a dependency of ours): without it, time is
// attributed to built chunks only.
const mapping = await import('@jridgewell/trace-mapping').catch(() => undefined);
type TraceMap = InstanceType<NonNullable<typeof mapping>['TraceMap']>;

/** Source maps of the built chunks, by URL, loaded when first needed. */
const maps = new Map<string, TraceMap | undefined>();
function sourceOf(frame: CallFrame, distFolder: string, distUrl: string): string {
  frame = { ...frame, url: frame.url ?? '', lineNumber: frame.lineNumber ?? 0, columnNumber: frame.columnNumber ?? 0 };
  if (!frame.url.startsWith(distUrl)) return frame.url ? path.basename(frame.url.split('?')[0]!) : `(${frame.functionName || 'native'})`;
  const file = path.join(distFolder, frame.url.slice(distUrl.length).split('?')[0]!);
  if (!maps.has(file)) maps.set(file, mapping && existsSync(`${file}.map`) ? new mapping.TraceMap(readFileSync(`${file}.map`, 'utf8')) : undefined);
  const map = maps.get(file);
  const chunk = path.basename(file);
  if (!map || !mapping) return chunk;
  const position = mapping.originalPositionFor(map, { line: frame.lineNumber + 1, column: Math.max(0, frame.columnNumber) });
  if (!position.source) return chunk;
  return position.source.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, '');
}

/** A package (or src/ folder) name from a source path, to group by. */
function packageOf(source: string): string {
  const parts = source.split('/');
  if (parts[0] === 'src') return parts.slice(0, 2).join('/');
  if (parts[0]?.startsWith('@')) return parts.slice(0, 2).join('/') + (parts[2] === 'dist' || parts[2] === 'build' ? '' : '');
  return parts[0] ?? source;
}

/** Finer than a package for the big ones: vtk.js and Cornerstone by their top folders. */
function areaOf(source: string): string {
  const vtk = source.match(/^@kitware\/vtk\.js\/(\w+\/\w+)/);
  if (vtk) return `vtk.js/${vtk[1]}`;
  const cs = source.match(/^@cornerstonejs\/(\w[\w-]*)\/dist\/esm\/(\w+)/);
  if (cs) return `@cornerstonejs/${cs[1]}/${cs[2]}`;
  return packageOf(source);
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0)} ms ${k}`)
    .join('; ');

function describe(event: TraceEvent): string {
  const mojo = (event.args as { chrome_mojo_event_info?: { mojo_interface_tag?: string } } | undefined)?.chrome_mojo_event_info?.mojo_interface_tag;
  if (mojo) return `${event.name} ${mojo}`;
  const data = event.args?.data ?? {};
  const url = typeof data.url === 'string' ? path.basename(data.url.split('?')[0]!) : '';
  const fn = typeof data.functionName === 'string' && data.functionName ? data.functionName : '';
  const type = typeof data.type === 'string' ? data.type : '';
  return [event.name, type, fn, url].filter(Boolean).join(' ');
}

function summarise(events: TraceEvent[], distFolder: string, distUrl: string): string[] {
  const mark = events.find((e) => e.name === 'first-image' && e.cat.includes('blink.user_timing'));
  const navigation = events.find((e) => e.name === 'navigationStart' && e.cat.includes('blink.user_timing') && String((e.args?.data as { documentLoaderURL?: string } | undefined)?.documentLoaderURL ?? '').includes('filmless.html'));
  if (!mark) return ['no first-image mark in the trace'];
  const main = events.find((e) => e.name === 'thread_name' && e.pid === mark.pid && e.args?.name === 'CrRendererMain');
  const onMain = events.filter((e) => e.pid === mark.pid && e.tid === (main?.tid ?? mark.tid) && e.ph === 'X' && e.dur !== undefined);
  const origin = navigation?.ts ?? mark.ts;
  const ms = (ts: number) => ((ts - origin) / 1000).toFixed(0);
  const tasks = onMain.filter((e) => e.name === 'RunTask' && e.ts >= mark.ts && (args.cpu ? (e.tdur ?? 0) : e.dur!) >= MIN_MS * 1000).sort((a, b) => a.ts - b.ts);

  // The sampled CPU profile of the renderer's main thread (trace ProfileChunk events).
  const profile = events.find((e) => e.name === 'Profile' && e.pid === mark.pid && e.tid === (main?.tid ?? mark.tid));
  const nodes = new Map<number, { frame: CallFrame; parent?: number }>();
  const samples: Array<[number, number]> = [];
  if (profile) {
    let time = Number((profile.args?.data as { startTime?: number }).startTime);
    for (const chunk of events.filter((e) => e.name === 'ProfileChunk' && e.id === profile.id && e.pid === profile.pid)) {
      const data = chunk.args!.data as { cpuProfile?: { nodes?: Array<{ id: number; callFrame: CallFrame; parent?: number }>; samples?: number[] }; timeDeltas?: number[] };
      for (const node of data.cpuProfile?.nodes ?? []) nodes.set(node.id, { frame: node.callFrame, parent: node.parent });
      const ids = data.cpuProfile?.samples ?? [];
      ids.forEach((id, i) => {
        time += data.timeDeltas?.[i] ?? 0;
        samples.push([time, id]);
      });
    }
  }

  /** Profile samples between two trace times: sampled time by source file, area and function. */
  const attribute = (from: number, to: number) => {
    const bySource = new Map<string, number>();
    const byArea = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let previous = from;
    for (const [time, id] of samples) {
      if (time < from || time > to) continue;
      const delta = (time - previous) / 1000;
      previous = time;
      const node = nodes.get(id);
      if (!node) continue;
      const source = sourceOf(node.frame, distFolder, distUrl);
      add(bySource, source, delta);
      add(byArea, areaOf(source), delta);
      add(byFunction, `${node.frame.functionName || '(top level)'} ${source}`, delta);
    }
    return { bySource, byArea, byFunction };
  };

  const lines = [`first image at ${ms(mark.ts)} ms`];
  // Every module evaluation from the first image on (the Cornerstone part's import steps), long or not.
  for (const evaluation of onMain.filter((e) => e.name === 'v8.evaluateModule' && e.ts >= mark.ts && e.dur! >= 1000)) {
    const { byArea } = attribute(evaluation.ts, evaluation.ts + evaluation.dur!);
    lines.push(`module evaluation at ${ms(evaluation.ts)} ms: ${(evaluation.dur! / 1000).toFixed(0)} ms (CPU ${((evaluation.tdur ?? 0) / 1000).toFixed(0)}): ${top(byArea, TOP)}`);
  }
  lines.push(`${tasks.length} main-thread tasks of ${MIN_MS} ms or more${args.cpu ? ' of CPU time' : ''} after the first image`);
  for (const task of tasks) {
    const end = task.ts + task.dur!;
    lines.push(`- at ${ms(task.ts)} ms: ${(task.dur! / 1000).toFixed(0)} ms (main thread CPU ${((task.tdur ?? 0) / 1000).toFixed(0)} ms)`);
    const inside = onMain.filter((e) => e !== task && e.name !== 'ThreadControllerImpl::RunTask' && e.ts >= task.ts && e.ts + e.dur! <= end && e.dur! >= 2000);
    // What ran in it: the outermost events (not nested in another listed one) of 2 ms or more.
    const outer = inside.filter((e) => !inside.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur! >= e.ts + e.dur! && o.dur! > e.dur!));
    for (const e of outer.slice(0, 12)) lines.push(`    ${(e.dur! / 1000).toFixed(0).padStart(5)} ms (CPU ${((e.tdur ?? 0) / 1000).toFixed(0)})  ${describe(e)}`);
    const { bySource, byArea, byFunction } = attribute(task.ts, end);
    if (bySource.size > 0) {
      lines.push(`    by area: ${top(byArea, TOP)}`);
      lines.push(`    by file: ${top(bySource, TOP)}`);
      lines.push(`    by function: ${top(byFunction, TOP)}`);
    }
  }
  const all = onMain.filter((e) => e.name === 'RunTask' && e.ts >= mark.ts && e.dur! >= 50_000);
  const busy = all.filter((e) => (e.tdur ?? 0) >= 50_000);
  lines.push(`longest task after the first image: ${Math.max(0, ...all.map((e) => e.dur! / 1000)).toFixed(0)} ms; tasks over 50 ms: ${all.length}, of which ${busy.length} with 50 ms or more of main-thread CPU time (the others waited for a core)`);
  return lines;
}

async function main(): Promise<void> {
  if (args.trace) {
    const kept = JSON.parse(readFileSync(args.trace, 'utf8')) as { distUrl: string; traceEvents: TraceEvent[] };
    for (const line of summarise(kept.traceEvents, path.resolve(args.build ?? '.'), kept.distUrl)) console.log(line);
    return;
  }
  const work = await mkdtemp(path.join(tmpdir(), 'filmless-long-tasks-'));
  try {
    let distFolder = args.build ? path.resolve(args.build) : path.join(args.keep ?? work, 'dist');
    if (!args.build) {
      await build({ configFile: path.join(ROOT, 'vite.config.ts'), root: ROOT, logLevel: 'error', build: { outDir: distFolder, emptyOutDir: true, sourcemap: true, minify: false } });
    }
    distFolder = path.resolve(distFolder);
    const pagesFolder = path.join(work, 'pages');
    await build({ configFile: path.join(ROOT, 'bench/vite.bench.config.ts'), logLevel: 'error', build: { outDir: pagesFolder, emptyOutDir: true } });
    const names = args.series.split(',') as SeriesName[];
    const series = await ensureBenchData(path.join(ROOT, '.cache/bench/data'), () => undefined, names);
    const pages = await startStaticServer({ '/': pagesFolder, '/dist/': distFolder });
    const pacs = await spawnBenchPacs(series, pages.origin, (line) => console.log(line));
    try {
      for (const s of series) {
        for (let sample = 0; sample < Number(args.samples); sample++) {
          const browser = await launchFresh(`${pages.origin}/warm.html`);
          try {
            const cdp = await browser.context.newCDPSession(browser.page);
            let finished: () => void = () => undefined;
            const done = new Promise<void>((resolve) => (finished = resolve));
            await browser.context.exposeBinding(SIGNAL_BINDING, (_source, signal: Signal) => {
              if (signal === 'done') finished();
            });
            const events: TraceEvent[] = [];
            cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
            const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
            await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: CATEGORIES.split(','), excludedCategories: ['*'] } });
            const query = configToQuery({
              gateway: s.server === 'folder' ? pacs.folderGatewayUrl! : pacs.gatewayUrl,
              token: BENCH_TOKEN,
              accessionNumber: s.accessionNumber,
              studyInstanceUID: s.studyInstanceUID,
              seriesInstanceUID: s.seriesInstanceUID,
              instanceCount: s.instanceCount,
              transferSyntaxUID: s.transferSyntaxUID,
              priorStudyInstanceUID: '',
              mode: 'load',
              streamSteps: 0,
              streamMs: 4000,
              cachedSteps: 0,
            });
            await browser.page.goto(`${pages.origin}/filmless.html?${query}`, { waitUntil: 'commit' });
            await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('no result in 90 s')), 90_000))]);
            const result = (await browser.page.evaluate(() => window.__bench)) as { firstImage?: number; steps: Record<string, number>; longTasks?: Array<[number, number]>; error?: string };
            await cdp.send('Tracing.end');
            await complete;
            console.log(`\n## ${s.name}, sample ${sample}${result.error ? ` (error: ${result.error})` : ''}`);
            console.log(`steps: ${Object.entries(result.steps).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
            const longTasks = (result.longTasks ?? []).filter(([start]) => start >= (result.firstImage ?? Infinity));
            console.log(`Long Tasks API after the first image: ${longTasks.map(([start, d]) => `${d.toFixed(0)} ms at ${start.toFixed(0)}`).join(', ') || 'none'}`);
            if (args.keep) {
              mkdirSync(args.keep, { recursive: true });
              const file = path.join(args.keep, `filmless-${s.name}-${sample}.json`);
              writeFileSync(file, JSON.stringify({ distUrl: `${pages.origin}/dist/`, traceEvents: events }));
              console.log(`trace: ${file}`);
            }
            for (const line of summarise(events, distFolder, `${pages.origin}/dist/`)) console.log(line);
          } finally {
            await browser.close();
          }
        }
      }
    } finally {
      await pacs.stop();
      await pages.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
