/**
 * From raw samples to the metrics P1–P10 (defined in bench/README.md): per page and series the median,
 * min and max over the samples, the ratios filmless ÷ peer and filmless ÷ limit, and each target of
 * issue 11's table with met / not met. Also the median sample's milestones per page, for the timeline
 * charts.
 */
import { JPEG_BASELINE, type BenchSeries, type SeriesName } from './generate-ct.js';
import { PAGE_NAMES, type PageName, type ScrollResult } from './pages/protocol.js';
import type { RawSample } from './sample.js';

export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface MetricRow {
  id: string;
  label: string;
  unit: string;
  series: SeriesName;
  /** Whether a smaller value is better (for reading ratios). */
  lowerIsBetter: boolean;
  values: Partial<Record<PageName, Stat>>;
  /** filmless ÷ peer and filmless ÷ limit, of the medians. */
  vsPeer?: number;
  vsLimit?: number;
  target?: { text: string; met: boolean | undefined };
}

export interface TimelineRow {
  page: PageName;
  series: SeriesName;
  /** ms since navigation start, from the sample with the median first image. */
  firstRequest?: number;
  metadata?: number;
  firstFrame?: number;
  firstImageDrawn?: number;
  firstImage?: number;
  seriesReady?: number;
  /** Tools working (filmless: `filmless-ready`), ms since navigation start. */
  interactive?: number;
  /** Main-thread long tasks: [start, duration] ms. */
  longTasks: Array<[number, number]>;
  /** Requests to the gateway: [start, end] ms. */
  requests: Array<[number, number]>;
  /** JS and WASM served to the page: [start, end] ms since navigation start. */
  scripts: Array<[number, number]>;
}

export interface Summary {
  environment: Record<string, unknown>;
  series: Array<Pick<BenchSeries, 'name' | 'label' | 'accessionNumber' | 'instanceCount' | 'bytes' | 'transferSyntaxUID' | 'server'>>;
  rows: MetricRow[];
  timeline: TimelineRow[];
  /** Extra facts per page and series (CPU breakdown, memory, request counts), medians. */
  details: Array<{ page: PageName; series: SeriesName; facts: Record<string, number> }>;
  /** The first-image path cut into steps (median ms of each step over the load samples). */
  firstImagePath: Array<{ page: PageName; series: SeriesName; steps: Record<string, number> }>;
  errors: string[];
}

/** Raw voxel bytes of a bench series: 300 × 512 × 512 × 2 (× 1 for the 8-bit JPEG baseline series). */
const voxelBytes = (series: SeriesName, all: BenchSeries[]) =>
  300 * 512 * 512 * (all.find((s) => s.name === series)?.transferSyntaxUID === JPEG_BASELINE ? 1 : 2);
/** Bench instrumentation every page loads alike; not counted as the viewer's JavaScript. */
const BENCH_CHUNKS = /\/assets\/(harness|modulepreload-polyfill)-[^/]+\.js$/;

function stat(values: number[]): Stat | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

function gaps(scroll: ScrollResult): number[] {
  return scroll.frames.slice(1).map((t, i) => t - scroll.frames[i]!);
}

/** Slice changes drawn per second over the run. */
function slicesPerSecond(scroll: ScrollResult): number {
  const seconds = (scroll.frames.at(-1)! - scroll.frames[0]!) / 1000;
  return seconds > 0 ? scroll.renders / seconds : NaN;
}

/** Bytes of files served to the page whose request started before its first image. */
function bytesBeforeFirstImage(sample: RawSample, match: (path: string) => boolean): number {
  const firstImage = sample.result.timeOrigin + (sample.result.firstImage ?? Infinity);
  return sample.served.filter((f) => match(f.path) && f.start <= firstImage).reduce((sum, f) => sum + f.bytes, 0);
}

const isScript = (path: string) => path.endsWith('.js') && !BENCH_CHUNKS.test(path);
const isWasm = (path: string) => path.endsWith('.wasm');

interface MetricSpec {
  id: string;
  label: string;
  unit: string;
  lowerIsBetter: boolean;
  mode: 'load' | 'scroll' | 'phone' | 'compare';
  /** Series it is measured on (default: all). */
  only?: SeriesName;
  /** Series its target is judged on (default: all it is measured on). */
  judgedOn?: SeriesName;
  value: (sample: RawSample, context: SpecContext) => number | undefined;
  target?: (values: Partial<Record<PageName, Stat>>, context: SpecContext) => { text: string; met: boolean | undefined };
}

