/**
 * Writes the run's summary as bench/results/latest.json (everything) and latest.md (tables: median and
 * min–max per page, filmless ÷ peer, filmless ÷ limit, targets met or not).
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

export function renderMarkdown(summary: Summary): string {
  const env = summary.environment;
  const lines: string[] = [
    '# Filmless bench: latest run',
    '',
    `${String(env.date ?? '')} · ${String(env.cores)} cores (${String(env.cpu)}) · Chromium ${String(env.chromium ?? '')} with SwiftShader · ` +
      `${String(env.samples)} samples per page, series and mode, pages interleaved · median (min–max).`,
    `Filmless measured: dist/ built ${String(env.filmlessBuilt ?? '?')} from ${String(env.commit ?? '?')}.`,
    'Definitions: bench/README.md. Chart: timeline.png (the median sample of each page).',
    '',
    '| series | accession | instances | on disk |',
    '|---|---|---:|---:|',
    ...summary.series.map((s) => `| ${s.label} (${s.transferSyntaxUID}) | ${s.accessionNumber} | ${s.instanceCount} | ${(s.bytes / 1e6).toFixed(1)} MB |`),
    '',
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
  await writeFile(path.join(folder, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path.join(folder, 'latest.md'), `${renderMarkdown(summary)}\n`);
}
