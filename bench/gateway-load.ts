/**
 * Gateway load on loopback: latency (p50, p99) and errors of the reference gateway (gateway/main.ts,
 * started as the service it is deployed as, one child process per instance) at a fixed request rate,
 * driven by autocannon.
 *
 *   npx tsx bench/gateway-load.ts [--rate 400] [--duration 10] [--connections 20]   (npm run bench:gateway)
 *
 * Every request is the viewer's series search inside the study (`/studies/{uid}/series`): token
 * verification (ES256), request parsing and the study scope, then a DICOM JSON answer fetched from the
 * upstream, filtered and re-sent. The upstream is a stub in this process answering that search at once
 * (12 series, 9 KB), so the numbers are the gateway's own cost, not a PACS's. Scenarios:
 *
 *   memory               one instance, token state in memory (the single-instance default)
 *   redis                one instance on redis-server (one EXISTS per request for the revocation)
 *   redis, use-limited   one instance, a token with a use limit (EXISTS and the counting Lua script)
 *   redis, 2 instances   two instances on one Redis, each at half the rate, one use-limited token
 *                        shared by both (as behind a load balancer); each instance's numbers
 *
 * Writes bench/results/gateway-load.md and .json. Reported, not asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '../gateway/token-claims.js';
import { createTokenIssuer } from '../gateway/token-issuer.js';
import { generateTokenKeyPair, loadSigningKey } from '../gateway/token-keys.js';
import { startRedis } from '../test/support/redis.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '400' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
  },
});
const RATE = Math.max(1, Number(args.rate) || 400);
const DURATION = Math.max(1, Number(args.duration) || 10);
const CONNECTIONS = Math.max(1, Number(args.connections) || 20);
const STUDY = '1.2.826.0.1.3680043.8.498.77';

interface Measured {
  scenario: string;
  instance: string;
  rate: number;
  requests: number;
  /** Requests answered per second over the run (below `rate` when the machine could not keep up). */
  achieved: number;
  /** The gateway process's CPU time (user + system) per request: its cost, whatever else ran. */
  cpuMsPerRequest: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** 12 series of the study, as a PACS answers the series search. */
function seriesAnswer(): string {
  return JSON.stringify(
    Array.from({ length: 12 }, (_, i) => ({
      '0020000D': { vr: 'UI', Value: [STUDY] },
      '0020000E': { vr: 'UI', Value: [`${STUDY}.${i + 1}`] },
      '00080060': { vr: 'CS', Value: ['CT'] },
      '0008103E': { vr: 'LO', Value: [`Series ${i + 1} axial 1 mm`] },
      '00200011': { vr: 'IS', Value: [i + 1] },
      '00201209': { vr: 'IS', Value: [300] },
      '00080021': { vr: 'DA', Value: ['20260412'] },
      '00080031': { vr: 'TM', Value: ['101500'] },
      '00081190': { vr: 'UR', Value: [`http://pacs.internal/dicom-web/studies/${STUDY}/series/${STUDY}.${i + 1}`] },
    })),
  );
}

async function startUpstream(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = seriesAnswer();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/dicom+json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts gateway/main.ts as a service; resolves with its DICOMweb base URL. */
async function startGateway(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'gateway/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Filmless gateway on (http:\/\/\S+?\/dicom-web)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}: ${text}`)));
  });
  return { url, child };
}

async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

