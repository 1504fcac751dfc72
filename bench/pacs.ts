/**
 * The server side of the benchmark: a real Orthanc (the test helpers' instance: loopback, free port, its
 * own storage) loaded with the bench series, behind the demo gateway (bearer token, CORS for the page
 * origin only). Pages run on another loopback origin, so every authorized request is preflighted.
 *
 * It runs in a child process (`spawnBenchPacs`): the gateway pipes hundreds of megabytes per run, and
 * the runner's event loop must stay free to answer the pages' signals on time.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startGatewayServer } from '../gateway/gateway.js';
import { createFolderSource } from '../demo/server/dicom-folder-source.js';
import { indexDicomFolder } from '../demo/server/dicom-index.js';
import { startOrthanc, uploadFolder } from '../test/support/orthanc.js';
import type { BenchSeries } from './generate-ct.js';

export const BENCH_TOKEN = 'bench-token';

export interface BenchPacs {
  /** DICOMweb root of the gateway, e.g. http://127.0.0.1:PORT/dicom-web */
  gatewayUrl: string;
  /**
   * DICOMweb root of a second gateway in front of the demo's DICOM folder source, for the series Orthanc
   * cannot serve (HTJ2K: Debian's Orthanc 1.10.1 answers 500 to /frames); absent when there are none.
   */
  folderGatewayUrl?: string;
  /** Process ID of the server side's Node (the gateway; Orthanc is its child), for CPU accounting. */
  pid: number;
  stop: () => Promise<void>;
}

async function startBenchPacs(series: BenchSeries[], pageOrigin: string, log: (line: string) => void): Promise<BenchPacs> {
  const orthanc = await startOrthanc('filmless-bench');
  try {
    for (const s of series.filter((x) => x.server === 'orthanc')) {
      const started = Date.now();
      const studies = await uploadFolder(orthanc, s.folder);
      if (studies.length !== 1) throw new Error(`${s.name}: expected one study in Orthanc, got ${studies.length}`);
      const stored = (await (await fetch(`${orthanc.url}/studies/${studies[0]}/instances`)).json()) as unknown[];
      if (stored.length !== s.instanceCount) throw new Error(`${s.name}: Orthanc holds ${stored.length} of ${s.instanceCount} instances`);
      log(`uploaded ${s.name} (${s.instanceCount} instances) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } catch (error) {
    await orthanc.stop();
    throw error;
  }
  const gateway = await startGatewayServer({
    upstream: orthanc.dicomwebUrl,
    verifyToken: (token) => (token === BENCH_TOKEN ? 'bench' : undefined),
    allowedOrigins: [pageOrigin],
  });
  const folderSeries = series.filter((x) => x.server === 'folder');
  let folderGateway: Awaited<ReturnType<typeof startGatewayServer>> | undefined;
  if (folderSeries.length > 0) {
    // The folder source indexes the series' folders (the same gateway code in front of it as of Orthanc).
    const index = await indexDicomFolder(folderSeries.map((s) => s.folder));
    folderGateway = await startGatewayServer({
      upstream: createFolderSource(index),
      verifyToken: (token) => (token === BENCH_TOKEN ? 'bench' : undefined),
      allowedOrigins: [pageOrigin],
    });
    log(`serving ${folderSeries.map((s) => s.name).join(', ')} from the demo's folder source`);
  }
  return {
    gatewayUrl: gateway.url,
    folderGatewayUrl: folderGateway?.url,
    pid: process.pid,
    stop: async () => {
      await folderGateway?.close();
      await gateway.close();
      await orthanc.stop();
    },
  };
}

/** Starts Orthanc and the gateway in a child process; resolves once both are up and loaded. */
export async function spawnBenchPacs(series: BenchSeries[], pageOrigin: string, log: (line: string) => void): Promise<BenchPacs> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, FILMLESS_BENCH_PACS: JSON.stringify({ series, pageOrigin }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ gatewayUrl: string; folderGatewayUrl?: string }>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as { gatewayUrl: string; folderGatewayUrl?: string });
      else log(line);
    });
    child.once('exit', (code) => reject(new Error(`the PACS process exited (${code})`)));
  });
  return {
    gatewayUrl: ready.gatewayUrl,
    folderGatewayUrl: ready.folderGatewayUrl,
    pid: child.pid ?? 0,
    stop: async () => {
      child.stdin!.end(); // the child stops Orthanc and exits when its stdin closes
      await exited;
    },
  };
}

// Child process: start, announce the gateway on stdout as one JSON line, stop when stdin closes.
if (process.env.FILMLESS_BENCH_PACS && import.meta.url === `file://${process.argv[1]}`) {
  const { series, pageOrigin } = JSON.parse(process.env.FILMLESS_BENCH_PACS) as { series: BenchSeries[]; pageOrigin: string };
  const pacs = await startBenchPacs(series, pageOrigin, (line) => console.log(line));
  console.log(JSON.stringify({ gatewayUrl: pacs.gatewayUrl, folderGatewayUrl: pacs.folderGatewayUrl }));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void pacs.stop().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
