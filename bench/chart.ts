/**
 * bench/results/timeline.png (the main series) and timeline-<series>.png (one per codec): one row per
 * page and series (the sample with the median first image): start-up until the first request to the
 * gateway, then the first image, then the rest of the series; ticks for the metadata and first frame
 * answers and for the tools working (P8); main-thread long tasks in red under the bar; below, the
 * page's gateway requests and its JS/WASM downloads. Drawn as SVG and screenshotted in headless
 * Chromium, no chart library.
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.js';
import type { Summary, TimelineRow } from './metrics.js';

const WIDTH = 1280;
const LEFT = 235;
const RIGHT = 40;
const ROW = 74;
const TOP = 112;

const COLOURS = {
  startup: '#b8c0cc',
  toFirst: '#3b82f6',
  series: '#22c55e',
  request: '#f59e0b',
  script: '#a855f7',
  tick: '#111827',
  longTask: '#dc2626',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

function niceStep(span: number): number {
  const raw = span / 10;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? raw;
}

export function timelineSvg(summary: Summary, series?: readonly string[]): string {
  const rows = summary.timeline.filter((r) => !series || series.includes(r.series));
  const end = Math.max(1000, ...rows.map((r) => r.seriesReady ?? r.firstImage ?? 0)) * 1.04;
  const x = (ms: number) => LEFT + (Math.max(0, ms) / end) * (WIDTH - LEFT - RIGHT);
  const height = TOP + rows.length * ROW + 40;
  const parts: string[] = [];
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="20" y="30" font-size="18" font-weight="600">Filmless bench: from navigation start to the whole series (median sample per page)</text>`);
  const legend: Array<[string, string]> = [
    [COLOURS.startup, 'HTML, JS, start-up (until the first request to the gateway)'],
    [COLOURS.toFirst, 'requests → first image on screen'],
    [COLOURS.series, 'rest of the series (every frame decoded, drawable)'],
    [COLOURS.request, 'gateway requests'],
    [COLOURS.script, 'JS / WASM downloads'],
    [COLOURS.longTask, 'main-thread long tasks (over 50 ms)'],
  ];
  legend.forEach(([colour, text], i) => {
    const lx = 20 + (i % 3) * 420;
    const ly = 46 + Math.floor(i / 3) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="14" height="10" fill="${colour}"/><text x="${lx + 18}" y="${ly + 9}" font-size="12">${escape(text)}</text>`);
  });
  parts.push(
    `<text x="20" y="92" font-size="12" fill="#374151">▼ metadata answer   ▽ first frame answer   | first image drawn (the bar ends when it is on screen)   ◆ tools working (P8)</text>`,
  );
  const step = niceStep(end);
  for (let t = 0; t <= end; t += step) {
    parts.push(`<line x1="${x(t)}" y1="${TOP - 8}" x2="${x(t)}" y2="${height - 30}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${x(t)}" y="${height - 14}" font-size="11" text-anchor="middle" fill="#6b7280">${seconds(t)}</text>`);
  }
  rows.forEach((row: TimelineRow, i) => {
    const y = TOP + i * ROW;
    const label = `${row.page} · ${summary.series.find((s) => s.name === row.series)?.label ?? row.series}`;
    parts.push(`<text x="20" y="${y + 18}" font-size="13" font-weight="600">${escape(label)}</text>`);
    const firstRequest = row.firstRequest ?? 0;
    const firstImage = row.firstImage ?? firstRequest;
    parts.push(`<rect x="${x(0)}" y="${y + 4}" width="${x(firstRequest) - x(0)}" height="20" fill="${COLOURS.startup}"/>`);
    parts.push(`<rect x="${x(firstRequest)}" y="${y + 4}" width="${Math.max(1, x(firstImage) - x(firstRequest))}" height="20" fill="${COLOURS.toFirst}"/>`);
    if (row.seriesReady !== undefined) {
      parts.push(`<rect x="${x(firstImage)}" y="${y + 4}" width="${Math.max(1, x(row.seriesReady) - x(firstImage))}" height="20" fill="${COLOURS.series}"/>`);
      parts.push(`<text x="${x(row.seriesReady) + 4}" y="${y + 19}" font-size="11">${seconds(row.seriesReady)}</text>`);
    }
    parts.push(`<text x="${x(firstImage) - 4}" y="${y + 19}" font-size="11" fill="#fff" text-anchor="end" font-weight="600">${seconds(firstImage)}</text>`);
    if (row.metadata !== undefined) parts.push(`<text x="${x(row.metadata)}" y="${y + 3}" font-size="10" text-anchor="middle">▼</text>`);
    if (row.firstFrame !== undefined) parts.push(`<text x="${x(row.firstFrame)}" y="${y + 3}" font-size="10" text-anchor="middle">▽</text>`);
    if (row.firstImageDrawn !== undefined) {
      parts.push(`<line x1="${x(row.firstImageDrawn)}" y1="${y + 2}" x2="${x(row.firstImageDrawn)}" y2="${y + 26}" stroke="${COLOURS.tick}" stroke-width="1.5"/>`);
    }
    if (row.interactive !== undefined) {
      parts.push(`<text x="${x(row.interactive)}" y="${y + 18}" font-size="12" text-anchor="middle" fill="${COLOURS.tick}">◆</text>`);
    }
    for (const [start, duration] of row.longTasks ?? []) {
      parts.push(`<rect x="${x(start)}" y="${y + 25}" width="${Math.max(1, x(start + duration) - x(start))}" height="4" fill="${COLOURS.longTask}"/>`);
    }
    // Requests (up to 6 lanes) and downloads under the bar.
    row.requests.forEach(([start, stop], k) => {
      const lane = k % 6;
      parts.push(`<line x1="${x(start)}" y1="${y + 30 + lane * 3}" x2="${Math.max(x(start) + 1, x(stop))}" y2="${y + 30 + lane * 3}" stroke="${COLOURS.request}" stroke-width="2"/>`);
    });
    row.scripts.forEach(([start, stop], k) => {
      const lane = k % 4;
      parts.push(`<line x1="${x(start)}" y1="${y + 52 + lane * 3}" x2="${Math.max(x(start) + 1, x(stop))}" y2="${y + 52 + lane * 3}" stroke="${COLOURS.script}" stroke-width="2"/>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif">${parts.join('')}</svg>`;
}

/** Draws one chart per entry: file → the series it shows. */
export async function drawTimelines(summary: Summary, charts: Record<string, readonly string[]>): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 400 }, deviceScaleFactor: 1 });
    for (const [file, series] of Object.entries(charts)) {
      if (!summary.timeline.some((r) => series.includes(r.series))) continue;
      await page.setContent(`<!doctype html><html><body style="margin:0">${timelineSvg(summary, series)}</body></html>`);
      await page.locator('svg').screenshot({ path: file });
    }
  } finally {
    await browser.close();
  }
}