interface SpecContext {
  cores: number;
  series: SeriesName;
  all: BenchSeries[];
  /** Median filmless P1 per series (load samples), for P8 and P9. */
  filmlessP1: Partial<Record<SeriesName, number>>;
  /** Bytes of the middle instance's file per series (about its frame's bytes on the wire), for P10. */
  middleBytes: Partial<Record<SeriesName, number>>;
}

const ms = (v: number | undefined) => v;

function ratioTarget(limitFactor: number, peerFactor: number) {
  return (v: Partial<Record<PageName, Stat>>) => {
    const f = v.filmless?.median;
    const l = v.limit?.median;
    const p = v.peer?.median;
    const met = f === undefined || l === undefined || p === undefined ? undefined : f <= limitFactor * l && f * peerFactor <= p;
    return { text: `≤ ${limitFactor}× limit and ≥ ${peerFactor}× faster than peer`, met };
  };
}

/** The longest main-thread task that started after the first image was on screen, ms (0: none over 50 ms). */
function longestTaskAfterFirstImage(sample: RawSample): number | undefined {
  const { firstImage, longTasks } = sample.result;
  if (firstImage === undefined || !longTasks) return undefined;
  return Math.max(0, ...longTasks.filter(([start]) => start >= firstImage).map(([, duration]) => duration));
}

/** P10 link: 1.6 Mbit/s down, in bytes per ms. */
const PHONE_BYTES_PER_MS = 1.6e6 / 8 / 1000;

const atMost = (bound: number, unit: string) => (v: Partial<Record<PageName, Stat>>) => ({
  text: `≤ ${bound} ${unit}`,
  met: v.filmless ? v.filmless.median <= bound : undefined,
});

