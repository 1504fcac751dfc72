/**
 * The demo's second gateway, for shared links: `/shared/dicom-web` in policy mode (gateway-policy.ts),
 * where a study-scoped ES256 token (token-issuer.ts) opens its own studies and nothing else, the way a
 * hospital exposes patient and partner access next to its clinicians' gateway.
 *
 * The policy mode forwards to a DICOMweb URL, so a folder of DICOM files is first served on an
 * internal HTTP server: 127.0.0.1, a random port, and a random bearer secret of its own that only this
 * gateway holds (another local program that finds the port is refused). Browsers never see it.
 *
 * The signing key is FILMLESS_TOKEN_KEY(_FILE) when set (main.ts reads it), else a key pair made at
 * start-up and kept in memory: links made before a restart then stop working, which suits a demo.
 */
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type DicomwebHandler, type GatewayLogEntry } from '../../gateway/gateway.js';
import { createTokenPolicy } from '../../gateway/policy.js';
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '../../gateway/token-claims.js';
import { createTokenIssuer, type IssuedToken, type TokenRequest } from '../../gateway/token-issuer.js';
import { keyId, loadSigningKey, loadVerificationKeys, type KeySource, type SigningKey, type VerificationKey } from '../../gateway/token-keys.js';
import { createTokenVerifier } from '../../gateway/token-verifier.js';

export const SHARED_DICOMWEB_PATH = '/shared/dicom-web';
const INTERNAL_PREFIX = '/dicom-web';
/** The longest lifetime the shared gateway accepts even when shares are shorter (token-cli's 24 h tokens). */
const DAY_SECONDS = 24 * 3600;

export interface SharedGatewayOptions {
  /** What to serve: a DICOMweb URL (FILMLESS_UPSTREAM) or the folder source's in-process handler. */
  upstream: string | DicomwebHandler;
  allowedOrigins: string[];
  /** Lifetime of share tokens, in seconds; the gateway accepts tokens up to that long (at least 24 h). */
  shareTtlSeconds: number;
  /** FILMLESS_TOKEN_KEY(_FILE); a fresh key pair when absent. */
  keySource?: KeySource;
  /** JWT `iss` and `aud` (FILMLESS_TOKEN_ISSUER, FILMLESS_TOKEN_AUDIENCE; defaults as token-cli.ts). */
  tokenIssuer?: string;
  tokenAudience?: string;
  now?: () => Date;
  onRequest?: (entry: GatewayLogEntry) => void;
}

export interface SharedGateway {
  /** Answers requests under /shared/dicom-web; false for other paths. */
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  issue: (request: TokenRequest) => Promise<IssuedToken>;
  /** Where the key came from, for the start-up message. */
  keyOrigin: string;
  close: () => Promise<void>;
}

async function keys(source: KeySource | undefined): Promise<{ signing: SigningKey; verification: VerificationKey[]; origin: string }> {
  if (source) {
    return { signing: await loadSigningKey(source), verification: await loadVerificationKeys(source), origin: source.from };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = await keyId(publicKey);
  return { signing: { privateKey, kid }, verification: [{ publicKey, kid }], origin: 'a key pair made at start-up (in memory)' };
}

/** Serves the folder source on loopback for the policy gateway, behind a secret only the gateway knows. */
async function startInternalSource(handler: DicomwebHandler): Promise<{ url: string; secret: string; close: () => Promise<void> }> {
  const secret = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${secret}`);
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Internal DICOMweb source');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://internal.invalid');
    if (url.pathname !== INTERNAL_PREFIX && !url.pathname.startsWith(`${INTERNAL_PREFIX}/`)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    handler(req, res, url.pathname.slice(INTERNAL_PREFIX.length) || '/', url.searchParams).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${INTERNAL_PREFIX}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function createSharedGateway(options: SharedGatewayOptions): Promise<SharedGateway> {
  const issuerName = options.tokenIssuer || DEFAULT_TOKEN_ISSUER;
  const audience = options.tokenAudience || DEFAULT_TOKEN_AUDIENCE;
  const maxLifetimeSeconds = Math.max(options.shareTtlSeconds, DAY_SECONDS);
  const now = options.now ?? (() => new Date());
  const { signing, verification, origin } = await keys(options.keySource);

  const internal = typeof options.upstream === 'string' ? undefined : await startInternalSource(options.upstream);
  const verifier = createTokenVerifier({ keys: verification, issuer: issuerName, audience, maxLifetimeSeconds, now });
  const handle = createGateway({
    upstream: internal ? internal.url : (options.upstream as string),
    ...(internal ? { upstreamAuth: { bearer: internal.secret } } : {}),
    policy: createTokenPolicy({ verifier }),
    allowedOrigins: options.allowedOrigins,
    prefix: SHARED_DICOMWEB_PATH,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const issuer = createTokenIssuer({ key: signing, issuer: issuerName, audience, maxLifetimeSeconds, now });

  return {
    handle,
    issue: (request) => issuer.issue(request),
    keyOrigin: origin,
    close: async () => {
      await internal?.close();
    },
  };
}
