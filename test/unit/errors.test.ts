// Error mapping (src/errors.ts) and the codestream check every compressed frame passes before decoding
// (src/dicomweb/frame-check.ts): what becomes `network`, `internal` or `bad-data`.
import { expect } from 'chai';
import { FILMLESS_ERROR_CODES, FilmlessError, isFetchFailure, isProgrammingError, toFilmlessError } from '../../src/errors.js';
import { checkFrame } from '../../src/dicomweb/frame-check.js';
import { en, tr, vi } from '../../src/i18n/messages.js';

describe('error mapping', () => {
  it('makes a failed fetch a retryable network error', async () => {
    const failure = await fetch('http://127.0.0.1:9/nothing').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isFetchFailure(failure)).to.equal(true);
    const mapped = toFilmlessError(failure);
    expect(mapped.code).to.equal('network');
    expect(mapped.retryable).to.equal(true);
    expect(mapped.cause).to.equal(failure);
  });

  it('makes any other TypeError a fault of the viewer (internal), not a network error', () => {
    let bug: unknown;
    try {
      void (undefined as unknown as { x: number }).x;
    } catch (error) {
      bug = error;
    }
    expect(bug).to.be.instanceOf(TypeError);
    expect(isProgrammingError(bug)).to.equal(true);
    const mapped = toFilmlessError(bug);
    expect(mapped.code).to.equal('internal');
    expect(mapped.retryable).to.equal(false);
    expect(mapped.message).to.contain('TypeError');
  });

  it('makes RangeError and ReferenceError internal whatever fallback the caller gives', () => {
    expect(toFilmlessError(new RangeError('offset is out of bounds'), 'bad-data').code).to.equal('internal');
    expect(toFilmlessError(new ReferenceError('x is not defined'), 'server').code).to.equal('internal');
  });

  it('no longer takes an unknown error for damaged data: internal by default, the fallback when given', () => {
    expect(toFilmlessError(new Error('something')).code).to.equal('internal');
    expect(toFilmlessError('a thrown string').code).to.equal('internal');
    expect(toFilmlessError(new Error('token service down'), 'server').code).to.equal('server');
  });

  it('keeps a FilmlessError as it is', () => {
    const original = new FilmlessError('bad-data', 'Frame 3 did not decode');
    expect(toFilmlessError(original, 'network')).to.equal(original);
  });

  it('lists internal among the codes, with a message in every language', () => {
    expect(FILMLESS_ERROR_CODES).to.include('internal');
    for (const table of [en, tr, vi]) for (const code of FILMLESS_ERROR_CODES) expect(table[`error.${code}`], `error.${code}`).to.be.a('string').and.not.equal('');
  });
});

const shape = { columns: 4, rows: 2, samplesPerPixel: 1, bitsAllocated: 16 };
const JPEG_LS = '1.2.840.10008.1.2.4.80';
const J2K = '1.2.840.10008.1.2.4.90';
const RLE = '1.2.840.10008.1.2.5';

/** A JPEG 2000 codestream head: SOC, SIZ for one component of `width` × `height`, then `tail`. */
function j2k(width: number, height: number, tail: number[], sizLength = 41): Uint8Array {
  const siz = new Uint8Array(4 + 41);
  const view = new DataView(siz.buffer);
  view.setUint16(0, 0xff4f);
  view.setUint16(2, 0xff51);
  view.setUint16(4, sizLength);
  view.setUint32(8, width);
  view.setUint32(12, height);
  view.setUint16(40, 1);
  return Uint8Array.from([...siz, 0xff, 0x90, ...tail]);
}

/** An RLE frame (PS3.5 G.5) of 16-bit samples: two segments, each a replicate run over the 8 pixels. */
function rle(segments = 2, secondOffset = 66, pixels = 8): Uint8Array {
  const frame = new Uint8Array(68);
  const view = new DataView(frame.buffer);
  view.setUint32(0, segments, true);
  view.setUint32(4, 64, true);
  view.setUint32(8, secondOffset, true);
  frame.set([257 - pixels, 0], 64);
  frame.set([257 - pixels, 7], 66);
  return frame;
}

describe('codestream check before decoding', () => {
  it('passes whole JPEG-LS, JPEG 2000 and RLE frames, with trailing padding', () => {
    expect(() => checkFrame(Uint8Array.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9, 0]), JPEG_LS, shape)).not.to.throw();
    expect(() => checkFrame(j2k(4, 2, [1, 2, 0xff, 0xd9]), J2K, shape)).not.to.throw();
    expect(() => checkFrame(rle(), RLE, shape)).not.to.throw();
    expect(() => checkFrame(new Uint8Array(3), '1.2.840.10008.1.2.1', shape), 'uncompressed frames are checked elsewhere').not.to.throw();
  });

  const bad: [string, () => void][] = [
    ['a JPEG frame cut short (no end marker)', () => checkFrame(Uint8Array.from([0xff, 0xd8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), JPEG_LS, shape)],
    ['a JPEG frame without its start marker', () => checkFrame(Uint8Array.from([0x00, 0x27, 1, 2, 0xff, 0xd9]), JPEG_LS, shape)],
    ['a JPEG 2000 frame cut short', () => checkFrame(j2k(4, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), J2K, shape)],
    ['a JPEG 2000 frame with a wrong SIZ length', () => checkFrame(j2k(4, 2, [0xff, 0xd9], 2), J2K, shape)],
    ['a JPEG 2000 frame of another size than its header', () => checkFrame(j2k(8, 8, [0xff, 0xd9]), J2K, shape)],
    ['an RLE frame with a garbage segment count', () => checkFrame(rle(0xfffffffd), RLE, shape)],
    ['an RLE frame whose segment starts past its end', () => checkFrame(rle(2, 1000), RLE, shape)],
    ['an RLE frame whose segments hold too few pixels', () => checkFrame(rle(2, 66, 3), RLE, shape)],
  ];
  for (const [what, check] of bad) {
    it(`refuses ${what} as bad-data`, () => {
      try {
        check();
      } catch (error) {
        expect(error).to.be.instanceOf(FilmlessError);
        expect((error as FilmlessError).code).to.equal('bad-data');
        return;
      }
      expect.fail('no error');
    });
  }
});
