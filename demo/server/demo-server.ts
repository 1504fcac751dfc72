/**
 * The demo server as a function: `startDemoServer(options)` serves the demo on one port and returns
 * its address and a `close()`. main.ts is the command line around it (`npm start`); tests start it
 * in-process. It reads no environment variables: everything comes in through the options.
 *
 * Routes:
 *   /dicom-web/…          DICOMweb for the demo pages, behind the per-run session token (simple mode)
 *   /shared/dicom-web/…   DICOMweb for shared links, study-scoped ES256 tokens (policy mode)
 *   /demo/session         {dicomwebUrl, token, studies, source} for the demo's own pages
 *   /demo/share-token     POST: a share token, access code and link for one study (demo-share.ts)
 *   /demo/consult/token   POST: a room token; /demo/consult/ws the consultation relay (consult-relay.ts)
 *   /demo/redeem          POST: the share link an access code stands for
 *   /demo/access          the page where a patient types the access code (demo/access.html)
 *   /demo/…               the demo pages: built ones from .cache/demo-build (pages: 'production'),
 *                         or Vite's dev server on their TypeScript source (pages: 'dev')
 *   /filmless-viewer.js, /viewer.html, /chunks/…, /assets/…
 *                         the viewer: dist/ as npm publishes it (production), or src/cdn.ts through Vite (dev)
 *   /viewer.config.json   the standalone page's allowed sources: /dicom-web and /shared/dicom-web
 *   /                     redirects to /demo/
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import type { ViteDevServer } from 'vite';
import { createFolderSource } from './dicom-folder-source.js';
import { indexDicomFolder, listStudies, type StudySummary } from './dicom-index.js';
import { ownOrigins } from './demo-origins.js';
import { acceptOnly, createSessionRoute, createSessionToken } from './demo-session.js';
import { createShareRoutes } from './demo-share.js';
import { createSharedGateway, SHARED_DICOMWEB_PATH } from './demo-shared-gateway.js';
import { createGateway, type DicomwebHandler, type GatewayLogEntry } from '../../gateway/gateway.js';
import { createConsultRelay } from './consult-relay.js';
import { parseDuration } from '../../gateway/token-claims.js';
import type { KeySource } from '../../gateway/token-keys.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DICOMWEB_PATH = '/dicom-web';
export const ACCESS_PAGE_PATH = '/demo/access';
/** The standalone page's allowed sources, beside /viewer.html. */
export const VIEWER_CONFIG_PATH = '/viewer.config.json';

/** Where the images come from. */
export type DemoSource =
  /** A folder of DICOM files (sub-folders included), indexed at start; `description` names it on the page. */
  | { folder: string; description?: string }
  /** A DICOMweb server to forward to (credentials in the URL go to it as Basic auth); `shown` names it without them. */
  | { upstreamUrl: string; shown: string };

export interface DemoServerOptions {
  source: DemoSource;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origins of pages elsewhere that may call the DICOMweb gateways (CORS). */
  extraOrigins?: string[];
  /** Lifetime of share links: seconds or `7d`, `12h`… (default 7 days). */
  shareTtl?: string | number;
  /** Failed access-code attempts per client per minute (default 10). */
  redeemAttemptsPerMinute?: number;
  /** The signing key of share tokens (FILMLESS_TOKEN_KEY); default a key pair made now. */
  tokenKey?: KeySource;
  tokenIssuer?: string;
  tokenAudience?: string;
  /**
   * How the pages and the viewer are served: `production` serves dist/ and .cache/demo-build as they are
   * (production-build.ts makes them; `npm start`), `dev` runs Vite's dev server on the TypeScript source
   * (`npm run dev`; the default), false serves none (API-only tests).
   */
  pages?: 'production' | 'dev' | false;
  /** Where the production viewer is (default dist/) and the built demo pages (default .cache/demo-build). */
  distFolder?: string;
  demoPagesFolder?: string;
  /** Progress and refusals; default console.log. */
  log?: (line: string) => void;
  /** The clock of share tokens and access codes (tests move it). */
  now?: () => Date;
}

export interface DemoServer {
  /** The canonical origin, e.g. `http://localhost:8080`. */
  url: string;
  /** Every origin the server answers to (loopback names, LAN addresses when bound to 0.0.0.0). */
  origins: string[];
  studies: StudySummary[];
  /** The session token of the demo pages (what `/demo/session` hands out). */
  sessionToken: string;
  /**
   * Stops the consultation relay (every room's sockets closed, its room tokens void) and starts a new
   * one on the same port, as a crashed and restarted relay would be: pages reconnect by themselves.
   */
  restartConsultRelay(): Promise<void>;
  /** Where share tokens' signing key came from. */
  keyOrigin: string;
  close: () => Promise<void>;
}

