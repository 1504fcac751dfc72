/**
 * A small DICOMweb gateway, the piece a hospital puts between browsers and its PACS:
 * - checks the bearer token of every request (the PACS itself knows no tokens);
 * - answers CORS only for configured origins (pages on other origins embed the viewer);
 * - forwards read-only DICOMweb requests to the upstream PACS, streaming the answer.
 * It logs one line per request with the token's identity, never the token itself.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';

/** Serves DICOMweb requests in-process (the embedded folder source) instead of forwarding them. */
export type DicomwebHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>;

export interface GatewayOptions {
  /** Upstream DICOMweb base URL (e.g. Orthanc's `http://127.0.0.1:8042/dicom-web`) or an in-process handler. */
  upstream: string | DicomwebHandler;
  /** Returns an identity for a valid token (logged instead of the token), or undefined to refuse it. */
  verifyToken: (token: string) => string | undefined;
  /** Origins allowed to call the gateway from a browser (exact `scheme://host:port`), or '*' for any. */
  allowedOrigins: string[] | '*';
  /** Where the gateway is mounted, default `/dicom-web`. */
  prefix?: string;
  /** Receives one entry per request (audit log); the default writes nothing. */
  onRequest?: (entry: GatewayLogEntry) => void;
}

export interface GatewayLogEntry {
  time: string;
  method: string;
  /** Path and query as the browser sent them. */
  url: string;
  origin: string | undefined;
  /** The raw Authorization header, kept only in memory for tests; never write it to a log file. */
  authorization: string | undefined;
  identity: string | undefined;
  status: number;
}

/** Headers a browser may read from our answers (for the multipart boundary and transfer syntax). */
const EXPOSED_HEADERS = 'Content-Type, Content-Length';

function allowedOrigin(options: GatewayOptions, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (options.allowedOrigins === '*') return origin;
  return options.allowedOrigins.includes(origin) ? origin : undefined;
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' };
}

/**
 * Returns a request handler for the gateway; it answers only paths under the prefix and returns false
 * for anything else, so it can share a server with the demo pages.
 */
export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = options.prefix ?? '/dicom-web';
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    const origin = req.headers.origin;
    const corsOrigin = allowedOrigin(options, origin);
    const entry: GatewayLogEntry = {
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      url: req.url ?? '',
      origin,
      authorization: req.headers.authorization,
      identity: undefined,
      status: 0,
    };
    const finish = (status: number, headers: Record<string, string> = {}, body = '') => {
      entry.status = status;
      options.onRequest?.(entry);
      res.writeHead(status, { ...corsHeaders(corsOrigin), ...headers });
      res.end(body);
    };

    // A browser page on a foreign origin gets nothing, not even a readable refusal.
    if (origin && !corsOrigin) return finish(403, { 'Content-Type': 'text/plain' }, 'Origin not allowed'), true;

    if (req.method === 'OPTIONS') {
      finish(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Authorization, Accept',
        'Access-Control-Max-Age': '600',
      });
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      finish(405, { Allow: 'GET, HEAD, OPTIONS', 'Content-Type': 'text/plain' }, 'Read-only gateway');
      return true;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const identity = match ? options.verifyToken(match[1]!) : undefined;
    if (!identity) {
      finish(401, { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'text/plain' }, 'A valid bearer token is required');
      return true;
    }
    entry.identity = identity;
    const path = url.pathname.slice(prefix.length) || '/';
    res.on('close', () => {
      // A response the browser abandoned (an aborted load) is logged as 499, nginx's "client closed".
      entry.status = res.writableFinished ? res.statusCode : 499;
      options.onRequest?.(entry);
    });
    for (const [name, value] of Object.entries(corsHeaders(corsOrigin))) res.setHeader(name, value);
    if (typeof options.upstream === 'function') {
      options.upstream(req, res, path, url.searchParams).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error instanceof Error ? error.message : error));
      });
    } else {
      forward(options.upstream, `${path}${url.search}`, req, res);
    }
    return true;
  };
}

/** Streams a GET to the upstream DICOMweb server with the client's Accept header only. */
function forward(upstream: string, pathAndQuery: string, req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(upstream.replace(/\/+$/, '') + pathAndQuery);
  const client = target.protocol === 'https:' ? https : http;
  const outgoing = client.request(
    target,
    { method: req.method, headers: { Accept: req.headers.accept ?? 'application/dicom+json' } },
    (answer) => {
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-length']) {
        const value = answer.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('Upstream PACS unreachable');
  });
  req.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  outgoing.end();
}

/** Starts a standalone gateway server on a loopback port (tests and the demo use this). */
export async function startGatewayServer(
  options: GatewayOptions,
  port = 0,
): Promise<{ url: string; server: http.Server; close: () => Promise<void> }> {
  const handle = createGateway(options);
  const server = http.createServer((req, res) => {
    if (!handle(req, res)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}${options.prefix ?? '/dicom-web'}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