function load(url: string, token: string, rate: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/studies/${STUDY}/series`,
        headers: { authorization: `Bearer ${token}`, accept: 'application/dicom+json' },
        connections: CONNECTIONS,
        duration: DURATION,
        overallRate: rate,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** CPU time of a process so far (user + system), in ms, from /proc (clock ticks of 1/100 s). */
async function cpuMs(child: ChildProcess): Promise<number> {
  const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs the load against one gateway and measures it, the gateway's CPU time included. */
async function measure(scenario: string, instance: string, gateway: { url: string; child: ChildProcess }, token: string, rate: number): Promise<Measured> {
  const before = await cpuMs(gateway.child);
  const result = await load(gateway.url, token, rate);
  const cpu = (await cpuMs(gateway.child)) - before;
  return measured(scenario, instance, rate, result, cpu);
}

function measured(scenario: string, instance: string, rate: number, result: autocannon.Result, cpu: number): Measured {
  return {
    scenario,
    instance,
    rate,
    requests: result.requests.total,
    achieved: Math.round(result.requests.total / (result.duration || DURATION)),
    cpuMsPerRequest: result.requests.total > 0 ? cpu / result.requests.total : 0,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

const loadBefore = loadavg()[0]!;
const dir = await mkdtemp(path.join(tmpdir(), 'filmless-gateway-load-'));
const upstream = await startUpstream();
const redis = await startRedis();
const pair = await generateTokenKeyPair();
const issuer = createTokenIssuer({ key: await loadSigningKey({ pem: pair.privatePem, from: 'bench' }), issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE });
const plain = (await issuer.issue({ studies: [STUDY], purpose: 'clinician', ttl: '1h' })).token;
const limited = async () => (await issuer.issue({ studies: [STUDY], purpose: 'patient', ttl: '1h', uses: 10_000_000 })).token;
const baseEnv = (name: string) => ({
  FILMLESS_UPSTREAM: upstream.url,
  FILMLESS_TOKEN_PUBLIC_KEY: pair.publicPem,
  FILMLESS_AUDIT_LOG: path.join(dir, `${name}-audit.log`),
});
const results: Measured[] = [];
const log = (line: string) => console.error(`[gateway-load] ${line}`);

try {
  const scenarios: { name: string; redis: boolean; token: () => Promise<string> }[] = [
    { name: 'memory', redis: false, token: async () => plain },
    { name: 'redis', redis: true, token: async () => plain },
    { name: 'redis, use-limited', redis: true, token: limited },
  ];
  for (const scenario of scenarios) {
    const gateway = await startGateway({ ...baseEnv(scenario.name.replace(/\W+/g, '-')), ...(scenario.redis ? { FILMLESS_REDIS_URL: redis.url } : {}) });
    try {
      const token = await scenario.token();
      await load(gateway.url, token, RATE / 2).catch(() => undefined); // warm-up at half the rate, not reported
      log(`${scenario.name}: ${RATE} req/s for ${DURATION} s`);
      results.push(await measure(scenario.name, 'one', gateway, token, RATE));
    } finally {
      await stopGateway(gateway.child);
    }
  }
  const a = await startGateway({ ...baseEnv('two-a'), FILMLESS_REDIS_URL: redis.url });
  const b = await startGateway({ ...baseEnv('two-b'), FILMLESS_REDIS_URL: redis.url });
  try {
    const token = await limited();
    await Promise.all([load(a.url, token, RATE / 4), load(b.url, token, RATE / 4)]);
    log(`redis, 2 instances: ${RATE / 2} req/s on each for ${DURATION} s`);
    results.push(...(await Promise.all([measure('redis, 2 instances', 'a', a, token, RATE / 2), measure('redis, 2 instances', 'b', b, token, RATE / 2)])));
  } finally {
    await Promise.all([stopGateway(a.child), stopGateway(b.child)]);
  }
} finally {
  await redis.stop();
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '',
  /** The machine's 1-minute load average before and after the run (other work on the same cores). */
  loadAverage: [loadBefore, loadavg()[0]!],
  rate: RATE,
  durationSeconds: DURATION,
  connections: CONNECTIONS,
  results,
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const report = `# Gateway under load (bench/gateway-load.ts)

The reference gateway (\`gateway/main.ts\`, one child process per instance) on loopback, driven by
autocannon at a fixed overall rate over ${CONNECTIONS} keep-alive connections for ${DURATION} s per scenario
(after a warm-up at half the rate). Each request is the viewer's series search inside a study: ES256
token check, request parsing and study scope, the upstream's DICOM JSON answer (a stub answering at
once, 12 series) filtered and re-sent, one audit line to a file. Redis is Debian's redis-server on
loopback. ${result.date}, Node ${result.node}, ${result.cpus} CPU(s) (${result.cpuModel}); the machine's load
average was ${result.loadAverage.map((v) => v.toFixed(1)).join(' before, ')} after (other work on the same cores
shows in the tail latencies). Reported, not asserted.

| scenario | instance | rate asked | answered | requests | gateway CPU per request | p50 | p90 | p99 | max | errors | timeouts | non-2xx |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${results.map((r) => `| ${r.scenario} | ${r.instance} | ${r.rate}/s | ${r.achieved}/s | ${r.requests} | ${r.cpuMsPerRequest.toFixed(2)} ms | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} | ${r.timeouts} | ${r.non2xx} |`).join('\n')}

"answered" below "rate asked" means the machine could not keep the rate: autocannon does not send more
than its connections can carry, so latencies then include waiting for a free core. The gateway's CPU
time per request (from /proc, the measured window only) is its cost whatever else ran: one core serves
about 1000 / that many requests per second.
`;
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench/results/gateway-load.md'), report);
await writeFile(path.join(ROOT, 'bench/results/gateway-load.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(report);
