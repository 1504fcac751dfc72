/**
 * `npm start`: the whole Filmless demo on one port, with no PACS needed.
 *
 *   npm start                  serves ../shared/dicom if it exists, else sample studies it generates
 *                              into .cache/samples (a synthetic head CT and MR)
 *   npm start -- <folder>      serves the DICOM files under <folder> (sub-folders included)
 *   npm start -- --samples     serves the generated sample studies even when ../shared/dicom exists
 *
 * Environment:
 *   PORT=8080                  the port (default 8080)
 *   HOST=127.0.0.1             the address to bind (default loopback only, since anyone who can reach
 *                              the server can read its studies); HOST=0.0.0.0 admits phones on the LAN
 *   FILMLESS_DATA=<folder>     same as the folder argument; the argument wins
 *   FILMLESS_UPSTREAM=<url>    forward /dicom-web to a real PACS instead of serving a folder, e.g.
 *                              Orthanc's http://127.0.0.1:8042/dicom-web. Browsers never see the PACS:
 *                              the demo token is checked here and not passed on; credentials written
 *                              into the URL (http://user:password@host/…) go to the PACS as Basic auth.
 *                              The demo page then has no study list: type an accession number.
 *   FILMLESS_ALLOWED_ORIGINS   comma-separated origins of pages elsewhere that may call /dicom-web
 *                              (CORS), e.g. a HIS at http://his.local:3000. They still need the token.
 *
 * Routes:
 *   /dicom-web/…               DICOMweb (QIDO-RS, WADO-RS) behind the bearer-token gateway
 *   /demo/session              {dicomwebUrl, token, studies, source} for the demo's own pages
 *   /demo/, /demo/his.html     the demo pages; Vite serves them and the element's TypeScript source
 *   /                          redirects to /demo/
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { createFolderSource } from './dicom-folder-source.js';
import { indexDicomFolder, listStudies, type StudySummary } from './dicom-index.js';
import {
  DataFolderError,
  chooseDataFolder,
  describeDataFolder,
  prepareDataFolder,
} from './demo-data-folder.js';
import { isLoopbackOrigin, ownOrigins, parseOriginList } from './demo-origins.js';
import { acceptOnly, createSessionRoute, createSessionToken } from './demo-session.js';
import { createGateway, type DicomwebHandler, type GatewayLogEntry } from './gateway.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DICOMWEB_PATH = '/dicom-web';

interface DemoConfig {
  port: number;
  host: string;
  folderArgument: string | undefined;
  preferSamples: boolean;
  dataEnv: string | undefined;
  upstreamUrl: string | undefined;
  extraOrigins: string[];
}

/** What the gateway serves, and how the demo pages describe it. */
interface DemoData {
  upstream: string | DicomwebHandler;
  studies: StudySummary[];
  sourceKind: 'folder' | 'upstream';
  source: string;
}

/** A startup problem the user can fix; printed without a stack trace. */
class StartupError extends Error {}

