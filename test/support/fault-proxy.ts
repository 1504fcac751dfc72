/**
 * A fault-injecting HTTP proxy between the viewer and the test PACS's gateway: what a hospital network
 * and a struggling PACS do to requests (README, "Network faults"). Every request passes through
 * unchanged unless a rule set by the test (the `fault` server command) matches it; every request is
 * logged (method, URL, Authorization, status, what was done to it), so a test counts what the viewer
 * sent. Rules match by substrings of the URL (each test's own study UID or accession number), so the
 * tests of one run never meet each other's faults.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import * as dicomParserModule from 'dicom-parser';
import { MultipartReader, boundaryOf } from '../../src/dicomweb/multipart.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

/** What a DICOMweb request asks for, told from its path. */
export type RequestKind = 'qido' | 'metadata' | 'frames' | 'series' | 'instance' | 'rendered' | 'other';

export type Fault =
  /** Answers this status itself (with CORS headers, and `Retry-After` exposed), e.g. 401, 403, 429, 503, or an HTML page with 200. */
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string; contentType?: string }
  /** A slow server: the answer's headers come `ms` later (nothing is forwarded if the client gave up meanwhile). */
  | { type: 'delay'; ms: number }
  /** The real answer, with another Content-Type. */
  | { type: 'content-type'; contentType: string }
  /**
   * A multipart answer cut after `afterParts` whole parts (and half of the next): `drop` breaks the
   * connection, `end` ends the body cleanly (a truncated body), `stall` sends nothing more until the
   * client gives up.
   */
  | { type: 'cut'; afterParts: number; how: 'drop' | 'end' | 'stall' }
  /** A multipart series answer without the instances named (a server that will not give them). */
  | { type: 'omit'; sopInstanceUIDs: string[] };

export interface FaultRule {
  /** Only requests whose path and query contain every one of these strings. */
  match?: string[];
  kind?: RequestKind | RequestKind[];
  /** Only requests carrying this bearer token. */
  token?: string;
  /** The rule sleeps until a request of this kind (and these substrings) has passed the proxy. */
  armedBy?: { kind: RequestKind; match?: string[] };
  /** Matching requests let through before the fault applies (default 0). */
  skip?: number;
  /** How many matching requests get the fault (default: every one). */
  times?: number;
  fault: Fault;
}

export interface ProxyLogEntry {
  /** Order of arrival, from 1. */
  seq: number;
  /** Arrival, ms since the epoch. */
  time: number;
  method: string;
  /** Path and query as the viewer sent them. */
  url: string;
  kind: RequestKind;
  authorization: string | null;
  /** The status the viewer got (0: none, the connection was dropped or the client went first). */
  status: number;
  /** What the proxy did to it, e.g. `status 429`, `delay 3000`, `cut drop after 3` (absent: nothing). */
  fault?: string;
  /** For a multipart series answer: the SOPInstanceUIDs of the parts forwarded whole, in order. */
  parts?: string[];
  /** When the answer ended, ms since the epoch. */
  ended?: number;
}

export interface FaultProxy {
  /** The proxy's DICOMweb base, standing in for the gateway's. */
  url: string;
  setRules(rules: FaultRule[]): void;
  clearRules(): void;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

/** The kind of a DICOMweb request, from its path. */
export function requestKind(path: string): RequestKind {
  const p = path.split('?')[0]!.replace(/\/+$/, '');
  if (/\/rendered$/.test(p)) return 'rendered';
  if (/\/metadata$/.test(p)) return 'metadata';
  if (/\/frames\/[\d,]+$/.test(p)) return 'frames';
  if (/\/studies\/[^/]+\/series\/[^/]+\/instances\/[^/]+$/.test(p)) return 'instance';
  if (/\/studies\/[^/]+\/series\/[^/]+$/.test(p)) return 'series';
  if (/\/(studies|series|instances)$/.test(p)) return 'qido';
  return 'other';
}

/** The SOPInstanceUID of a Part-10 file (its meta header's, else its dataset's). */
function sopInstanceUIDOf(part10: Uint8Array): string {
  try {
    const dataSet = dicomParser.parseDicom(part10, { untilTag: 'x00080018' });
    return (dataSet.string('x00020003') ?? dataSet.string('x00080018') ?? '?').trim();
  } catch {
    return '?';
  }
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
  armed: boolean;
}

export async function startFaultProxy(upstreamBase: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamBase);
  let rules: ActiveRule[] = [];
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const matches = (rule: { match?: string[]; kind?: RequestKind | RequestKind[] }, url: string, kind: RequestKind) =>
    (rule.match ?? []).every((s) => url.includes(s)) && (rule.kind === undefined || (Array.isArray(rule.kind) ? rule.kind.includes(kind) : rule.kind === kind));

