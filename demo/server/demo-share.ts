/**
 * Sharing in the demo: what a hospital's backend does when a clinician presses Share or a result
 * sheet is printed.
 *
 *   POST /demo/share-token   {studyInstanceUID}  with `Authorization: Bearer <session token>`, from the
 *                            demo's own pages only → {token, expiresAt, accessCode, dicomwebUrl, link}:
 *                            a study-scoped token (purpose `patient`) for /shared/dicom-web, a short
 *                            access code standing for the same link, and the link itself (the
 *                            standalone viewer page, the study, the token in the fragment).
 *   POST /demo/redeem        {code} → {link, studyInstanceUID, expiresAt}; 400 not a code, 404 unknown,
 *                            410 expired, 429 too many failed attempts from this client (Retry-After).
 *
 * The body of `/demo/share-token` is a ShareGrant (src/share/share-link.ts) plus `link`, so a page can
 * hand the answer straight to the viewer's `shareTokenProvider`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessCodeStore, formatAccessCode, normalizeAccessCode } from './demo-access-codes.js';
import { AttemptLimiter } from './demo-attempt-limit.js';
import { isSameOrigin, requestOrigin } from './demo-session.js';
import { SHARED_DICOMWEB_PATH } from './demo-shared-gateway.js';
import type { StudySummary } from './dicom-index.js';
import { isUid } from '../../gateway/token-claims.js';
import type { IssuedToken, TokenRequest } from '../../gateway/token-issuer.js';

export const SHARE_TOKEN_PATH = '/demo/share-token';
export const REDEEM_PATH = '/demo/redeem';
/** The standalone viewer page (viewer.html at the repository root, served by Vite). */
export const VIEWER_PATH = '/viewer.html';
const MAX_BODY_BYTES = 4096;

/** The body of `POST /demo/share-token`. */
export interface DemoShareGrant {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
  /** `XXXX-XXXX`, to type at /demo/access. */
  accessCode: string;
  /** `<origin>/shared/dicom-web`, where the token is valid. */
  dicomwebUrl: string;
  /** The share link: viewer page, IHE IID parameters of the study, `#token=…`. */
  link: string;
}

/** The body of `POST /demo/redeem`. */
export interface DemoRedeemed {
  link: string;
  studyInstanceUID: string;
  expiresAt: string;
}

export interface ShareRoutesOptions {
  ownOrigins: readonly string[];
  /** Accepts the session token (demo-session.ts acceptOnly); undefined refuses. */
  verifySessionToken: (token: string) => string | undefined;
  issue: (request: TokenRequest) => Promise<IssuedToken>;
  shareTtlSeconds: number;
  /** The studies that can be shared (folder mode), or undefined when any well-formed UID may be (a PACS). */
  studies: readonly StudySummary[] | undefined;
  /** Failed access-code attempts a client may make per minute (default 10). */
  redeemAttemptsPerMinute?: number;
  now?: () => number;
}

/** The share link for a study, as the viewer's buildShareLink makes it (src/share/share-link.ts). */
export function shareLinkFor(origin: string, studyInstanceUID: string, token: string): string {
  const url = new URL(VIEWER_PATH, origin);
  url.searchParams.set('requestType', 'STUDY');
  url.searchParams.set('studyUID', studyInstanceUID);
  url.searchParams.set('dicomweb', `${origin}${SHARED_DICOMWEB_PATH}`);
  url.hash = `token=${encodeURIComponent(token)}`;
  return url.href;
}

/** Accession numbers the token can carry as its `accession` claim (exact text, see token-claims.ts). */
function exactAccession(accession: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return accession && accession.length <= 64 && !/[*?\\\u0000-\u001f\u007f]/.test(accession) ? accession : undefined;
}

