/**
 * What the runner and the bench pages say to each other: the page's configuration (query string), the
 * signals a page sends at each milestone (an exposed binding the runner answers), and the result object
 * the page leaves in `window.__bench`. Shared by Node and the browser; no imports.
 */

export const PAGE_NAMES = ['limit', 'peer', 'filmless'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/**
 * `load`: first image, then the whole series (heap and CPU measured at its end), then, when
 * `cachedSteps` > 0, a scroll over the cached series.
 * `scroll`: scroll from the first image on while the series streams, until it is ready (or
 * `streamSteps` are done, or `streamMs` have passed); nothing else.
 * `phone` (P10): the runner throttles the network and the CPU and shrinks the window to a phone's; the
 * page reports its first image and (filmless) the tools working, then stops.
 * `compare` (P9, filmless): first image, whole series, then the prior `priorStudyInstanceUID` opened
 * side by side through the public API; its first image and its tools working are reported.
 */
export type Mode = 'load' | 'scroll' | 'phone' | 'compare';
export const MODES: readonly Mode[] = ['load', 'scroll', 'phone', 'compare'];

export interface PageConfig {
  /** DICOMweb root of the gateway. */
  gateway: string;
  token: string;
  accessionNumber: string;
  /** limit and peer are told the series directly; filmless resolves the accession number itself. */
  studyInstanceUID: string;
  seriesInstanceUID: string;
  /** Instances in the series (what a QIDO-RS series search answers); the limit finds the middle one by number. */
  instanceCount: number;
  /** The series' transfer syntax: the limit loads its decoder while its first requests are in flight. */
  transferSyntaxUID: string;
  /** compare mode: the prior study to open beside the study. */
  priorStudyInstanceUID: string;
  mode: Mode;
  /** Most steps of the scroll while streaming (it ends earlier when the series is ready). */
  streamSteps: number;
  /** Longest scroll while streaming, ms (it ends earlier when the series is ready). */
  streamMs: number;
  /** Steps of the scroll over the cached series (0: none). */
  cachedSteps: number;
}

export function configToQuery(config: PageConfig): string {
  return new URLSearchParams(Object.entries(config).map(([k, v]) => [k, String(v)])).toString();
}

export function configFromQuery(search: string): PageConfig {
  const q = new URLSearchParams(search);
  const get = (name: keyof PageConfig) => q.get(name) ?? '';
  return {
    gateway: get('gateway'),
    token: get('token'),
    accessionNumber: get('accessionNumber'),
    studyInstanceUID: get('studyInstanceUID'),
    seriesInstanceUID: get('seriesInstanceUID'),
    instanceCount: Number(get('instanceCount')) || 0,
    transferSyntaxUID: get('transferSyntaxUID'),
    priorStudyInstanceUID: get('priorStudyInstanceUID'),
    mode: MODES.find((m) => m === get('mode')) ?? 'load',
    streamSteps: Number(get('streamSteps')) || 0,
    streamMs: Number(get('streamMs')) || 4000,
    cachedSteps: Number(get('cachedSteps')) || 0,
  };
}

/** Milestones a page announces; the runner samples CPU time (and heap, at series-ready) when it hears one. */
export type Signal = 'first-image' | 'series-ready' | 'stream-scroll-end' | 'cached-scroll-start' | 'cached-scroll-end' | 'done';
export const SIGNAL_BINDING = '__benchSignal';

export interface ScrollResult {
  /** Steps taken (one per animation frame). */
  steps: number;
  /** requestAnimationFrame timestamps (ms since navigation start), one per step plus the closing frame. */
  frames: number[];
  /** Slice changes the viewer drew during the scroll. */
  renders: number;
  /** Series frames loaded when the scroll started and when it ended. */
  loadedAtStart: number;
  loadedAtEnd: number;
}

/** A request the page made (Resource Timing), in ms since navigation start. */
export interface ResourceEntry {
  url: string;
  type: string;
  start: number;
  end: number;
}

export interface PageResult {
  page: PageName;
  mode: Mode;
  /** performance.timeOrigin: navigation start as epoch ms. */
  timeOrigin: number;
  /** ms since navigation start: the viewer reported the first image's pixels drawn. */
  firstImageDrawn?: number;
  /** ms since navigation start: the first animation frame after that (the image is on screen). */
  firstImage?: number;
  /** ms since navigation start: every frame decoded and drawable. */
  seriesReady?: number;
  /** Series frames decoded and drawable (the last count seen). */
  loaded: number;
  total: number;
  /** Scroll while the series streams (P4). */
  streamScroll?: ScrollResult;
  /** Scroll over the cached series (P3). */
  cachedScroll?: ScrollResult;
  /** CSS size of the drawn image area. */
  viewport?: { width: number; height: number };
  /** Navigation-relative milestones of the page's own steps, for the timeline (e.g. metadata received). */
  steps: Record<string, number>;
  /** The page's requests (not its workers'), in start order. */
  resources: ResourceEntry[];
  /** Main-thread tasks over 50 ms (Long Tasks API): [start, duration] in ms since navigation start. */
  longTasks: Array<[number, number]>;
  error?: string;
  done: boolean;
}

declare global {
  interface Window {
    __bench?: PageResult;
    __benchSignal?: (signal: Signal) => Promise<void>;
  }
}