const SPECS: MetricSpec[] = [
  {
    id: 'P1',
    label: 'first image (navigation start → middle slice on screen)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => ms(s.result.firstImage),
    target: ratioTarget(1.2, 3),
  },
  {
    id: 'P2',
    label: 'full series ready (first image → every frame decoded and drawable)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => (s.result.seriesReady !== undefined && s.result.firstImage !== undefined ? s.result.seriesReady - s.result.firstImage : undefined),
    target: ratioTarget(1.3, 3),
  },
  {
    id: 'P3',
    label: 'cached scroll: slices drawn per second',
    unit: 'slices/s',
    lowerIsBetter: false,
    mode: 'load',
    only: 'raw',
    value: (s) => (s.result.cachedScroll ? slicesPerSecond(s.result.cachedScroll) : undefined),
    target: (v) => ({ text: '≥ 58 slices/s', met: v.filmless ? v.filmless.median >= 58 : undefined }),
  },
  {
    id: 'P3',
    label: 'cached scroll: p95 gap between frames',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    only: 'raw',
    value: (s) => (s.result.cachedScroll ? percentile(gaps(s.result.cachedScroll), 0.95) : undefined),
    target: atMost(20, 'ms'),
  },
  {
    id: 'P4',
    label: 'scroll while streaming: p95 gap between frames',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'scroll',
    value: (s) => (s.result.streamScroll && s.result.streamScroll.steps > 0 ? percentile(gaps(s.result.streamScroll), 0.95) : undefined),
    target: atMost(20, 'ms'),
  },
  {
    id: 'P4',
    label: 'scroll while streaming: worst gap between frames',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'scroll',
    value: (s) => (s.result.streamScroll && s.result.streamScroll.steps > 0 ? Math.max(...gaps(s.result.streamScroll)) : undefined),
    target: atMost(50, 'ms'),
  },
  {
    id: 'P5',
    label: 'JavaScript transferred before the first image (gzip)',
    unit: 'KB',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => bytesBeforeFirstImage(s, isScript) / 1000,
    target: atMost(60, 'KB'),
  },
  {
    id: 'P5',
    label: 'codec WASM transferred before the first image (gzip)',
    unit: 'KB',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => bytesBeforeFirstImage(s, isWasm) / 1000,
  },
  {
    id: 'P6',
    label: 'JS heap after load ÷ raw voxel bytes',
    unit: '×',
    lowerIsBetter: true,
    mode: 'load',
    value: (s, c) => (s.heap ? (s.heap.usedSize + s.heap.backingStorageSize) / voxelBytes(s.series, c.all) : undefined),
    target: atMost(1.1, '×'),
  },
  {
    id: 'P7',
    label: 'decode throughput: frames per second during P2',
    unit: 'frames/s',
    lowerIsBetter: false,
    mode: 'load',
    value: (s) => {
      const { seriesReady, firstImage, total } = s.result;
      return seriesReady !== undefined && firstImage !== undefined ? ((total - 1) * 1000) / (seriesReady - firstImage) : undefined;
    },
  },
  {
    id: 'P7',
    label: 'decode throughput per core: frames per CPU-second of the page (renderer + workers)',
    unit: 'frames/CPU-s',
    lowerIsBetter: false,
    mode: 'load',
    value: (s) => {
      const renderer = s.cpu.series?.byProcess.renderer;
      return renderer ? (s.result.total - 1) / renderer : undefined;
    },
  },
  {
    id: 'P7',
    label: 'decode worker threads busy ≥ 25% of P2',
    unit: 'threads',
    lowerIsBetter: false,
    mode: 'load',
    judgedOn: 'jpegls',
    value: (s) => s.cpu.series?.busyWorkers,
    target: (v, { cores }) => ({ text: `all cores (${cores})`, met: v.filmless ? v.filmless.median >= cores : undefined }),
  },
  {
    id: 'P7',
    label: 'cores used by the browser during P2 (CPU-s ÷ s)',
    unit: 'cores',
    lowerIsBetter: false,
    mode: 'load',
    value: (s) => (s.cpu.series ? s.cpu.series.chromiumSeconds / s.cpu.series.wallSeconds : undefined),
  },
  {
    id: 'P4',
    label: 'longest main-thread task after the first image (Long Tasks API; 0 = none over 50 ms)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    value: longestTaskAfterFirstImage,
    target: atMost(50, 'ms'),
  },
  {
    id: 'P4',
    label: 'longest main-thread task after the first image, scroll samples',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'scroll',
    value: longestTaskAfterFirstImage,
    target: atMost(50, 'ms'),
  },
  {
    id: 'P8',
    label: 'time to interactive (navigation start → tools working; limit and peer: their first image)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => (s.page === 'filmless' ? s.result.steps.interactive : s.result.firstImage),
    target: (v, c) => {
      const p1 = c.filmlessP1[c.series];
      const f = v.filmless?.median;
      return { text: `≤ 1.5× P1 of the same page${p1 ? ` (${(1.5 * p1).toFixed(0)} ms)` : ''}`, met: f === undefined || p1 === undefined ? undefined : f <= 1.5 * p1 };
    },
  },
  {
    id: 'P9',
    label: `comparing: Compare pressed → the prior's first image (prior: the JPEG-LS study)`,
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'compare',
    value: (s) => difference(s, 'compare', 'prior-first-image'),
    target: (v, c) => {
      const p1 = c.filmlessP1.jpegls;
      const f = v.filmless?.median;
      return { text: `≤ 1.2× P1 of the prior's series${p1 ? ` (${(1.2 * p1).toFixed(0)} ms)` : ''}`, met: f === undefined || p1 === undefined ? undefined : f <= 1.2 * p1 };
    },
  },
  {
    id: 'P9',
    label: `comparing: Compare pressed → the prior's tools working (filmless-ready of viewport 1)`,
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'compare',
    value: (s) => difference(s, 'compare', 'prior-ready'),
  },
  {
    id: 'P10',
    label: 'phone (1.6 Mbit/s, 150 ms RTT, CPU ÷ 4, 360×640): first useful image (filmless: its preview when it shows one, else the first image; limit: its first image)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'phone',
    value: (s) => Math.min(s.result.steps.preview ?? Infinity, s.result.firstImage ?? Infinity),
    target: atMost(1000, 'ms'),
  },
  {
    id: 'P10',
    label: 'phone: first image at full quality',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'phone',
    value: (s) => s.result.firstImage,
    target: (v, c) => {
      const bytes = c.middleBytes[c.series];
      const bound = bytes === undefined ? undefined : (1.3 * bytes) / PHONE_BYTES_PER_MS;
      const f = v.filmless?.median;
      return {
        text: `≤ 1.3× middle slice bytes ÷ bandwidth${bound ? ` (${bound.toFixed(0)} ms)` : ''}`,
        met: f === undefined || bound === undefined ? undefined : f <= bound,
      };
    },
  },
  {
    id: 'P10',
    label: 'phone: tools working (filmless-ready; limit: its first image)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'phone',
    value: (s) => (s.page === 'filmless' ? s.result.steps.interactive : s.result.firstImage),
    target: atMost(8000, 'ms'),
  },
  {
    id: 'P10',
    label: 'phone: bytes moved until then (every request of the page and its workers)',
    unit: 'KB',
    lowerIsBetter: true,
    mode: 'phone',
    value: (s) => (s.bytesMoved === undefined ? undefined : s.bytesMoved / 1000),
  },
];

