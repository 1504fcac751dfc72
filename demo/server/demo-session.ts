/**
 * The demo's stand-in for a hospital's login: one random bearer token per server run, handed to the
 * demo's own pages through `GET /demo/session` with the DICOMweb URL and the list of studies. Pages
 * keep the token in memory and set it as the viewer's `token` property; it never goes into a URL or
 * an HTML attribute, where history, server logs and screenshots would keep it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StudySummary } from './dicom-index.js';

export const SESSION_PATH = '/demo/session';
/** What the gateway logs instead of the token. */
export const SESSION_IDENTITY = 'demo-session';

/** The body of `GET /demo/session`. */
export interface DemoSession {
  /** Absolute URL of the gateway, e.g. `http://localhost:8080/dicom-web`. */
  dicomwebUrl: string;
  token: string;
  /** Empty when the gateway forwards to a PACS (FILMLESS_UPSTREAM): the demo cannot list its studies. */
  studies: StudySummary[];
  /** A folder the demo indexed, or a PACS it forwards to. */
  sourceKind: 'folder' | 'upstream';
  /** Where the images come from, in words, for the page to show. */
  source: string;
}

export function createSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The gateway's `verifyToken`: the session token is valid and nothing else is. */
export function acceptOnly(token: string): (candidate: string) => string | undefined {
  const expected = Buffer.from(token);
  return (candidate) => {
    const given = Buffer.from(candidate);
    // Constant time, so response timing does not tell a guesser how much of the token was right.
    return given.length === expected.length && timingSafeEqual(given, expected) ? SESSION_IDENTITY : undefined;
  };
}

export interface SessionRouteOptions {
  token: string;
  /** The only origins whose pages may ask (see demo-origins.ts); the first is the canonical one. */
  ownOrigins: readonly string[];
  /** Where the gateway is mounted, e.g. `/dicom-web`. */
  dicomwebPath: string;
  studies: StudySummary[];
  sourceKind: DemoSession['sourceKind'];
  source: string;
}

/** Answers `GET /demo/session`; returns false for every other path so the caller can route on. */
export function createSessionRoute(options: SessionRouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (url.pathname !== SESSION_PATH) return false;

    if (!isSameOrigin(req, options.ownOrigins)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('The demo session is only given to the demo pages');
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Read-only');
      return true;
    }
    const origin = requestOrigin(req, options.ownOrigins);
    const session: DemoSession = {
      dicomwebUrl: `${origin}${options.dicomwebPath}`,
      token: options.token,
      studies: options.studies,
      sourceKind: options.sourceKind,
      source: options.source,
    };
    const body = JSON.stringify(session);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      // A token must not linger in the browser's HTTP cache.
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/**
 * The origin the page asking was loaded from, for URLs handed back to it. It is picked from our own
 * origin list, never echoed from the Host header; an unknown Host gets the canonical origin.
 */
export function requestOrigin(req: IncomingMessage, ownOrigins: readonly string[]): string {
  const pageOrigin = `http://${req.headers.host ?? ''}`;
  return ownOrigins.includes(pageOrigin) ? pageOrigin : ownOrigins[0]!;
}

/**
 * Browsers omit Origin on a same-origin GET and send it on cross-origin ones, except "no-cors" ones,
 * which Sec-Fetch-Site still marks. Requests from outside a browser (curl) carry neither and pass:
 * this guards against other web pages, not against someone at this machine's keyboard.
 */
export function isSameOrigin(req: IncomingMessage, ownOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && !ownOrigins.includes(origin)) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
