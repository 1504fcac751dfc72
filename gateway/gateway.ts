/**
 * A small DICOMweb gateway, the piece a hospital puts between browsers and its PACS:
 * - checks the bearer token of every request (the PACS itself knows no tokens);
 * - answers CORS only for configured origins (pages on other origins embed the viewer);
 * - forwards read-only DICOMweb requests to the upstream PACS, streaming the answer, with the
 *   gateway's own upstream credentials (never the browser's token).
 *
 * Two modes:
 * - `verifyToken` (the demo and the browser tests): any token the function accepts opens everything;
 * - `policy` (the reference deployment, see docs/deployment.md and gateway-policy.ts): study-scoped
 *   signed tokens, strict request parsing, searches restricted and filtered to the token's studies.
 * Either way it logs one line per request with the token's identity, never the token itself.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { createGzip, gzip } from 'node:zlib';
import type { AuditRecord, AuditSink } from './audit.js';
import { hasControlCharacter } from './request.js';
import { filterDatasets, type AccessSubject, type GatewayPolicy, type UpstreamPlan } from './policy.js';
import { createUpstream, readJsonBody, UpstreamError, type Upstream, type UpstreamAuth } from './upstream.js';

/** Serves DICOMweb requests in-process (the embedded folder source) instead of forwarding them. */
export type DicomwebHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>;

export interface GatewayOptions {
  /**
   * Upstream DICOMweb base URL (e.g. Orthanc's `http://127.0.0.1:8042/dicom-web`) or an in-process
   * handler. With `policy`, it must be a URL.
   */
  upstream: string | DicomwebHandler;
  /** Simple mode: returns an identity for a valid token (logged instead of the token), or undefined to refuse it. */
  verifyToken?: (token: string) => string | undefined;
  /** Policy mode: decides every request (token, path, study scope); takes precedence over `verifyToken`. */
  policy?: GatewayPolicy;
  /** The gateway's own credentials for the upstream (instead of credentials written into its URL). */
  upstreamAuth?: UpstreamAuth;
  /** Origins allowed to call the gateway from a browser (exact `scheme://host:port`), or '*' for any. */
  allowedOrigins: string[] | '*';
  /** Where the gateway is mounted, default `/dicom-web`. */
  prefix?: string;
  /** How long browsers may reuse a preflight answer, in seconds (default 600; Chromium caps it at 7200). */
  corsMaxAgeSeconds?: number;
  /** Receives one entry per request (for tests and the demo's console); the default writes nothing. */
  onRequest?: (entry: GatewayLogEntry) => void;
  /** Receives one audit record per request (see gateway-audit.ts); never contains the token. */
  audit?: AuditSink;
  /** The client address for the audit log (default: the socket's peer). */
  clientAddress?: (req: IncomingMessage) => string | undefined;
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

/**
 * Headers a browser may read from our answers: the multipart boundary and transfer syntax, and
 * Retry-After (ours when token checks are down, or the PACS's), which the viewer's retries honour.
 */
const EXPOSED_HEADERS = 'Content-Type, Content-Length, Retry-After';
/** Policy mode: answers may hold patient data; no cache keeps them, no browser guesses their type. */
const POLICY_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
const gzipped = promisify(gzip);

/**
 * Whether to gzip an answer: DICOM JSON (searches, metadata) shrinks several-fold, which on a phone's
 * slow link is seconds (a 300-slice CT's series metadata: about a megabyte); every browser asks for
 * gzip. Pixel data (frames, instances, rendered images) is sent as it is: compressed already, or too
 * big to be worth the gateway's CPU.
 */
function gzipsJson(req: IncomingMessage, contentType: string | undefined): boolean {
  const accepted = String(req.headers['accept-encoding'] ?? '')
    .split(',')
    .some((coding) => /^\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*$)[\d.]+)?\s*$/i.test(coding));
  return accepted && req.method === 'GET' && /^application\/(dicom\+)?json\b/i.test(contentType ?? '');
}

