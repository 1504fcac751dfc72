/**
 * Incremental reader for `multipart/related` bodies (RFC 2387), as WADO-RS returns them.
 * It is fed network chunks as they arrive, so a series streamed in one response yields each instance
 * as soon as its last byte is in, instead of after the whole series.
 */

export interface MultipartPart {
  /** Header names are lower-cased. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const CRLF_CRLF = new Uint8Array([13, 10, 13, 10]);

/** Reads the `boundary` parameter of a multipart Content-Type, or undefined when there is none. */
export function boundaryOf(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Reads one parameter of a media type, e.g. `transfer-syntax`, tolerating quotes. */
export function mediaTypeParameter(contentType: string | undefined | null, name: string): string | undefined {
  if (!contentType) return undefined;
  const pattern = new RegExp(`(?:^|;|\\s|")${name}=(?:"([^"]*)"|([^;"\\s]+))`, 'i');
  const match = pattern.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Finds `needle` in `haystack[from, end)`. The first byte is located with the native
 * TypedArray#indexOf, so scanning a 150 MB series costs native speed, not a JavaScript loop per byte.
 */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0]!;
  const last = end - needle.length;
  let i = Math.max(0, from);
  while (i <= last) {
    i = haystack.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i++;
  }
  return -1;
}

export class MultipartReader {
  private readonly delimiter: Uint8Array;
  private buffer = new Uint8Array(0);
  private length = 0;
  private start = 0;
  private searchFrom = 0;
  private seenFirstDelimiter = false;
  private finished = false;

  constructor(boundary: string) {
    // Parts are separated by CRLF "--boundary"; the very first one may lack the leading CRLF.
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  /** True once the closing delimiter was read. */
  get done(): boolean {
    return this.finished;
  }

  /** Adds bytes and returns every part completed by them. */
  push(chunk: Uint8Array): MultipartPart[] {
    this.append(chunk);
    const parts: MultipartPart[] = [];
    if (!this.seenFirstDelimiter && !this.consumeFirstDelimiter()) return parts;
    while (!this.finished) {
      const at = indexOf(this.buffer, this.delimiter, this.searchFrom, this.length);
      if (at < 0) {
        this.searchFrom = Math.max(this.start, this.length - this.delimiter.length);
        break;
      }
      const after = at + this.delimiter.length;
      if (this.length < after + 2) {
        // Not enough bytes to know whether this is the closing delimiter: wait for more before taking
        // the part, or it would be taken again on the next push.
        this.searchFrom = at;
        break;
      }
      const part = this.parsePart(this.buffer.subarray(this.start, at));
      if (part) parts.push(part);
      if (this.buffer[after] === 45 && this.buffer[after + 1] === 45) {
        this.finished = true;
      }
      this.start = after + 2;
      this.searchFrom = this.start;
      this.compact();
    }
    return parts;
  }

  private consumeFirstDelimiter(): boolean {
    // Accept "--boundary" at the very start, or after a preamble.
    const bare = this.delimiter.subarray(2);
    const at = indexOf(this.buffer, bare, 0, this.length);
    if (at < 0 || this.length < at + bare.length + 2) return false;
    this.seenFirstDelimiter = true;
    this.start = at + bare.length + 2;
    this.searchFrom = this.start;
    return true;
  }

  private parsePart(raw: Uint8Array): MultipartPart | undefined {
    const headers: Record<string, string> = {};
    let body: Uint8Array;
    // A part without headers starts with the blank line that ends its (empty) header block.
    const headerEnd = raw[0] === 13 && raw[1] === 10 ? -1 : indexOf(raw, CRLF_CRLF, 0, raw.length);
    if (headerEnd < 0) {
      body = raw[0] === 13 && raw[1] === 10 ? raw.subarray(2) : raw;
    } else {
      const text = new TextDecoder('latin1').decode(raw.subarray(0, headerEnd));
      for (const line of text.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      body = raw.subarray(headerEnd + 4);
    }
    // Copy out: the reader's buffer is reused, and callers keep parts beyond the next push.
    return { headers, body: body.slice() };
  }

  private append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2, 64 * 1024));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
  }

  /** Drops consumed bytes so memory stays bounded by one part, not the whole response. */
  private compact(): void {
    if (this.start < 1024 * 1024 && this.start < this.length / 2) return;
    this.buffer.copyWithin(0, this.start, this.length);
    this.length -= this.start;
    this.searchFrom -= this.start;
    this.start = 0;
  }
}

/** Parses a complete multipart body in one go. */
export function parseMultipart(body: Uint8Array, contentType: string | null): MultipartPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  return new MultipartReader(boundary).push(body);
}
