/**
 * The limit page's multipart/related reader: yields each part's body as the bytes arrive. A part that
 * announces its Content-Length is cut at once; otherwise the closing delimiter is searched with
 * Boyer–Moore–Horspool. Bytes are copied once into a growing buffer and once out as the part.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function boundaryOf(contentType: string | null): string | undefined {
  const match = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

/** The transfer syntax a frames answer names in its top-level type (Orthanc does), if it names one. */
export function transferSyntaxOf(contentType: string | null): string | undefined {
  return /transfer-syntax=([0-9.]+)/i.exec(contentType ?? '')?.[1];
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const n = needle.length;
  const last = n - 1;
  const skip = new Uint32Array(256).fill(n);
  for (let i = 0; i < last; i++) skip[needle[i]!] = last - i;
  for (let i = from; i + last < to; ) {
    let j = last;
    while (j >= 0 && haystack[i + j] === needle[j]) j--;
    if (j < 0) return i;
    i += skip[haystack[i + last]!]!;
  }
  return -1;
}

export class MultipartReader {
  private buffer = new Uint8Array(1 << 20);
  private length = 0;
  private readonly delimiter: Uint8Array;
  private ended = false;

  constructor(boundary: string) {
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
    // The first delimiter has no CRLF before it; pretend it has, so every delimiter looks the same.
    this.append(encoder.encode('\r\n'));
  }

  /** Feeds bytes; returns the bodies of the parts completed by them. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const parts: Uint8Array[] = [];
    for (let part = this.next(); part; part = this.next()) parts.push(part);
    return parts;
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + chunk.length));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }

  private next(): Uint8Array | undefined {
    if (this.ended) return undefined;
    const { buffer, delimiter } = this;
    // The buffer starts with a delimiter, then "--" (the end) or CRLF, headers, CRLF CRLF, the body.
    const afterDelimiter = delimiter.length;
    if (this.length < afterDelimiter + 2) return undefined;
    if (buffer[afterDelimiter] === 0x2d && buffer[afterDelimiter + 1] === 0x2d) {
      this.ended = true;
      return undefined;
    }
    const headerEnd = indexOfBytes(buffer, encoder.encode('\r\n\r\n'), afterDelimiter, this.length);
    if (headerEnd < 0) return undefined;
    const headers = decoder.decode(buffer.subarray(afterDelimiter, headerEnd));
    const bodyStart = headerEnd + 4;
    const declared = /content-length:\s*(\d+)/i.exec(headers);
    let bodyEnd: number;
    if (declared) {
      bodyEnd = bodyStart + Number(declared[1]);
      if (this.length < bodyEnd + delimiter.length) return undefined;
    } else {
      bodyEnd = indexOfBytes(buffer, delimiter, bodyStart, this.length);
      if (bodyEnd < 0) return undefined;
    }
    const body = buffer.slice(bodyStart, bodyEnd);
    buffer.copyWithin(0, bodyEnd, this.length);
    this.length -= bodyEnd;
    return body;
  }
}

/** All parts of a complete multipart body. */
export function parseMultipart(body: Uint8Array, contentType: string | null): Uint8Array[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error(`not multipart: ${contentType ?? 'no type'}`);
  return new MultipartReader(boundary).push(body);
}