/** ms between two of the page's steps. */
function difference(sample: RawSample, from: string, to: string): number | undefined {
  const a = sample.result.steps[from];
  const b = sample.result.steps[to];
  return a === undefined || b === undefined ? undefined : b - a;
}

function timelineOf(sample: RawSample, gateways: string[]): TimelineRow {
  const r = sample.result;
  const gatewayRequests = r.resources.filter((e) => gateways.some((g) => e.url.startsWith(g))).sort((a, b) => a.start - b.start);
  const first = (part: string) => gatewayRequests.find((e) => e.url.includes(part));
  const relative = (epoch: number) => epoch - r.timeOrigin;
  return {
    page: sample.page,
    series: sample.series,
    firstRequest: gatewayRequests[0]?.start,
    metadata: first('/metadata')?.end,
    firstFrame: first('/frames/')?.end,
    firstImageDrawn: r.firstImageDrawn,
    firstImage: r.firstImage,
    seriesReady: r.seriesReady,
    interactive: sample.page === 'filmless' ? r.steps.interactive : undefined,
    // Whole milliseconds: the chart needs no more, and latest.json stays small.
    longTasks: (r.longTasks ?? []).map(([start, duration]) => [Math.round(start), Math.round(duration)]),
    requests: gatewayRequests.map((e) => [Math.round(e.start), Math.round(e.end)]),
    scripts: sample.served.filter((f) => isScript(f.path) || isWasm(f.path)).map((f) => [Math.round(relative(f.start)), Math.round(relative(f.end))]),
  };
}

/**
 * Median duration of each step to the first image: start-up (navigation → first request to the
 * gateway), requests until the metadata is in (filmless: QIDO too), metadata → first frame requested,
 * the frame request, frame in → pixels drawn (decode, upload, render), drawn → on screen.
 */
function pathSteps(loads: RawSample[], gateways: string[]): Record<string, number> {
  const steps = loads.map((sample) => {
    const r = sample.result;
    const requests = r.resources.filter((e) => gateways.some((g) => e.url.startsWith(g))).sort((a, b) => a.start - b.start);
    const metadata = requests.find((e) => e.url.includes('/metadata'));
    const frame = requests.find((e) => e.url.includes('/frames/'));
    const drawn = r.firstImageDrawn ?? NaN;
    return {
      'start-up: navigation → first request': requests[0]?.start ?? NaN,
      'first request → metadata in': (metadata?.end ?? NaN) - (requests[0]?.start ?? NaN),
      'metadata in → first frame requested': (frame?.start ?? NaN) - (metadata?.end ?? NaN),
      'first frame request': (frame?.end ?? NaN) - (frame?.start ?? NaN),
      'frame in → pixels drawn': drawn - (frame?.end ?? NaN),
      'drawn → on screen': (r.firstImage ?? NaN) - drawn,
      'P1 first image': r.firstImage ?? NaN,
    };
  });
  const names = Object.keys(steps[0] ?? {});
  return Object.fromEntries(names.map((name) => [name, stat(steps.map((s) => s[name as keyof (typeof steps)[number]]))?.median ?? NaN]));
}

