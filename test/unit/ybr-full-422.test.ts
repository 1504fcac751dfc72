import { expect } from 'chai';
import { ybrFull422ToRgb } from '../../src/imaging/ybr-full-422.js';

describe('uncompressed YBR_FULL_422 to RGB', () => {
  it('gives each of two pixels its own luminance and their shared colour (PS3.3 YBR_FULL equations)', () => {
    // Two pixels: Y 100 and 200, neutral chroma; then two pixels: Y 76, Cb 85, Cr 255 (pure red).
    const rgb = ybrFull422ToRgb(new Uint8Array([100, 200, 128, 128, 76, 76, 85, 255]), 1, 4)!;
    expect([...rgb.subarray(0, 6)]).to.deep.equal([100, 100, 100, 200, 200, 200]);
    expect([...rgb.subarray(6, 9)]).to.deep.equal([254, 0, 0]);
  });

  it('refuses a frame whose length or width does not fit the layout', () => {
    expect(ybrFull422ToRgb(new Uint8Array(6), 1, 4)).to.equal(undefined);
    expect(ybrFull422ToRgb(new Uint8Array(6), 1, 3)).to.equal(undefined);
  });
});
