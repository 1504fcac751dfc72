/**
 * Summarises the CPU profiles written with FILMLESS_BENCH_PROFILE=<folder> npm run bench: self time per
 * function and per script, highest first, so the main thread's P2 time can be attributed.
 *
 *   npx tsx bench/profile-summary.ts .cache/bench/profiles/filmless-raw-0.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const perFunction = new Map<string, number>();
const perScript = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const script = url.split('/').pop() || '(native)';
  const key = `${functionName || '(anonymous)'}  ${script}:${lineNumber + 1}`;
  perFunction.set(key, (perFunction.get(key) ?? 0) + ms);
  perScript.set(script, (perScript.get(script) ?? 0) + ms);
}
const top = Number(topArg ?? 25);
const total = (profile.endTime - profile.startTime) / 1000;
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${key}`);
};
console.log(`profile: ${total.toFixed(0)} ms`);
print('self time by script', perScript);
print('self time by function', perFunction);
