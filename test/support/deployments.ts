/**
 * The standalone page as sites deploy it, served by the test runner's own server (the tests' origin, so
 * a test reads the page in a same-origin frame):
 * - `/viewer.config.json`: the configuration of the source page the other tests open (`/viewer.html`,
 *   through Vite), allowing the test PACS's two gateways;
 * - `/deployments/<name>/…`: the built dist/ (or FILMLESS_DIST_DIR), each a deployment of its own:
 *   - `strict`: every response under a strict Content-Security-Policy header (STRICT_CSP), with a
 *     viewer.config.json allowing the PACS;
 *   - `meta`: the sources listed in a `<meta name="filmless-allowed-sources">` of viewer.html, no file;
 *   - `bare`: no configuration at all, and the PACS proxied under its own origin (`dicom-web/`);
 *   - `broken`: a viewer.config.json that is not a list (a string where the array belongs).
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

/** What the middleware needs of the test PACS (read when a request comes: it starts after the server). */
export interface DeploymentPacs {
  gatewayUrl: string;
  hospitalB: { gatewayUrl: string };
}

/**
 * The policy the README states for the standalone page, with the PACS's origin: scripts and workers only
 * from the page's own origin (workers also from blob:), WebAssembly compiled without eval, styles only
 * from files and adopted style sheets, requests to the page's origin (its WebAssembly files and
 * viewer.config.json) and the PACS.
 */
export function strictCsp(pacsOrigin: string, reportUri?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${pacsOrigin}`,
    "img-src 'self' blob:",
    "style-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    ...(reportUri ? [`report-uri ${reportUri}`] : []),
  ].join('; ');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

interface Context {
  path: string;
  method: string;
  req: AsyncIterable<Buffer> & { headers: Record<string, string | string[] | undefined> };
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}

/** Where the strict deployment's browser reports violations (POST), and where the tests read them (GET). */
export const CSP_REPORTS = '/deployments/csp-reports';
const cspReports: unknown[] = [];

export function deploymentsMiddleware(pacs: () => DeploymentPacs | undefined, distDir = process.env.FILMLESS_DIST_DIR ?? 'dist') {
  return async (ctx: Context & { url: string }, next: () => Promise<void>): Promise<void> => {
    const info = pacs();
    if (ctx.path === '/viewer.config.json' && info) {
      ctx.set('Content-Type', 'application/json');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = JSON.stringify({ allowedSources: [info.gatewayUrl, info.hospitalB.gatewayUrl] });
      return;
    }
    if (ctx.path === CSP_REPORTS) {
      // Violations of the strict deployment's policy, from the page and its workers alike (report-uri).
      if (ctx.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk);
        cspReports.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
        ctx.status = 204;
      } else {
        ctx.set('Content-Type', 'application/json');
        ctx.body = JSON.stringify(cspReports);
      }
      return;
    }
    const match = /^\/deployments\/(strict|meta|bare|broken)\/(.*)$/.exec(ctx.path);
    if (!match || !info) return next();
    const [, name, rest = ''] = match;
    const gateway = new URL(info.gatewayUrl);
    if (name === 'strict') ctx.set('Content-Security-Policy', strictCsp(gateway.origin, CSP_REPORTS));
    if (name === 'bare' && rest.startsWith('dicom-web/')) return proxy(ctx, `${info.gatewayUrl}/${rest.slice('dicom-web/'.length)}${ctx.url.includes('?') ? ctx.url.slice(ctx.url.indexOf('?')) : ''}`);
    if (rest === 'viewer.config.json') {
      if (name === 'broken') {
        ctx.set('Content-Type', 'application/json');
        ctx.body = JSON.stringify({ allowedSources: info.gatewayUrl });
        return;
      }
      if (name !== 'strict') return notFound(ctx);
      ctx.set('Content-Type', 'application/json');
      ctx.body = JSON.stringify({ allowedSources: [info.gatewayUrl] });
      return;
    }
    const file = normalize(decodeURIComponent(rest || 'viewer.html'));
    if (file.startsWith('..')) return notFound(ctx);
    let body: Buffer | string;
    try {
      body = await readFile(join(distDir, file));
    } catch {
      return notFound(ctx);
    }
    if (name === 'meta' && file === 'viewer.html') {
      body = body.toString('utf8').replace('<meta name="referrer"', `<meta name="filmless-allowed-sources" content="${info.gatewayUrl}" />\n    <meta name="referrer"`);
    }
    ctx.set('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
}

function notFound(ctx: Context): void {
  ctx.status = 404;
  ctx.set('Content-Type', 'text/plain');
  ctx.body = 'Not found';
}

/** The PACS under the deployment's own origin, as a reverse proxy in front of it would serve it. */
async function proxy(ctx: Context, target: string): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'accept']) {
    const value = ctx.req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const response = await fetch(target, { method: ctx.method, headers });
  ctx.status = response.status;
  for (const name of ['content-type', 'content-length']) {
    const value = response.headers.get(name);
    if (value) ctx.set(name, value);
  }
  ctx.body = Buffer.from(await response.arrayBuffer());
}