class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415) {
    super(`HTTP ${status}`);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new BodyError(415);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413);
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new BodyError(400);
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    // Tokens and links must not linger in any cache.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Answers the two share routes; returns false for every other path. */
export function createShareRoutes(options: ShareRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = options.now ?? Date.now;
  const codes = new AccessCodeStore(now);
  const limiter = new AttemptLimiter(options.redeemAttemptsPerMinute ?? 10, 60_000, now);
  const studies = options.studies ? new Map(options.studies.map((study) => [study.studyInstanceUID, study])) : undefined;

  const shareToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !options.verifySessionToken(bearer)) {
      answer(res, 401, { error: 'session-token-required' }, { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    const body = await readJson(req);
    const uid = body.studyInstanceUID;
    if (typeof uid !== 'string' || !isUid(uid)) {
      answer(res, 400, { error: 'studyInstanceUID must be a DICOM UID' });
      return;
    }
    const study = studies?.get(uid);
    if (studies && !study) {
      answer(res, 404, { error: 'no such study on this server' });
      return;
    }
    const accession = study ? exactAccession(study.accessionNumber) : undefined;
    const issued = await options.issue({
      studies: [uid],
      purpose: 'patient',
      ttl: options.shareTtlSeconds,
      ...(accession ? { accession } : {}),
    });
    const origin = requestOrigin(req, options.ownOrigins);
    const code = codes.add({ studyInstanceUID: uid, token: issued.token, expiresAtMs: issued.expiresAt.getTime() });
    const grant: DemoShareGrant = {
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
      accessCode: formatAccessCode(code),
      dicomwebUrl: `${origin}${SHARED_DICOMWEB_PATH}`,
      link: shareLinkFor(origin, uid, issued.token),
    };
    answer(res, 200, grant);
  };

  const redeem = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const client = req.socket.remoteAddress ?? 'unknown';
    const wait = limiter.retryAfterSeconds(client);
    if (wait > 0) {
      answer(res, 429, { error: 'too-many-attempts', retryAfterSeconds: wait }, { 'Retry-After': String(wait) });
      return;
    }
    let code: unknown;
    try {
      code = (await readJson(req)).code;
    } catch (error) {
      limiter.recordFailure(client);
      throw error;
    }
    if (typeof code !== 'string' || normalizeAccessCode(code) === undefined) {
      limiter.recordFailure(client);
      answer(res, 400, { error: 'not-a-code' });
      return;
    }
    const found = codes.lookup(code);
    if (found.status !== 'valid') {
      limiter.recordFailure(client);
      if (found.status === 'expired') answer(res, 410, { error: 'expired', expiresAt: new Date(found.expiresAtMs).toISOString() });
      else answer(res, 404, { error: 'unknown-code' });
      return;
    }
    const { grant } = found;
    const redeemed: DemoRedeemed = {
      link: shareLinkFor(requestOrigin(req, options.ownOrigins), grant.studyInstanceUID, grant.token),
      studyInstanceUID: grant.studyInstanceUID,
      expiresAt: new Date(grant.expiresAtMs).toISOString(),
    };
    answer(res, 200, redeemed);
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = path === SHARE_TOKEN_PATH ? shareToken : path === REDEEM_PATH ? redeem : undefined;
    if (!route) return false;
    // Only the demo's own pages may ask; a page elsewhere gets nothing, not even a readable refusal.
    if (!isSameOrigin(req, options.ownOrigins)) {
      answer(res, 403, { error: 'only the demo pages may ask' });
      return true;
    }
    if (req.method !== 'POST') {
      answer(res, 405, { error: 'POST only' }, { Allow: 'POST' });
      return true;
    }
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof BodyError) {
        const text = { 400: 'the body must be a JSON object', 413: 'the body is too large', 415: 'send application/json' }[error.status];
        // An unread body would stay in the connection: close it after the answer.
        answer(res, error.status, { error: text }, { Connection: 'close' });
        return;
      }
      console.error(`Share route: ${error instanceof Error ? error.message : String(error)}`);
      answer(res, 500, { error: 'the share could not be made' });
    });
    return true;
  };
}
