import { expect } from 'chai';
import { CineController } from '../../src/viewer/controllers/cine.js';
import type { ViewerContext } from '../../src/viewer/controllers/viewer-context.js';
import type { ViewportCell, ViewportGrid } from '../../src/viewer/controllers/viewport-grid.js';

/**
 * A viewport whose slices take `decodeMs(index)` to show, as a slow decoder would; the cine controller
 * drives it through the same calls it makes on the real stack.
 */
function fakeGrid(count: number, decodeMs: (index: number) => number) {
  let index = 0;
  const shown: number[] = [];
  const times: number[] = [];
  const series = { frames: Array.from({ length: count }, () => ({ instance: {} })) };
  const stack = {
    isShowing: true,
    state: () => ({ imageIndex: index }),
    showImage: (next: number) =>
      new Promise<boolean>((resolve) =>
        setTimeout(() => {
          index = next;
          shown.push(next);
          times.push(performance.now());
          resolve(true);
        }, decodeMs(next)),
      ),
  };
  const cell = { id: 0, load: { series, stack } } as unknown as ViewportCell;
  const grid = { active: cell, cells: [cell], activate: () => undefined } as unknown as ViewportGrid;
  const context = { host: { addController: () => undefined, requestUpdate: () => undefined } } as unknown as ViewerContext;
  return { grid, context, shown, times, cell, moveTo: (i: number) => (index = i) };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cine controller', () => {
  it('waits for every frame of a slow decoder: each slice in order, none skipped, and no burst afterwards', async () => {
    // Slices 1–4 take 150 ms to decode (slower than 20 fps' 50 ms), the others are at once.
    const { grid, context, shown, times } = fakeGrid(12, (i) => (i >= 1 && i <= 4 ? 150 : 0));
    const cine = new CineController(context, grid);
    cine.play(20);
    const deadline = performance.now() + 10_000;
    while (shown.length < 10 && performance.now() < deadline) await wait(20);
    cine.stop();
    expect(shown.slice(0, 10)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // After the slow frames the clock restarts: the fast ones come one interval apart, not all at once to catch up.
    const gaps = times.slice(4, 10).map((t, i) => t - times[3 + i]!);
    expect(Math.min(...gaps), `gaps ${gaps.map(Math.round).join(', ')} ms`).to.be.greaterThan(30);
  });

  it('loops from the last slice to the first and reports the rate asked', async () => {
    const { grid, context, shown, cell } = fakeGrid(3, () => 0);
    const cine = new CineController(context, grid);
    cine.play(30);
    expect(cine.stateOf(cell)?.fps).to.equal(30);
    await wait(400);
    cine.stop();
    expect(shown.slice(0, 5)).to.deep.equal([1, 2, 0, 1, 2]);
    expect(cine.stateOf(cell)).to.equal(undefined);
  });

  it('gives way when the slice shown changes by anything else', async () => {
    const { grid, context, shown, cell, moveTo } = fakeGrid(50, () => 0);
    const cine = new CineController(context, grid);
    cine.play(20);
    await wait(200);
    moveTo(40);
    await wait(200);
    expect(cine.stateOf(cell)).to.equal(undefined);
    expect(shown).to.not.include(41);
  });
});
