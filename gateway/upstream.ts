/**
 * The gateway's connection to the PACS (any DICOMweb server): requests go out with the gateway's OWN
 * credentials (HTTP Basic or a bearer token of its own, from configuration) and the Accept header the
 * gateway chose; nothing else of the browser's request (its token, cookies, origin) is passed on.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export type UpstreamAuth = { basic: { username: string; password: string } } | { bearer: string };

export interface Upstream {
  /** The base URL without credentials, safe to print. */
  readonly shown: string;
  /** Sends one request; resolves with the answer's head (its body is the stream). */
  request: (pathAndQuery: string, method: 'GET' | 'HEAD', accept: string, signal: AbortSignal) => Promise<IncomingMessage>;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: 502 | 504,
  ) {
    super(message);
  }
}

function authorizationHeader(auth: UpstreamAuth | undefined): string | undefined {
  if (!auth) return undefined;
  if ('bearer' in auth) return `Bearer ${auth.bearer}`;
  return `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
}

/**
 * `url` is the DICOMweb base (e.g. `https://pacs.hospital.example/dicom-web`). Credentials written into
 * it (`https://user:password@host/…`) are used as Basic auth when `auth` is not given.
 */
export function createUpstream(url: string, auth?: UpstreamAuth, timeoutMs = 60_000): Upstream {
  const base = new URL(url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('The upstream must be an http(s) URL');
  const fromUrl: UpstreamAuth | undefined = base.username
    ? { basic: { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) } }
    : undefined;
  base.username = '';
  base.password = '';
  const authorization = authorizationHeader(auth ?? fromUrl);
  const root = base.href.replace(/\/+$/, '');
  const client = base.protocol === 'https:' ? https : http;
  // Keep connections to the PACS open between requests (a viewer load makes several in a burst).
  const agent = new client.Agent({ keepAlive: true, maxSockets: 32 });

  return {
    shown: root,
    request: (pathAndQuery, method, accept, signal) =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'filmless-gateway' };
        if (authorization) headers.Authorization = authorization;
        const outgoing = client.request(`${root}${pathAndQuery}`, { method, headers, agent, signal, timeout: timeoutMs }, resolve);
        outgoing.on('timeout', () => outgoing.destroy(new UpstreamError('The PACS did not answer in time', 504)));
        outgoing.on('error', (error) => reject(error instanceof UpstreamError ? error : new UpstreamError('The PACS is unreachable', 502)));
        outgoing.end();
      }),
  };
}

/** Reads a whole answer as JSON, refusing bodies over `limit` bytes (a QIDO or metadata answer is small). */
export async function readJsonBody(answer: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      answer.destroy();
      throw new UpstreamError('The PACS answer is too large', 502);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamError('The PACS answer is not JSON', 502);
  }
}
