// Cornerstone's WebGL texture probe, run in a worker (src/imaging/texture-probe.ts) so that it does not
// block the main thread after the first image: its answer must be the one Cornerstone finds itself on
// the same GPU, stored where Cornerstone looks for it.
import { expect } from 'chai';
import { detectRenderingCapabilities } from '@cornerstonejs/core';
import { probeTexturesOffMainThread } from '../../src/imaging/texture-probe.js';

const KEY = 'cornerstone3D.renderingCapabilities';

describe('the texture probe off the main thread', () => {
  it('stores the renderer and texture formats Cornerstone finds itself, where Cornerstone reads them', async function () {
    this.timeout(20_000);
    localStorage.removeItem(KEY);
    await probeTexturesOffMainThread();
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { probeVersion: number; renderer: string; webgl2: boolean; formats: Record<string, boolean> } | null;
    expect(stored, 'an entry in Cornerstone\'s cache').to.not.equal(null);
    // Cornerstone's own probe on this page's main thread, its cache left aside.
    const own = detectRenderingCapabilities({ useCache: false });
    expect(stored!.renderer).to.equal(own.renderer);
    expect(stored!.webgl2).to.equal(own.webgl2);
    const { norm16, norm16Linear, float, floatLinear, halfFloat, halfFloatLinear } = own;
    expect(stored!.formats).to.deep.equal({ norm16, norm16Linear, float, floatLinear, halfFloat, halfFloatLinear });
    // And Cornerstone takes it: with its cache on, it answers the same without probing again.
    expect(detectRenderingCapabilities()).to.deep.include({ renderer: own.renderer, norm16, float, halfFloat });
  });
});
