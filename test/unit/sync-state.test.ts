import { expect } from 'chai';
import { parseSyncMessage } from '../../src/collab/protocol.js';
import { type FilmlessSyncState, parseViewState } from '../../src/collab/view-state.js';
import type { FilmlessViewportState } from '../../src/viewer/events.js';

const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.2';

function viewport(overrides: Partial<FilmlessViewportState> = {}): FilmlessViewportState {
  return {
    studyInstanceUID: STUDY, seriesInstanceUID: SERIES, imageIndex: 3, imageCount: 10, windowCenter: 40, windowWidth: 400,
    zoom: 1.5, pan: [0.1, -0.2], rotation: 0, flipH: false, flipV: false, invert: false, ...overrides,
  };
}

function state(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, studyInstanceUID: STUDY, layout: '1x2', activeViewport: 1, viewports: [viewport(), viewport({ seriesInstanceUID: '', studyInstanceUID: '', imageIndex: 0, imageCount: 0 })], measurements: [], ...overrides };
}

function refused(input: unknown): string {
  const parsed = parseViewState(input);
  expect(parsed.ok, 'refused').to.equal(false);
  return parsed.ok ? '' : parsed.reason;
}

describe('reading a view state from untrusted input', () => {
  it('reads a valid state into fresh objects equal to it', () => {
    const input = state({ pointer: { viewport: 0, x: 12.5, y: 100 } });
    const parsed = parseViewState(input);
    expect(parsed.ok).to.equal(true);
    if (!parsed.ok) return;
    expect(parsed.value).to.deep.equal(input);
    expect(parsed.value.viewports[0]).not.to.equal((input['viewports'] as unknown[])[0]);
    expect(parsed.value.viewports[0]!.pan).not.to.equal(viewport().pan);
  });

  it('accepts what getViewState returns (the active viewport repeated at the top level) and drops the repeats', () => {
    const parsed = parseViewState(state({ seriesInstanceUID: SERIES, imageIndex: 3, imageCount: 10, windowCenter: 40, windowWidth: 400, zoom: 1.5, origin: 'user' }));
    expect(parsed.ok).to.equal(true);
    if (parsed.ok) expect(parsed.value).not.to.have.property('imageIndex');
    const withOwnFields = parseViewState(state({ viewports: [{ ...viewport(), orientation: { top: 'A', right: 'L', bottom: 'P', left: 'R' }, stackIndex: 0, cine: { playing: true, fps: 10, achievedFps: 9 } }, viewport()] }));
    expect(withOwnFields.ok && withOwnFields.value.viewports[0]).to.deep.equal(viewport());
  });

  it('refuses unknown versions, a missing version and extra fields', () => {
    expect(refused(state({ v: 2 }))).to.match(/state\.v/);
    const unversioned: Record<string, unknown> = { ...state() };
    delete unversioned.v;
    expect(refused(unversioned)).to.match(/state\.v/);
    expect(refused(state({ extra: 1 }))).to.match(/unknown field extra/);
    expect(refused(state({ viewports: [viewport({ extra: true } as never), viewport()] }))).to.match(/unknown field extra/);
  });

  it('refuses wrong types, NaN and infinities', () => {
    refused(state({ layout: 2 }));
    refused(state({ activeViewport: '1' }));
    refused(state({ viewports: [viewport({ windowCenter: Number.NaN }), viewport()] }));
    refused(state({ viewports: [viewport({ zoom: Number.POSITIVE_INFINITY }), viewport()] }));
    refused(state({ viewports: [viewport({ flipH: 'yes' as never }), viewport()] }));
    refused(state({ viewports: [viewport({ pan: [0] as never }), viewport()] }));
    refused(state({ viewports: 'none' }));
    refused(null);
    refused('{"v":1}');
    refused([state()]);
  });

  it('refuses negative and out-of-range indexes and a viewport count that does not match the layout', () => {
    refused(state({ activeViewport: -1 }));
    refused(state({ activeViewport: 2 }));
    refused(state({ activeViewport: 0.5 }));
    refused(state({ viewports: [viewport({ imageIndex: -1 }), viewport()] }));
    refused(state({ viewports: [viewport({ imageIndex: 10 }), viewport()] }));
    refused(state({ viewports: [viewport()] }));
    refused(state({ layout: '3x3' }));
  });

  it('refuses huge arrays before reading their items', () => {
    const huge = new Array(1_000_000);
    expect(refused(state({ viewports: huge }))).to.match(/more than/);
    expect(refused(state({ measurements: huge }))).to.match(/more than/);
  });

  it('refuses strings that are not DICOM UIDs', () => {
    refused(state({ studyInstanceUID: '<img src=x>' }));
    refused(state({ studyInstanceUID: '1.2.'.repeat(40) + '1' }));
    refused(state({ viewports: [viewport({ seriesInstanceUID: '../../etc' }), viewport()] }));
  });

  it('refuses __proto__, constructor and prototype keys anywhere, and leaves Object.prototype alone', () => {
    const keysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const json of [
      `{"v":1,"__proto__":{"polluted":true}}`,
      JSON.stringify(state()).replace('"layout"', '"constructor":{"prototype":{"polluted":true}},"layout"'),
      JSON.stringify(state()).replace('"zoom"', '"__proto__":{"polluted":true},"zoom"'),
      JSON.stringify(state({ measurements: [{ id: 'm', kind: 'length', prototype: { polluted: true } }] })),
    ]) {
      refused(JSON.parse(json));
      expect(parseSyncMessage(`{"type":"state","from":"a","seq":1,"state":${json}}`).ok).to.equal(false);
    }
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(keysBefore);
  });

  it('refuses objects with getters, class instances and proxies that throw, without throwing', () => {
    const getter = state();
    Object.defineProperty(getter, 'layout', { get: () => { throw new Error('boom'); }, enumerable: true });
    refused(getter);
    refused(new (class { v = 1; })());
    refused(new Proxy(state(), { ownKeys: () => { throw new Error('trap'); } }));
  });

  it('reads measurements as addMeasurement needs them, and drops their values', () => {
    const measurement = { id: 'm1', kind: 'length', studyInstanceUID: STUDY, seriesInstanceUID: SERIES, sopInstanceUID: '1.2.3.9', frame: 1, imagePoints: [[1, 2], [3.5, 4]], label: 'a' };
    const parsed = parseViewState(state({ measurements: [{ ...measurement, imageIndex: 3, value: 12.5, unit: 'mm', calibration: 'pixel-spacing', points: [[0, 0, 0], [1, 1, 1]] }] }));
    expect(parsed.ok && parsed.value.measurements).to.deep.equal([measurement]);
    refused(state({ measurements: [{ ...measurement, kind: 'laser' }] }));
    refused(state({ measurements: [{ ...measurement, imagePoints: [[1, 2]] }] }));
    refused(state({ measurements: [{ ...measurement, imagePoints: [[1, Number.NaN], [3, 4]] }] }));
    refused(state({ measurements: [{ ...measurement, frame: 0 }] }));
    refused(state({ measurements: [{ ...measurement, script: '<x>' }] }));
    refused(state({ measurements: [measurement, measurement] }));
    refused(state({ measurements: [[1, 2]] }));
  });

  it('gives a state back the same through JSON', () => {
    const parsed = parseViewState(JSON.parse(JSON.stringify(state())) as unknown);
    expect(parsed.ok && (parsed.value satisfies FilmlessSyncState)).to.deep.equal(state());
  });
});
