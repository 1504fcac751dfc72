/**
 * From raw samples to the metrics P1–P7 (defined in bench/README.md): per page and series the median,
 * min and max over the samples, the ratios filmless ÷ peer and filmless ÷ limit, and each target with
 * met / not met. Also the median sample's milestones per page, for the timeline chart.
 */
import type { BenchSeries, SeriesName } from './generate-ct.js';
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
  /** Requests to the gateway: [start, end] ms. */
  requests: Array<[number, number]>;
  /** JS and WASM served to the page: [start, end] ms since navigation start. */
  scripts: Array<[number, number]>;
}

export interface Summary {
  environment: Record<string, unknown>;
  series: Array<Pick<BenchSeries, 'name' | 'label' | 'accessionNumber' | 'instanceCount' | 'bytes' | 'transferSyntaxUID'>>;
  rows: MetricRow[];
  timeline: TimelineRow[];
  /** Extra facts per page and series (CPU breakdown, memory, request counts), medians. */
  details: Array<{ page: PageName; series: SeriesName; facts: Record<string, number> }>;
  /** The first-image path cut into steps (median ms of each step over the load samples). */
  firstImagePath: Array<{ page: PageName; series: SeriesName; steps: Record<string, number> }>;
  errors: string[];
}

/** Raw voxel bytes of the bench series: 300 × 512 × 512 × 2. */
const VOXEL_BYTES = 300 * 512 * 512 * 2;
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
  mode: 'load' | 'scroll';
  /** Series it is measured on (default: all). */
  only?: SeriesName;
  /** Series its target is judged on (default: all it is measured on). */
  judgedOn?: SeriesName;
  value: (sample: RawSample) => number | undefined;
  target?: (values: Partial<Record<PageName, Stat>>, cores: number) => { text: string; met: boolean | undefined };
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
    target: ratioTarget(1.5, 3),
  },
  {
    id: 'P2',
    label: 'full series ready (first image → every frame decoded and drawable)',
    unit: 'ms',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => (s.result.seriesReady !== undefined && s.result.firstImage !== undefined ? s.result.seriesReady - s.result.firstImage : undefined),
    target: ratioTarget(1.4, 2.5),
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
    target: atMost(33, 'ms'),
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
    target: atMost(150, 'KB'),
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
    label: 'JS heap after load ÷ raw voxel bytes (157 MB)',
    unit: '×',
    lowerIsBetter: true,
    mode: 'load',
    value: (s) => (s.heap ? (s.heap.usedSize + s.heap.backingStorageSize) / VOXEL_BYTES : undefined),
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
    target: (v, cores) => ({ text: `all cores (${cores})`, met: v.filmless ? v.filmless.median >= cores : undefined }),
  },
  {
    id: 'P7',
    label: 'cores used by the browser during P2 (CPU-s ÷ s)',
    unit: 'cores',
    lowerIsBetter: false,
    mode: 'load',
    value: (s) => (s.cpu.series ? s.cpu.series.chromiumSeconds / s.cpu.series.wallSeconds : undefined),
  },
];

function timelineOf(sample: RawSample, gateway: string): TimelineRow {
  const r = sample.result;
  const gatewayRequests = r.resources.filter((e) => e.url.startsWith(gateway)).sort((a, b) => a.start - b.start);
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
    requests: gatewayRequests.map((e) => [e.start, e.end]),
    scripts: sample.served.filter((f) => isScript(f.path) || isWasm(f.path)).map((f) => [relative(f.start), relative(f.end)]),
  };
}

/**
 * Median duration of each step to the first image: start-up (navigation → first request to the
 * gateway), requests until the metadata is in (filmless: QIDO too), metadata → first frame requested,
 * the frame request, frame in → pixels drawn (decode, upload, render), drawn → on screen.
 */
function pathSteps(loads: RawSample[], gateway: string): Record<string, number> {
  const steps = loads.map((sample) => {
    const r = sample.result;
    const requests = r.resources.filter((e) => e.url.startsWith(gateway)).sort((a, b) => a.start - b.start);
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

export function summarize(raw: RawSample[], series: BenchSeries[], environment: Record<string, unknown>, gateway = ''): Summary {
  const cores = Number(environment.cores) || 1;
  const rows: MetricRow[] = [];
  const errors = raw.filter((s) => s.result.error).map((s) => `${s.page}/${s.series}/${s.mode} sample ${s.sample}: ${s.result.error}`);
  const ok = raw.filter((s) => !s.result.error);
  for (const spec of SPECS) {
    for (const s of series) {
      if (spec.only && spec.only !== s.name) continue;
      const values: Partial<Record<PageName, Stat>> = {};
      for (const page of PAGE_NAMES) {
        const samples = ok.filter((x) => x.page === page && x.series === s.name && x.mode === spec.mode);
        const result = stat(samples.map(spec.value).filter((v): v is number => v !== undefined));
        if (result) values[page] = result;
      }
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
        target: !spec.judgedOn || spec.judgedOn === s.name ? spec.target?.(values, cores) : undefined,
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
      timeline.push(timelineOf(byFirst[(byFirst.length - 1) >> 1]!, gateway));
      const median = (pick: (x: RawSample) => number | undefined) => stat(loads.map(pick).filter((v): v is number => v !== undefined))?.median ?? NaN;
      const thread = (x: RawSample, match: RegExp) =>
        Object.entries(x.cpu.series?.byThread ?? {}).reduce((sum, [name, seconds]) => (match.test(name) ? sum + seconds : sum), 0);
      firstImagePath.push({ page, series: s.name, steps: pathSteps(loads, gateway) });
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
          'requests to the gateway': median((x) => x.result.resources.filter((e) => e.url.startsWith(gateway)).length),
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
    series: series.map(({ name, label, accessionNumber, instanceCount, bytes, transferSyntaxUID }) => ({ name, label, accessionNumber, instanceCount, bytes, transferSyntaxUID })),
    rows,
    timeline,
    details,
    firstImagePath,
    errors,
  };
}
