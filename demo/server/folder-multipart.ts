/**
 * multipart/related framing (RFC 2387) for WADO-RS responses: frames and Part-10 files.
 *
 * Only the framing lives here, as Buffers around the bodies, so callers can stream large bodies
 * between them instead of assembling the whole response in memory.
 */
import { randomBytes } from 'node:crypto';

/** A boundary that cannot plausibly occur inside pixel data. */
export function newBoundary(): string {
  return `filmless-${randomBytes(16).toString('hex')}`;
}

/** The response Content-Type: `multipart/related; type="<partType>"; boundary=<boundary>`. */
export function multipartContentType(partType: string, boundary: string): string {
  return `multipart/related; type="${partType}"; boundary=${boundary}`;
}

/** What goes before one part's body: the delimiter line and the part's headers. */
export function partOpening(boundary: string, headers: Readonly<Record<string, string>>): Buffer {
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return Buffer.from(`--${boundary}\r\n${headerLines}\r\n`, 'latin1');
}

/** What goes after one part's body. */
export const PART_CLOSING = Buffer.from('\r\n', 'latin1');

/** The close-delimiter after the last part. */
export function multipartClosing(boundary: string): Buffer {
  return Buffer.from(`--${boundary}--\r\n`, 'latin1');
}
