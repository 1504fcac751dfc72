/**
 * Writes the run's summary as bench/results/latest.json (everything) and latest.md: a headline table
 * (each codec's key metrics and targets, met or not), then a table per codec (median and min–max per
 * page, filmless ÷ peer, filmless ÷ limit, the target of issue 11 met or not), the first-image path and
 * where the time and memory go.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MetricRow, Stat, Summary } from './metrics.js';
import { PAGE_NAMES } from './pages/protocol.js';

function number(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === '×' || unit === 'cores') return value.toFixed(2);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function cell(stat: Stat | undefined, unit: string): string {
  if (!stat) return '–';
  return stat.n > 1 ? `${number(stat.median, unit)} (${number(stat.min, unit)}–${number(stat.max, unit)})` : number(stat.median, unit);
}

const ratio = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}`);
const met = (row: MetricRow) => (!row.target ? '' : row.target.met === undefined ? 'n/a' : row.target.met ? '**met**' : 'not met');

function table(rows: MetricRow[]): string[] {
  const lines = [
    `| metric | ${PAGE_NAMES.join(' | ')} | filmless ÷ peer | filmless ÷ limit | target (filmless) | |`,
    `|---|${PAGE_NAMES.map(() => '---:').join('|')}|---:|---:|---|---|`,
  ];
  for (const row of rows) {
    const values = PAGE_NAMES.map((page) => cell(row.values[page], row.unit));
    lines.push(`| ${row.id} ${row.label} (${row.unit}) | ${values.join(' | ')} | ${ratio(row.vsPeer)} | ${ratio(row.vsLimit)} | ${row.target?.text ?? ''} | ${met(row)} |`);
  }
  return lines;
}

/** The row of a metric on a series whose label starts with `label` (labels are unique per id and series). */
const rowOf = (summary: Summary, series: string, id: string, label = '') =>
  summary.rows.find((r) => r.series === series && r.id === id && r.label.startsWith(label));

/**
 * One line per codec: filmless's P1, P2, P8 and longest task with their ratios to the limit and the
 * peer, and whether each target is met.
 */
function headline(summary: Summary): string[] {
  const lines = [
    '## Headline: filmless against the limit and the peer, per codec',
    '',
    '| series | P1 ms (÷ limit, ÷ peer) | P2 ms (÷ limit, ÷ peer) | P8 ms | longest task after P1, ms | targets met |',
    '|---|---:|---:|---:|---:|---|',
  ];
  const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(0));
  for (const s of summary.series) {
    const p1 = rowOf(summary, s.name, 'P1');
    const p2 = rowOf(summary, s.name, 'P2');
    const p8 = rowOf(summary, s.name, 'P8');
    const task = rowOf(summary, s.name, 'P4', 'longest main-thread task after the first image (');
    const judged = [p1, p2, p8, task].filter((r) => r?.target && r.target.met !== undefined);
    const verdict = judged.map((r) => `${r!.id}${r!.label.startsWith('longest') ? ' task' : ''} ${r!.target!.met ? 'met' : 'not met'}`).join(', ');
    const withRatios = (r: MetricRow | undefined) => `${ms(r?.values.filmless?.median)} (${ratio(r?.vsLimit)}, ${ratio(r?.vsPeer)})`;
    lines.push(`| ${s.label} | ${withRatios(p1)} | ${withRatios(p2)} | ${ms(p8?.values.filmless?.median)} | ${ms(task?.values.filmless?.median)} | ${verdict} |`);
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(summary: Summary): string {
  const env = summary.environment;
  const lines: string[] = [
    '# Filmless bench: latest run',
    '',
    `${String(env.date ?? '')} · ${String(env.cores)} cores (${String(env.cpu)}) · Chromium ${String(env.chromium ?? '')} with SwiftShader · ` +
      `${String(env.samples)} rounds on uncompressed and JPEG-LS, ${String(env.extraSamples ?? env.samples)} on the other codecs, pages interleaved · median (min–max).`,
    `Filmless measured: built ${String(env.filmlessBuilt ?? '?')} from ${String(env.commit ?? '?')}.`,
    'Definitions: bench/README.md. Charts: timeline.png (uncompressed and JPEG-LS), timeline-<series>.png (each codec).',
    'The machine is shared with other work: compare pages within this run (ratios), not with other runs.',
    '',
    '| series | accession | served by | instances | on disk |',
    '|---|---|---|---:|---:|',
    ...summary.series.map(
      (s) =>
        `| ${s.label} (${s.transferSyntaxUID}) | ${s.accessionNumber} | ${s.server === 'folder' ? "the demo's folder source" : 'Orthanc'} | ${s.instanceCount} | ${(s.bytes / 1e6).toFixed(1)} MB |`,
    ),
    '',
    ...headline(summary),
  ];
  for (const s of summary.series) {
    lines.push(`## ${s.label}`, '', ...table(summary.rows.filter((r) => r.series === s.name)), '');
  }
  lines.push('## The first-image path (medians of the load samples, ms)', '');
  const stepNames = [...new Set(summary.firstImagePath.flatMap((p) => Object.keys(p.steps)))];
  const paths = summary.firstImagePath;
  lines.push(`| step | ${paths.map((p) => `${p.page} (${p.series})`).join(' | ')} |`, `|---|${paths.map(() => '---:').join('|')}|`);
  const whole = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(0));
  for (const step of stepNames) lines.push(`| ${step} | ${paths.map((p) => whole(p.steps[step])).join(' | ')} |`);
  lines.push('', 'Each step is its own median, so the steps need not add up to P1 exactly.', '');
  lines.push('## Where the time and memory go (medians of the load samples)', '');
  const facts = [...new Set(summary.details.flatMap((d) => Object.keys(d.facts)))];
  for (const s of summary.series) {
    const details = summary.details.filter((d) => d.series === s.name);
    lines.push(`### ${s.label}`, '', `| | ${details.map((d) => d.page).join(' | ')} |`, `|---|${details.map(() => '---:').join('|')}|`);
    for (const fact of facts) lines.push(`| ${fact} | ${details.map((d) => number(d.facts[fact] ?? NaN, '')).join(' | ')} |`);
    lines.push('');
  }
  if (summary.errors.length > 0) lines.push('## Failed samples', '', ...summary.errors.map((e) => `- ${e}`), '');
  return lines.join('\n');
}

export async function writeReport(summary: Summary, folder: string): Promise<void> {
  // Pairs of numbers ([start, end] in the timeline) on one line each, so the file stays short to read.
  const json = JSON.stringify(summary, null, 2).replace(/\[\s+(-?[\d.e+-]+),\s+(-?[\d.e+-]+)\s+\]/g, '[$1, $2]');
  await writeFile(path.join(folder, 'latest.json'), `${json}\n`);
  await writeFile(path.join(folder, 'latest.md'), `${renderMarkdown(summary)}\n`);
}
