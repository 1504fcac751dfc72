import { expect } from 'chai';
import { SHORTCUTS, actionForKey } from '../../src/viewer/parts/shortcuts.js';

const key = (k: string, mods: Partial<Record<'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('maps arrows to slices and Shift+arrows to panning', () => {
    expect(actionForKey(key('ArrowDown'))).to.deep.equal({ type: 'scroll', delta: 1 });
    expect(actionForKey(key('ArrowDown', { shiftKey: true }))).to.deep.equal({ type: 'pan', dx: 0, dy: 20 });
  });

  it('maps 1–8 to the eight CT presets', () => {
    expect(actionForKey(key('3'))).to.deep.equal({ type: 'preset', index: 2 });
    expect(actionForKey(key('8'))).to.deep.equal({ type: 'preset', index: 7 });
  });

  it('leaves browser and screen-reader chords alone', () => {
    expect(actionForKey(key('ArrowDown', { ctrlKey: true }))).to.equal(undefined);
    expect(actionForKey(key('r', { metaKey: true }))).to.equal(undefined);
    expect(actionForKey(key('Tab'))).to.equal(undefined);
  });

  it('uses each key once', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).to.equal(keys.length);
  });
});
