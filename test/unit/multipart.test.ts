import { expect } from 'chai';
import { MultipartReader, boundaryOf, mediaTypeParameter, parseMultipart } from '../../src/dicomweb/multipart.js';

const encode = (text: string) => new TextEncoder().encode(text);

function body(boundary: string, parts: { type: string; bytes: Uint8Array }[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(encode(`--${boundary}\r\nContent-Type: ${part.type}\r\n\r\n`), part.bytes, encode('\r\n'));
  }
  chunks.push(encode(`--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

describe('multipart/related reading', () => {
  it('reads the boundary and the transfer syntax, quoted or not', () => {
    expect(boundaryOf('multipart/related; type="application/dicom"; boundary="abc 1"')).to.equal('abc 1');
    expect(boundaryOf('multipart/related; boundary=xyz')).to.equal('xyz');
    expect(mediaTypeParameter('multipart/related; type="application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"; boundary=b', 'transfer-syntax')).to.equal('1.2.840.10008.1.2.1');
  });

  it('splits parts whose bytes contain CR, LF and dashes', () => {
    const tricky = new Uint8Array([13, 10, 45, 45, 13, 13, 10, 45, 98, 0, 255]);
    const parts = parseMultipart(body('b0', [{ type: 'application/octet-stream', bytes: tricky }, { type: 'text/plain', bytes: encode('x') }]), 'multipart/related; boundary=b0');
    expect(parts.map((p) => [...p.body])).to.deep.equal([[...tricky], [120]]);
    expect(parts[0]!.headers['content-type']).to.equal('application/octet-stream');
  });

  it('gives the same parts whatever the network chunking, one byte at a time included', () => {
    const bytes = body('bnd', [1, 2, 3].map((n) => ({ type: 'a/b', bytes: new Uint8Array(1000 * n).fill(n) })));
    for (const size of [1, 7, 64, 4096]) {
      const reader = new MultipartReader('bnd');
      const sizes: number[] = [];
      for (let i = 0; i < bytes.length; i += size) sizes.push(...reader.push(bytes.subarray(i, i + size)).map((p) => p.body.length));
      expect(sizes, `chunks of ${size}`).to.deep.equal([1000, 2000, 3000]);
      expect(reader.done).to.equal(true);
    }
  });
});
