import { expect } from 'chai';
import { TouchGestures } from '../../src/viewer/parts/touch-gestures.js';

function recorder() {
  const calls: string[] = [];
  const gestures = new TouchGestures({
    drag: (dx, dy) => calls.push(`drag ${dx},${dy}`),
    pinch: (factor, dx, dy) => calls.push(`pinch ${factor.toFixed(2)} ${dx},${dy}`),
    doubleTap: () => calls.push('doubleTap'),
  });
  return { gestures, calls };
}

const touch = (pointerId: number, clientX: number, clientY: number, timeStamp: number) => ({ pointerId, pointerType: 'touch', clientX, clientY, timeStamp });

describe('touch gestures', () => {
  it('reports one-finger movement as drags', () => {
    const { gestures, calls } = recorder();
    gestures.down(touch(1, 100, 100, 0));
    gestures.move(touch(1, 100, 130, 16));
    gestures.up(touch(1, 100, 130, 32));
    expect(calls).to.deep.equal(['drag 0,30']);
  });

  it('turns two fingers spreading apart into a zoom-in pinch, and their common move into a pan', () => {
    const { gestures, calls } = recorder();
    gestures.down(touch(1, 100, 100, 0));
    gestures.down(touch(2, 200, 100, 5));
    gestures.move(touch(2, 300, 100, 20)); // distance 100 → 200, midpoint 150 → 200
    expect(calls).to.deep.equal(['pinch 2.00 50,0']);
  });

  it('recognises a double tap, and not two taps far apart in time', () => {
    const { gestures, calls } = recorder();
    for (const t of [0, 120]) {
      gestures.down(touch(1, 50, 50, t));
      gestures.up(touch(1, 51, 50, t + 60));
    }
    expect(calls).to.deep.equal(['doubleTap']);
    for (const t of [1000, 2000]) {
      gestures.down(touch(1, 50, 50, t));
      gestures.up(touch(1, 50, 50, t + 60));
    }
    expect(calls).to.deep.equal(['doubleTap']);
  });

  it('does not count the end of a pinch as a tap', () => {
    const { gestures, calls } = recorder();
    gestures.down(touch(1, 100, 100, 0));
    gestures.down(touch(2, 120, 100, 0));
    gestures.up(touch(2, 120, 100, 50));
    gestures.up(touch(1, 100, 100, 60));
    gestures.down(touch(1, 100, 100, 100));
    gestures.up(touch(1, 100, 100, 150));
    expect(calls).to.deep.equal([]);
  });

  it('ignores mouse and pen pointers (Cornerstone tools own those)', () => {
    const { gestures, calls } = recorder();
    expect(gestures.down({ ...touch(1, 0, 0, 0), pointerType: 'mouse' })).to.equal(false);
    gestures.move({ ...touch(1, 10, 10, 5), pointerType: 'mouse' });
    expect(calls).to.deep.equal([]);
  });
});