/** Largest DICOM JSON answer (search or metadata) the policy mode buffers to filter. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
const DICOM_JSON = 'application/dicom+json';

function allowedOrigin(options: GatewayOptions, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (options.allowedOrigins === '*') return origin;
  return options.allowedOrigins.includes(origin) ? origin : undefined;
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' };
}

/** The names (never the values) of the query parameters, for the audit log. */
function parameterNames(rawQuery: string): string[] {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const name = part.split('=')[0]!;
      return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : '(unreadable)';
    });
}

/**
 * Returns a request handler for the gateway; it answers only paths under the prefix and returns false
 * for anything else, so it can share a server with the demo pages.
 */
export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = options.prefix ?? '/dicom-web';
  const policy = options.policy;
  if (!policy && !options.verifyToken) throw new Error('The gateway needs verifyToken or a policy');
  if (policy && typeof options.upstream !== 'string') throw new Error('The policy mode forwards to an upstream URL only');
  const upstream = policy ? createUpstream(options.upstream as string, options.upstreamAuth) : undefined;
  const maxAge = String(options.corsMaxAgeSeconds ?? 600);

  return (req, res) => {
    const rawTarget = req.url ?? '/';
    const queryAt = rawTarget.indexOf('?');
    const rawPath = queryAt < 0 ? rawTarget : rawTarget.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawTarget.slice(queryAt + 1);
    let url: URL;
    try {
      url = new URL(rawTarget, 'http://gateway.invalid');
    } catch {
      return false; // not a target this gateway can read (e.g. a malformed absolute-form URL)
    }
    // The policy mode matches the raw path: `/dicom-web/../x` must not be read as `/x`, nor
    // `/x/../dicom-web/…` as ours.
    const pathname = policy ? rawPath : url.pathname;
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return false;

    const started = Date.now();
    const origin = req.headers.origin;
    const corsOrigin = allowedOrigin(options, origin);
    const entry: GatewayLogEntry = {
      time: new Date(started).toISOString(),
      method: req.method ?? 'GET',
      url: req.url ?? '',
      origin,
      authorization: req.headers.authorization,
      identity: undefined,
      status: 0,
    };
    const subject: AccessSubject = { studies: [] };
    let result: AuditRecord['result'] = 'deny';
    let reason = 'ok';
    const client = options.clientAddress ? options.clientAddress(req) : req.socket.remoteAddress;
    const audit = (status: number) => {
      if (!options.audit) return;
      options.audit({
        time: entry.time,
        event: 'dicomweb-access',
        result,
        reason,
        status,
        method: entry.method,
        path: (policy ? rawPath : url.pathname).slice(0, 1024),
        params: parameterNames(rawQuery),
        ...(subject.jti !== undefined ? { jti: subject.jti } : {}),
        ...(subject.purpose !== undefined ? { purpose: subject.purpose } : {}),
        ...(subject.sub !== undefined ? { sub: subject.sub } : {}),
        studies: subject.studies,
        ...(origin !== undefined ? { origin } : {}),
        ...(client !== undefined ? { client } : {}),
        durationMs: Date.now() - started,
      });
    };
    const extraHeaders = policy ? POLICY_HEADERS : {};
    const finish = (status: number, headers: Record<string, string> = {}, body = '') => {
      entry.status = status;
      options.onRequest?.(entry);
      audit(status);
      res.writeHead(status, { ...corsHeaders(corsOrigin), ...extraHeaders, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const refuse = (status: number, why: string, headers: Record<string, string>, body: string) => {
      reason = why;
      finish(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body);
    };

    // A browser page on a foreign origin gets nothing, not even a readable refusal.
    if (origin && !corsOrigin) return refuse(403, 'origin-not-allowed', {}, 'Origin not allowed'), true;

    if (req.method === 'OPTIONS') {
      result = 'allow';
      reason = 'preflight';
      finish(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Authorization, Accept',
        'Access-Control-Max-Age': maxAge,
      });
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // The body is not read: the connection closes after the answer, so no client reuses a socket
      // that still holds the rest of an upload.
      refuse(405, 'method-not-allowed', { Allow: 'GET, HEAD, OPTIONS', Connection: 'close' }, 'Read-only gateway');
      return true;
    }

    // Logged when the answer is complete; a response the browser abandoned (an aborted load) is
    // logged as 499, nginx's "client closed".
    const logWhenClosed = () =>
      res.on('close', () => {
        entry.status = res.writableFinished ? res.statusCode : 499;
        if (!res.writableFinished) reason = 'client-closed';
        options.onRequest?.(entry);
        audit(entry.status);
      });

    if (policy) {
      policy
        .authorize({ rawPath: rawPath.slice(prefix.length), rawQuery, authorization: req.headers.authorization })
        .then((decision) => {
          Object.assign(subject, decision.subject);
          entry.identity = decision.subject.jti;
          if (!decision.allow) {
            const challenge: Record<number, string> = {
              401: req.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer',
              403: 'Bearer error="insufficient_scope"',
            };
            const text: Record<number, string> = {
              400: `Bad request (${decision.reason})`,
              401: 'A valid bearer token is required',
              403: `This token does not open that study (${decision.reason})`,
              404: 'Not a DICOMweb resource this gateway serves',
              503: 'The gateway cannot check tokens right now; try again shortly',
            };
            const headers: Record<string, string> = challenge[decision.status] ? { 'WWW-Authenticate': challenge[decision.status]! } : {};
            if (decision.status === 503) headers['Retry-After'] = '2';
            refuse(decision.status, decision.reason, headers, text[decision.status]!);
            return;
          }
          result = 'allow';
          logWhenClosed();
          for (const [name, value] of Object.entries({ ...corsHeaders(corsOrigin), ...POLICY_HEADERS })) res.setHeader(name, value);
          return servePlan(decision.plan, upstream!, req, res, subject, (why) => (reason = why));
        })
        .catch((error: unknown) => {
          console.error(`Gateway: ${error instanceof Error ? error.message : String(error)}`);
          if (!res.headersSent) {
            reason = 'gateway-error';
            if (result === 'deny') finish(500, { 'Content-Type': 'text/plain' }, 'Gateway error');
            else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Gateway error');
          } else res.destroy();
        });
      return true;
    }

    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const identity = match ? options.verifyToken!(match[1]!) : undefined;
    if (!identity) {
      refuse(401, match ? 'invalid-token' : 'missing', { 'WWW-Authenticate': 'Bearer' }, 'A valid bearer token is required');
      return true;
    }
    entry.identity = identity;
    subject.jti = identity;
    result = 'allow';
    const path = url.pathname.slice(prefix.length) || '/';
    logWhenClosed();
    for (const [name, value] of Object.entries(corsHeaders(corsOrigin))) res.setHeader(name, value);
    if (typeof options.upstream === 'function') {
      options.upstream(req, res, path, url.searchParams).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error instanceof Error ? error.message : error));
      });
    } else {
      forward(options.upstream, `${path}${url.search}`, req, res, options.upstreamAuth);
    }
    return true;
  };
}

