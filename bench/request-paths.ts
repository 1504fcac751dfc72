/**
 * `npx tsx bench/request-paths.ts`: how long each way of getting the middle slice's pixels and what is
 * needed to draw them takes on the bench's Orthanc (the numbers behind the limit page's request path,
 * bench/README.md "The limit's request path"). Straight to Orthanc on loopback (no gateway, no
 * browser), one request at a time, median of `--repeat` rounds, each request in every round.
 *
 * Writes bench/results/request-paths.md.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startOrthanc, uploadFolder } from '../test/support/orthanc.js';
import { ensureBenchData, type SeriesName } from './generate-ct.js';

const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '15' }, series: { type: 'string', default: 'raw,jpegls' } } });
const ROOT = path.resolve(import.meta.dirname, '..');
const repeat = Math.max(3, Number(args.repeat) || 15);
const names = args.series.split(',') as SeriesName[];

const series = await ensureBenchData(path.join(ROOT, '.cache/bench/data'), console.log, names);
const orthanc = await startOrthanc('filmless-bench-paths');
const lines: string[] = [];
try {
  for (const s of series.filter((x) => x.server === 'orthanc')) await uploadFolder(orthanc, s.folder);
  lines.push(
    '# Request paths to the middle slice on the bench Orthanc',
    '',
    `${new Date().toISOString()} · Orthanc on loopback, no gateway · median (min–max) of ${repeat} rounds, ms · \`npx tsx bench/request-paths.ts\``,
    '',
  );
  for (const s of series.filter((x) => x.server === 'orthanc')) {
    const root = `${orthanc.dicomwebUrl}/studies/${s.studyInstanceUID}/series/${s.seriesInstanceUID}`;
    const middle = Math.floor((s.instanceCount - 1) / 2) + 1;
    const find = async (query: string) => {
      const answer = (await (await fetch(`${root}/instances?${query}`, { headers: { Accept: 'application/dicom+json' } })).json()) as Array<Record<string, { Value?: string[] }>>;
      return answer[0]?.['00080018']?.Value?.[0] ?? '';
    };
    const sop = await find(`InstanceNumber=${middle}`);
    const instance = `${root}/instances/${sop}`;
    const get = async (url: string, accept: string) => {
      const response = await fetch(url, { headers: { Accept: accept } });
      const bytes = (await response.arrayBuffer()).byteLength;
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return bytes;
    };
    const ways: Array<[string, () => Promise<number>]> = [
      ['QIDO-RS: the instance by InstanceNumber', () => get(`${root}/instances?InstanceNumber=${middle}`, 'application/dicom+json')],
      [
        'QIDO-RS: the instance by InstanceNumber with the pixel attributes (includefield)',
        () => get(`${root}/instances?InstanceNumber=${middle}&includefield=00280010,00280011,00280100,00280101,00280103,00281050,00281051,00281052,00281053`, 'application/dicom+json'),
      ],
      ['WADO-RS: that instance\'s metadata', () => get(`${instance}/metadata`, 'application/dicom+json')],
      ['WADO-RS: its frame 1 as stored', () => get(`${instance}/frames/1`, 'multipart/related; type="application/octet-stream"; transfer-syntax=*')],
      ['WADO-RS: metadata and frame in parallel', async () => (await Promise.all([get(`${instance}/metadata`, 'application/dicom+json'), get(`${instance}/frames/1`, 'multipart/related; type="application/octet-stream"; transfer-syntax=*')])).reduce((a, b) => a + b)],
      ['WADO-RS: the whole instance (Part-10, as stored)', () => get(instance, 'multipart/related; type="application/dicom"; transfer-syntax=*')],
      ['WADO-RS: rendered frame (JPEG, full size)', () => get(`${instance}/frames/1/rendered`, 'image/jpeg')],
      ['WADO-RS: the series metadata (what the old limit waited for)', () => get(`${root}/metadata`, 'application/dicom+json')],
    ];
    const times = new Map<string, number[]>(ways.map(([name]) => [name, []]));
    const sizes = new Map<string, number>();
    for (let round = 0; round < repeat; round++) {
      for (const [name, run] of ways) {
        const started = performance.now();
        sizes.set(name, await run());
        times.get(name)!.push(performance.now() - started);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    lines.push(`## ${s.label} (${s.instanceCount} instances)`, '', '| request | ms | bytes |', '|---|---:|---:|');
    for (const [name] of ways) {
      const values = times.get(name)!;
      lines.push(`| ${name} | ${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}) | ${sizes.get(name)!.toLocaleString('en')} |`);
    }
    lines.push('');
  }
} finally {
  await orthanc.stop();
}
await writeFile(path.join(ROOT, 'bench/results/request-paths.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
