import { expect } from 'chai';
import { DecodeQueue } from '../../src/imaging/decode-queue.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DecodeQueue', () => {
  it('decodes the images nearest to the one on screen first, a few at a time', async () => {
    const started: number[] = [];
    const finishers: (() => void)[] = [];
    let current = 10;
    const queue = new DecodeQueue({
      concurrency: 2,
      current: () => current,
      decode: (index) => {
        started.push(index);
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
    });
    for (const index of [0, 19, 12, 3, 9]) queue.add(index);
    await tick();
    // Two at a time: the first two start as they come; the rest wait.
    expect(started).to.deep.equal([0, 19]);
    finishers.shift()!();
    await tick();
    expect(started, 'the nearest to slice 10 next').to.deep.equal([0, 19, 9]);
    current = 2; // the reader moved: slice 3 is now the nearest
    finishers.shift()!();
    await tick();
    expect(started).to.deep.equal([0, 19, 9, 3]);
    finishers.shift()!();
    await tick();
    expect(started).to.deep.equal([0, 19, 9, 3, 12]);
  });

  it('holds background decoding back while the user interacts, then goes on', async () => {
    const started: number[] = [];
    const queue = new DecodeQueue({ concurrency: 1, current: () => 0, quietMs: 120, decode: async (index) => void started.push(index) });
    queue.interacted();
    queue.add(1);
    queue.add(2);
    await tick(40);
    expect(started, 'nothing decodes during the interaction').to.deep.equal([]);
    await tick(200);
    expect(started).to.deep.equal([1, 2]);
  });

  it('stops: nothing more is decoded', async () => {
    const started: number[] = [];
    const queue = new DecodeQueue({ concurrency: 1, current: () => 0, quietMs: 50, decode: async (index) => void started.push(index) });
    queue.interacted();
    queue.add(1);
    queue.stop();
    await tick(100);
    queue.add(2);
    await tick();
    expect(started).to.deep.equal([]);
  });
});