/** The status the browser gets for a PACS answer that is not a success (its body is not passed on). */
function upstreamFailure(status: number): number {
  // 401/403 from the PACS concern the gateway's own credentials, not the user: a gateway fault.
  if (status === 401 || status === 403 || status >= 500) return 502;
  return status;
}

/** The Accept header to pass on for a streamed retrieval (the client's, when it is plain). */
function streamAccept(req: IncomingMessage): string {
  const accept = req.headers.accept;
  return accept && accept.length <= 512 && !hasControlCharacter(accept) ? accept : '*/*';
}

/** Sends an allowed request to the PACS according to the policy's plan and answers the browser. */
async function servePlan(
  plan: UpstreamPlan,
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  subject: AccessSubject,
  setReason: (reason: string) => void,
): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const fail = (status: number, message: string) => {
    setReason(status === 404 ? 'not-found' : `upstream-${status}`);
    if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : message);
  };
  try {
    if (plan.mode === 'stream') {
      const answer = await upstream.request(plan.path, req.method === 'HEAD' ? 'HEAD' : 'GET', streamAccept(req), controller.signal);
      const status = answer.statusCode ?? 502;
      if (status < 200 || status >= 300) {
        answer.resume();
        return fail(upstreamFailure(status), status === 404 ? 'Not found' : 'The PACS refused the request');
      }
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-length']) {
        const value = answer.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      res.writeHead(status, headers);
      answer.pipe(res);
      return;
    }
    const datasets: unknown[] = [];
    const studies = new Set(subject.studies);
    for (const path of plan.paths) {
      const answer = await upstream.request(path, 'GET', DICOM_JSON, controller.signal);
      const status = answer.statusCode ?? 502;
      if (status === 204) {
        answer.resume();
        continue;
      }
      if (status < 200 || status >= 300) {
        answer.resume();
        return fail(upstreamFailure(status), status === 404 ? 'Not found' : 'The PACS refused the request');
      }
      const filtered = filterDatasets(await readJsonBody(answer, MAX_JSON_BYTES), plan.allowedStudies, plan.requireStudy);
      if (!filtered) return fail(502, 'The PACS answer is not a DICOM JSON array');
      datasets.push(...filtered.datasets);
      for (const study of filtered.studies) studies.add(study);
    }
    subject.studies = [...studies];
    const json = JSON.stringify(datasets);
    const compress = gzipsJson(req, DICOM_JSON);
    const body = compress ? await gzipped(json) : Buffer.from(json);
    const encoding: Record<string, string> = compress ? { 'Content-Encoding': 'gzip' } : {};
    res.writeHead(200, { 'Content-Type': DICOM_JSON, 'Content-Length': String(body.length), Vary: 'Origin, Accept-Encoding', ...encoding });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    if (controller.signal.aborted) return; // the browser went away; logged as 499
    fail(error instanceof UpstreamError ? error.status : 502, error instanceof UpstreamError ? error.message : 'The PACS is unreachable');
  }
}