  /** The fault for this request, if a rule applies (counting it). */
  function faultFor(url: string, kind: RequestKind, authorization: string | null): Fault | undefined {
    let chosen: Fault | undefined;
    for (const rule of rules) {
      if (!rule.armed) {
        // The request that arms the rule is the first it applies to.
        if (!rule.armedBy || !matches(rule.armedBy, url, kind)) continue;
        rule.armed = true;
      }
      if (!matches(rule, url, kind)) continue;
      if (rule.token !== undefined && authorization !== `Bearer ${rule.token}`) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      if (chosen) continue;
      rule.applied += 1;
      chosen = rule.fault;
    }
    return chosen;
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    return origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Content-Type, Content-Length, Retry-After', Vary: 'Origin' } : {};
  }

  function forward(req: IncomingMessage): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host };
      const outgoing = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, resolve);
      outgoing.on('error', reject);
      req.pipe(outgoing);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const kind = requestKind(url);
    const authorization = req.headers.authorization ?? null;
    const entry: ProxyLogEntry = { seq: log.length + 1, time: Date.now(), method: req.method ?? 'GET', url, kind, authorization, status: 0 };
    log.push(entry);
    let clientGone = false;
    res.on('close', () => {
      clientGone = !res.writableFinished;
      entry.ended ??= Date.now();
    });
    const fault = req.method === 'GET' ? faultFor(url, kind, authorization) : undefined;
    if (fault) entry.fault = fault.type === 'status' ? `status ${fault.status}` : fault.type === 'delay' ? `delay ${fault.ms}` : fault.type === 'cut' ? `cut ${fault.how} after ${fault.afterParts}` : fault.type;

    if (fault?.type === 'status') {
      entry.status = fault.status;
      res.writeHead(fault.status, { ...corsHeaders(req), 'Content-Type': fault.contentType ?? 'text/plain', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }
    if (fault?.type === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (clientGone || res.destroyed) return;
    }
    const answer = await forward(req);
    const status = answer.statusCode ?? 502;
    entry.status = status;
    const headers = { ...answer.headers };
    const boundary = boundaryOf(String(headers['content-type'] ?? ''));
    if (fault?.type === 'content-type') headers['content-type'] = fault.contentType;
    const reshaped = status === 200 && boundary && (kind === 'series' || fault?.type === 'cut' || fault?.type === 'omit');
    if (!reshaped) {
      res.writeHead(status, headers);
      answer.pipe(res);
      return;
    }
    // Multipart: re-sent part by part, so parts can be counted, left out, or the body cut between them.
    delete headers['content-length'];
    res.writeHead(status, headers);
    entry.parts = [];
    const reader = new MultipartReader(boundary);
    const omit = new Set(fault?.type === 'omit' ? fault.sopInstanceUIDs : []);
    const cut = fault?.type === 'cut' ? fault : undefined;
    const encoder = new TextEncoder();
    const serialize = (part: { headers: Record<string, string>; body: Uint8Array }) =>
      Buffer.concat([
        encoder.encode(`--${boundary}\r\n${Object.entries(part.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
        part.body,
        encoder.encode('\r\n'),
      ]);
    let stopped = false;
    // Resolves once the bytes are handed to the socket: a connection dropped after them still delivers them.
    const write = (bytes: Uint8Array) => new Promise<void>((resolve) => res.write(bytes, () => resolve()));
    answer.on('error', () => res.destroy());
    for await (const chunk of answer as AsyncIterable<Buffer>) {
      if (stopped || clientGone) break;
      for (const part of reader.push(chunk)) {
        const uid = sopInstanceUIDOf(part.body);
        if (omit.has(uid)) continue;
        const bytes = serialize(part);
        if (cut && entry.parts.length >= cut.afterParts) {
          // Half of the next part, so that the last whole part's closing delimiter has been sent.
          await write(bytes.subarray(0, Math.floor(bytes.length / 2)));
          stopped = true;
          break;
        }
        await write(bytes);
        entry.parts.push(uid);
      }
    }
    answer.destroy();
    if (cut && stopped) {
      if (cut.how === 'end') res.end();
      // drop: a moment later, so that the browser has read what was sent (bytes it has not read when the
      // connection breaks are lost with it, as on a real network)
      else if (cut.how === 'drop') setTimeout(() => res.socket?.destroy(), 500);
      // stall: the response stays open until the client gives up (or the proxy closes)
      return;
    }
    res.end(encoder.encode(`--${boundary}--\r\n`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, corsHeaders(req)).end(String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/+$/, '')}`,
    setRules(next) {
      rules = [...rules, ...next.map((rule) => ({ ...rule, seen: 0, applied: 0, armed: !rule.armedBy }))];
    },
    clearRules() {
      rules = [];
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