export function summarize(raw: RawSample[], series: BenchSeries[], environment: Record<string, unknown>, gateways: string[] = [], middleBytes: Partial<Record<SeriesName, number>> = {}): Summary {
  const cores = Number(environment.cores) || 1;
  const rows: MetricRow[] = [];
  const errors = raw.filter((s) => s.result.error).map((s) => `${s.page}/${s.series}/${s.mode} sample ${s.sample}: ${s.result.error}`);
  const ok = raw.filter((s) => !s.result.error);
  const filmlessP1: SpecContext['filmlessP1'] = {};
  for (const s of series) {
    const p1 = stat(ok.filter((x) => x.page === 'filmless' && x.series === s.name && x.mode === 'load').flatMap((x) => x.result.firstImage ?? []));
    if (p1) filmlessP1[s.name] = p1.median;
  }
  for (const spec of SPECS) {
    for (const s of series) {
      if (spec.only && spec.only !== s.name) continue;
      const context: SpecContext = { cores, series: s.name, all: series, filmlessP1, middleBytes };
      const values: Partial<Record<PageName, Stat>> = {};
      for (const page of PAGE_NAMES) {
        const samples = ok.filter((x) => x.page === page && x.series === s.name && x.mode === spec.mode);
        const result = stat(samples.map((x) => spec.value(x, context)).filter((v): v is number => v !== undefined));
        if (result) values[page] = result;
      }
      // A row no page measured on this series (P9 and P10 run on some series only) is left out.
      if (Object.keys(values).length === 0) continue;
      const f = values.filmless?.median;
      const ratio = (other: number | undefined) => (f !== undefined && other ? f / other : undefined);
      rows.push({
        id: spec.id,
        label: spec.label,
        unit: spec.unit,
        series: s.name,
        lowerIsBetter: spec.lowerIsBetter,
        values,
        vsPeer: ratio(values.peer?.median),
        vsLimit: ratio(values.limit?.median),
        target: !spec.judgedOn || spec.judgedOn === s.name ? spec.target?.(values, context) : undefined,
      });
    }
  }

  const timeline: TimelineRow[] = [];
  const details: Summary['details'] = [];
  const firstImagePath: Summary['firstImagePath'] = [];
  for (const s of series) {
    for (const page of PAGE_NAMES) {
      const loads = ok.filter((x) => x.page === page && x.series === s.name && x.mode === 'load' && x.result.firstImage !== undefined);
      if (loads.length === 0) continue;
      const byFirst = [...loads].sort((a, b) => a.result.firstImage! - b.result.firstImage!);
      timeline.push(timelineOf(byFirst[(byFirst.length - 1) >> 1]!, gateways));
      const median = (pick: (x: RawSample) => number | undefined) => stat(loads.map(pick).filter((v): v is number => v !== undefined))?.median ?? NaN;
      const thread = (x: RawSample, match: RegExp) =>
        Object.entries(x.cpu.series?.byThread ?? {}).reduce((sum, [name, seconds]) => (match.test(name) ? sum + seconds : sum), 0);
      firstImagePath.push({ page, series: s.name, steps: pathSteps(loads, gateways) });
      details.push({
        page,
        series: s.name,
        facts: {
          'P2 CPU-s: renderer main thread': median((x) => thread(x, /^renderer\/(chromium|CrRendererMain)/)),
          'P2 CPU-s: decode workers': median((x) => thread(x, /^renderer\/DedicatedWorker/)),
          'P2 CPU-s: GPU process': median((x) => x.cpu.series?.byProcess['gpu-process']),
          'P2 CPU-s: browser + network': median((x) => (x.cpu.series?.byProcess.browser ?? 0) + (x.cpu.series?.byProcess['utility:network'] ?? 0)),
          'P2 CPU-s: server (gateway + Orthanc)': median((x) => x.cpu.series?.serverSeconds),
          'renderer RSS after load, MB': median((x) => (x.rss?.renderer ?? NaN) / 1e6),
          'GPU process RSS after load, MB': median((x) => (x.rss?.['gpu-process'] ?? NaN) / 1e6),
          'image area, CSS px (width × height ÷ 1000)': median((x) => (x.result.viewport ? (x.result.viewport.width * x.result.viewport.height) / 1000 : undefined)),
          "requests to the gateway (the page's own; its workers' are not seen)": median((x) => x.result.resources.filter((e) => gateways.some((g) => e.url.startsWith(g))).length),
          'JS before the first image per CDP (page target only, with headers), KB': median((x) => {
            const firstImage = x.result.timeOrigin + (x.result.firstImage ?? Infinity);
            return (x.network ?? []).filter((n) => isScript(new URL(n.url).pathname) && n.start <= firstImage).reduce((a, n) => a + n.bytes, 0) / 1000;
          }),
          'JS + WASM transferred in the whole load, KB': median((x) => x.served.filter((f) => isScript(f.path) || isWasm(f.path)).reduce((a, f) => a + f.bytes, 0) / 1000),
          'machine busy before the sample (other programs), %': median((x) => x.background * 100),
          'runner delay answering a page signal (CPU snapshot), ms': median((x) => x.signalLagMs),
        },
      });
    }
  }
  return {
    environment,
    series: series.map(({ name, label, accessionNumber, instanceCount, bytes, transferSyntaxUID, server }) => ({ name, label, accessionNumber, instanceCount, bytes, transferSyntaxUID, server })),
    rows,
    timeline,
    details,
    firstImagePath,
    errors,
  };
}