/** Streams a GET to the upstream DICOMweb server with the client's Accept header only. */
function forward(upstream: string, pathAndQuery: string, req: IncomingMessage, res: ServerResponse, auth?: UpstreamAuth): void {
  const target = new URL(upstream.replace(/\/+$/, '') + pathAndQuery);
  const client = target.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { Accept: req.headers.accept ?? DICOM_JSON };
  if (auth) {
    headers.Authorization =
      'bearer' in auth ? `Bearer ${auth.bearer}` : `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
  }
  const outgoing = client.request(target, { method: req.method, headers }, (answer) => {
    const answerHeaders: Record<string, string> = {};
    for (const name of ['content-type', 'content-length']) {
      const value = answer.headers[name];
      if (typeof value === 'string') answerHeaders[name] = value;
    }
    if (gzipsJson(req, answerHeaders['content-type']) && !answer.headers['content-encoding']) {
      delete answerHeaders['content-length'];
      res.writeHead(answer.statusCode ?? 502, { ...answerHeaders, 'Content-Encoding': 'gzip', Vary: 'Origin, Accept-Encoding' });
      answer.pipe(createGzip()).pipe(res);
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answerHeaders);
    answer.pipe(res);
  });
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('Upstream PACS unreachable');
  });
  req.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  outgoing.end();
}

/**
 * Answers CONNECT (a proxy tunnel request) with 405: Node's server hands CONNECT to a 'connect'
 * listener instead of the request handler, and without one drops the connection without an answer.
 */
export function refuseConnect(server: http.Server): void {
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, OPTIONS\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
}

/** Starts a standalone gateway server on a loopback port (tests and the demo use this). */
export async function startGatewayServer(
  options: GatewayOptions,
  port = 0,
  host = '127.0.0.1',
): Promise<{ url: string; server: http.Server; close: () => Promise<void> }> {
  const handle = createGateway(options);
  const server = http.createServer((req, res) => {
    if (!handle(req, res)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not found');
    }
  });
  refuseConnect(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}${options.prefix ?? '/dicom-web'}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