function readConfig(args: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const unknown = flags.filter((flag) => flag !== '--samples');
  if (unknown.length > 0) {
    throw new StartupError(`Unknown option ${unknown.join(' ')}. The options are described at the top of demo/server/main.ts.`);
  }
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT=${env.PORT} is not a port number.`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    folderArgument: args.find((arg) => !arg.startsWith('--')),
    preferSamples: flags.includes('--samples'),
    dataEnv: env.FILMLESS_DATA || undefined,
    upstreamUrl: env.FILMLESS_UPSTREAM || undefined,
    extraOrigins: parseOriginList(env.FILMLESS_ALLOWED_ORIGINS),
  };
}

async function loadData(config: DemoConfig): Promise<DemoData> {
  if (config.upstreamUrl) {
    if (config.folderArgument || config.dataEnv) console.log('FILMLESS_UPSTREAM is set, so no folder is served.');
    return upstreamData(config.upstreamUrl);
  }

  const choice = chooseDataFolder({
    argument: config.folderArgument,
    env: config.dataEnv,
    sharedFolder: join(REPO_ROOT, '../shared/dicom'),
    samplesFolder: join(REPO_ROOT, '.cache/samples'),
    preferSamples: config.preferSamples,
  });
  const folder = resolve(choice.folder);
  const shown = { ...choice, folder: displayPath(folder) };
  // Written once (about two seconds) and kept; later starts find them in place.
  if (choice.kind === 'samples') console.log(`Preparing the sample studies in ${shown.folder}…`);
  await prepareDataFolder({ ...choice, folder });

  const index = await indexDicomFolder(folder);
  const studies = listStudies(index);
  const source = describeDataFolder(shown);
  if (studies.length === 0) {
    console.log(`No DICOM studies found in ${source}. The demo runs anyway; add DICOM files there and restart.`);
  } else {
    console.log(`Serving ${studies.length} studies (${index.instanceCount} instances) from ${source}.`);
  }
  if (index.skipped.length > 0) {
    console.log(`Skipped ${index.skipped.length} files that are not usable DICOM instances or repeat one already indexed.`);
  }
  return { upstream: createFolderSource(index), studies, sourceKind: 'folder', source };
}

/** Paths inside or beside the working folder read better relative (`../shared/dicom`), others absolute. */
function displayPath(folder: string): string {
  const fromHere = relative(process.cwd(), folder) || '.';
  return fromHere.startsWith(`..${sep}..`) || isAbsolute(fromHere) ? folder : fromHere;
}

function upstreamData(upstreamUrl: string): DemoData {
  let url: URL;
  try {
    url = new URL(upstreamUrl);
  } catch {
    throw new StartupError('FILMLESS_UPSTREAM is not a URL.'); // not echoed: it may hold a password
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StartupError('FILMLESS_UPSTREAM must be an http(s) URL.');
  // Credentials in the URL stay out of the console and the page.
  const shown = `${url.origin}${url.pathname}`;
  console.log(`Forwarding ${DICOMWEB_PATH} to the DICOMweb server at ${shown} (FILMLESS_UPSTREAM).`);
  return { upstream: upstreamUrl, studies: [], sourceKind: 'upstream', source: `the DICOMweb server at ${shown}` };
}

/**
 * Refused requests are what an integrator needs to see (a missing token, an origin not yet allowed);
 * the hundreds of successful frame requests per study are not printed.
 */
function logRefusal(entry: GatewayLogEntry): void {
  if (entry.status !== 401 && entry.status !== 403) return;
  const path = entry.url.split('?')[0];
  console.log(`Gateway refused ${entry.method} ${path} with ${entry.status}${entry.origin ? ` (page origin ${entry.origin})` : ''}`);
}

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveAddress, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`Port ${port} is already in use. Try PORT=${port + 1} npm start.`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolveAddress(server.address() as AddressInfo);
    });
  });
}

function startVite(server: http.Server): Promise<ViteDevServer> {
  return createViteServer({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    appType: 'mpa',
    // Hot reload over our own port, not Vite's default extra port, so two demos can run side by side.
    server: { middlewareMode: true, ws: { server } },
    // Discover the element's dependencies from the demo pages up front; finding one later makes
    // Vite re-bundle and reload the page in the middle of loading a study.
    optimizeDeps: { entries: ['demo/*.html'] },
    // Its own pre-bundle cache: the tests' Vite (other options) shares none, so neither re-bundles
    // everything each time the other one ran.
    cacheDir: join(REPO_ROOT, '.cache/vite-demo'),
    clearScreen: false,
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const data = await loadData(config);

  // Requests that arrive while Vite starts get a clear answer instead of hanging.
  let handle = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('The demo is starting');
  };
  const server = http.createServer((req, res) => handle(req, res));
  const address = await listen(server, config.port, config.host);

  const origins = ownOrigins(config.host, address);
  const token = createSessionToken();
  const gateway = createGateway({
    upstream: data.upstream,
    verifyToken: acceptOnly(token),
    allowedOrigins: [...origins, ...config.extraOrigins],
    prefix: DICOMWEB_PATH,
    onRequest: logRefusal,
  });
  const session = createSessionRoute({
    token,
    ownOrigins: origins,
    dicomwebPath: DICOMWEB_PATH,
    studies: data.studies,
    sourceKind: data.sourceKind,
    source: data.source,
  });
  const vite = await startVite(server);

  handle = (req, res) => {
    if (gateway(req, res) || session(req, res)) return;
    if (req.url === '/' || req.url === '/demo') {
      res.writeHead(302, { Location: '/demo/' }).end();
      return;
    }
    vite.middlewares(req, res, () => notFound(res));
  };

  printAddresses(config, origins);

  stopOnSignal(server, vite);
}

function printAddresses(config: DemoConfig, origins: readonly string[]): void {
  const [main = ''] = origins;
  console.log(`\n  Filmless demo:  ${main}/demo/`);
  console.log(`  HIS example:    ${main}/demo/his.html`);
  console.log(`  DICOMweb:       ${main}${DICOMWEB_PATH} (bearer token required)`);
  const network = origins.filter((origin) => origin !== main && !isLoopbackOrigin(origin));
  if (network.length > 0) console.log(`  On the network: ${network.map((origin) => `${origin}/demo/`).join('  ')}`);
  if (config.extraOrigins.length > 0) console.log(`  CORS also for:  ${config.extraOrigins.join(', ')}`);
  console.log('\n  Press Ctrl+C to stop.\n');
}

function stopOnSignal(server: http.Server, vite: ViteDevServer): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1); // a second Ctrl+C means "now"
    stopping = true;
    console.log('Stopping the demo…');
    server.close();
    // Open keep-alive connections and streaming responses would otherwise hold the port.
    server.closeAllConnections();
    vite.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof DataFolderError) {
    console.error(`Filmless demo: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