/** A start-up problem the user can fix; printed without a stack trace. */
export class StartupError extends Error {}

const DEFAULT_SHARE_TTL = 7 * 24 * 3600;

/** Refused requests are what an integrator needs to see; the hundreds of frame requests are not printed. */
function refusalLogger(log: (line: string) => void): (entry: GatewayLogEntry) => void {
  return (entry) => {
    if (entry.status !== 401 && entry.status !== 403) return;
    const path = entry.url.split('?')[0];
    log(`Gateway refused ${entry.method} ${path} with ${entry.status}${entry.origin ? ` (page origin ${entry.origin})` : ''}`);
  };
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

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The script pages load the viewer from (`<script type="module" src="/filmless-viewer.js">`). */
const VIEWER_SCRIPT = '/filmless-viewer.js';

/**
 * The production pages: the demo pages built by demo/vite.config.ts under /demo/, and everything else
 * from dist/, the npm package (the viewer script, its chunks, workers and codecs, and viewer.html).
 */
function productionPages(distFolder: string, demoFolder: string): Middleware {
  // Hashed file names (chunks/x-Hash.js, assets/…) never change content: cached for good. Entry files
  // and pages are revalidated, so a rebuild shows at the next reload.
  const setHeaders = (res: ServerResponse, pathname: string): void => {
    const hashed = /^\/(chunks|assets|demo-assets)\//.test(pathname);
    res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
  const viewer = sirv(distFolder, { etag: true, dotfiles: false, setHeaders });
  const pages = sirv(demoFolder, { etag: true, dotfiles: false, setHeaders });
  return (req, res, next) => {
    const url = req.url ?? '/';
    if (url === '/demo' || url.startsWith('/demo/') || url.startsWith('/demo?')) {
      const inner = url.slice('/demo'.length) || '/';
      const original = req.url;
      req.url = inner.startsWith('/') ? inner : `/${inner}`;
      pages(req, res, () => {
        req.url = original;
        next();
      });
      return;
    }
    viewer(req, res, next);
  };
}

async function startVite(server: http.Server): Promise<{ middleware: Middleware; vite: ViteDevServer }> {
  const { createServer: createViteServer } = await import('vite');
  const vite = await createViteServer({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    appType: 'mpa',
    // Hot reload over our own port, not Vite's default extra port, so two demos can run side by side.
    server: { middlewareMode: true, ws: { server } },
    // Discover the element's dependencies from the demo pages up front; finding one later makes
    // Vite re-bundle and reload the page in the middle of loading a study.
    optimizeDeps: { entries: ['demo/*.html', 'viewer.html', 'src/cdn.ts'] },
    // Its own pre-bundle cache: the tests' Vite (other options) shares none, so neither re-bundles
    // everything each time the other one ran.
    cacheDir: join(REPO_ROOT, '.cache/vite-demo'),
    clearScreen: false,
  });
  const middleware: Middleware = (req, res, next) => {
    // The pages' script tag names the built file; in development it is the element's TypeScript entry.
    if (req.url === VIEWER_SCRIPT || req.url?.startsWith(`${VIEWER_SCRIPT}?`)) req.url = `/src/cdn.ts${req.url.slice(VIEWER_SCRIPT.length)}`;
    vite.middlewares(req, res, next);
  };
  return { middleware, vite };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
}

async function loadSource(source: DemoSource, log: (line: string) => void): Promise<{
  upstream: string | DicomwebHandler;
  studies: StudySummary[];
  sourceKind: 'folder' | 'upstream';
  description: string;
}> {
  if ('upstreamUrl' in source) {
    return { upstream: source.upstreamUrl, studies: [], sourceKind: 'upstream', description: `the DICOMweb server at ${source.shown}` };
  }
  const index = await indexDicomFolder(source.folder);
  const studies = listStudies(index);
  const description = source.description ?? `folder ${source.folder}`;
  if (studies.length === 0) {
    log(`No DICOM studies found in ${description}. The demo runs anyway; add DICOM files there and restart.`);
  } else {
    log(`Serving ${studies.length} studies (${index.instanceCount} instances) from ${description}.`);
  }
  if (index.skipped.length > 0) {
    log(`Skipped ${index.skipped.length} files that are not usable DICOM instances or repeat one already indexed.`);
  }
  return { upstream: createFolderSource(index), studies, sourceKind: 'folder', description };
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const shareTtlSeconds = options.shareTtl === undefined ? DEFAULT_SHARE_TTL : parseDuration(options.shareTtl);
  if (shareTtlSeconds === undefined) throw new StartupError(`The share link lifetime "${options.shareTtl}" is not a duration (e.g. 7d, 12h).`);
  const data = await loadSource(options.source, log);

  // Requests that arrive while Vite starts get a clear answer instead of hanging.
  let handle = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('The demo is starting');
  };
  const server = http.createServer((req, res) => handle(req, res));
  const host = options.host ?? '127.0.0.1';
  const address = await listen(server, options.port ?? 0, host);
  const origins = ownOrigins(host, address);
  const allowedOrigins = [...origins, ...(options.extraOrigins ?? [])];
  const logRefusal = refusalLogger(log);

  const token = createSessionToken();
  const verifySessionToken = acceptOnly(token);
  const gateway = createGateway({ upstream: data.upstream, verifyToken: verifySessionToken, allowedOrigins, prefix: DICOMWEB_PATH, onRequest: logRefusal });
  const session = createSessionRoute({
    token,
    ownOrigins: origins,
    dicomwebPath: DICOMWEB_PATH,
    studies: data.studies,
    sourceKind: data.sourceKind,
    source: data.description,
  });
  let consult = createConsultRelay({ ownOrigins: origins, verifySessionToken, log });
  consult.attach(server);
  let shared: Awaited<ReturnType<typeof createSharedGateway>> | undefined;
  let vite: ViteDevServer | undefined;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Open keep-alive connections and streaming responses would otherwise hold the port.
      server.closeAllConnections();
    });

  try {
    shared = await createSharedGateway({
      upstream: data.upstream,
      allowedOrigins,
      shareTtlSeconds,
      ...(options.tokenKey ? { keySource: options.tokenKey } : {}),
      ...(options.tokenIssuer ? { tokenIssuer: options.tokenIssuer } : {}),
      ...(options.tokenAudience ? { tokenAudience: options.tokenAudience } : {}),
      ...(options.now ? { now: options.now } : {}),
      onRequest: logRefusal,
    });
    const now = options.now;
    const share = createShareRoutes({
      ownOrigins: origins,
      verifySessionToken,
      issue: shared.issue,
      shareTtlSeconds,
      studies: data.sourceKind === 'folder' ? data.studies : undefined,
      ...(options.redeemAttemptsPerMinute !== undefined ? { redeemAttemptsPerMinute: options.redeemAttemptsPerMinute } : {}),
      ...(now ? { now: () => now().getTime() } : {}),
    });
    const pagesMode = options.pages ?? 'dev';
    let pages: Middleware | undefined;
    if (pagesMode === 'production') {
      pages = productionPages(options.distFolder ?? join(REPO_ROOT, 'dist'), options.demoPagesFolder ?? join(REPO_ROOT, '.cache/demo-build'));
    } else if (pagesMode === 'dev') {
      const dev = await startVite(server);
      vite = dev.vite;
      pages = dev.middleware;
    }
    const sharedGateway = shared.handle;

    handle = (req, res) => {
      if (gateway(req, res) || sharedGateway(req, res) || session(req, res) || share(req, res) || consult.handle(req, res)) return;
      const target = req.url ?? '/';
      const queryAt = target.indexOf('?');
      const path = queryAt < 0 ? target : target.slice(0, queryAt);
      if (path === '/' || path === '/demo') {
        res.writeHead(302, { Location: '/demo/' }).end();
        return;
      }
      // The standalone page's configuration (src/standalone/deployment-sources.ts): it may use this
      // server's two DICOMweb gateways, wherever the page is opened from (relative entries).
      if (path === VIEWER_CONFIG_PATH) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }).end(JSON.stringify({ allowedSources: [DICOMWEB_PATH, SHARED_DICOMWEB_PATH] }));
        return;
      }
      // The address printed on result sheets, short enough to type.
      if (path === ACCESS_PAGE_PATH) req.url = `${ACCESS_PAGE_PATH}.html${queryAt < 0 ? '' : target.slice(queryAt)}`;
      if (pages) pages(req, res, () => notFound(res));
      else notFound(res);
    };
  } catch (error) {
    await shared?.close();
    await closeServer();
    throw error;
  }

  return {
    url: origins[0]!,
    origins,
    studies: data.studies,
    sessionToken: token,
    keyOrigin: shared.keyOrigin,
    restartConsultRelay: async () => {
      consult.detach(server);
      await consult.close();
      consult = createConsultRelay({ ownOrigins: origins, verifySessionToken, log });
      consult.attach(server);
    },
    close: async () => {
      const closed = closeServer();
      // Vite closes its hot-reload WebSockets, which hold the server open too.
      await vite?.close();
      await consult.close();
      await shared?.close();
      await closed;
    },
  };
}

export { SHARED_DICOMWEB_PATH };
