import { expect } from 'chai';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { autoWindow } from '../../src/imaging/auto-window.js';
import { DEFAULT_CINE_FPS, clampFps, seriesFrameRate } from '../../src/viewer/controllers/cine.js';
import { actionForKey } from '../../src/viewer/parts/shortcuts.js';
import { CT_PRESETS, fileWindows } from '../../src/viewer/parts/window-presets.js';

const key = (k: string) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });

/** 0, 1, …, n − 1 */
const ramp = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('auto-window', () => {
  it('spans the 1st to the 99th percentile of the values', () => {
    const window = autoWindow(ramp(1001))!;
    expect(window.lower).to.equal(10);
    expect(window.upper).to.equal(990);
    expect(window.center).to.equal(500);
    expect(window.width).to.equal(980);
  });

  it('is in modality units: stored values go through the rescale', () => {
    const window = autoWindow(ramp(1001), { slope: 2, intercept: -1024 })!;
    expect([window.lower, window.upper]).to.deep.equal([20 - 1024, 1980 - 1024]);
  });

  it('leaves out the pixel padding value, however many pixels carry it', () => {
    const pixels = [...ramp(101), ...Array<number>(5000).fill(0)];
    const window = autoWindow(pixels, { paddingValue: 0 })!;
    expect(window.lower).to.equal(2);
    expect(window.upper).to.equal(99);
  });

  it('leaves out the whole padding range, given in stored units also for pre-scaled pixels', () => {
    // Stored 0–9 are padding; the pixels arrive already rescaled (value = stored − 1000).
    const stored = [...ramp(10), ...ramp(10), ...Array.from({ length: 91 }, (_, i) => 100 + i)];
    const window = autoWindow(
      stored.map((v) => v - 1000),
      { scaled: true, slope: 1, intercept: -1000, paddingValue: 9, paddingLimit: 0 },
    )!;
    expect(window.lower).to.equal(101 - 1000);
    expect(window.upper).to.equal(189 - 1000);
  });

  it('gives a flat image a width of one, and nothing for an image of padding only', () => {
    expect(autoWindow(Array<number>(100).fill(7))).to.deep.equal({ lower: 7, upper: 8, center: 7.5, width: 1 });
    expect(autoWindow(Array<number>(100).fill(-2000), { paddingValue: -2000 })).to.equal(undefined);
  });
});

describe('cine frame rate of a series', () => {
  const dataset = (attributes: Record<string, number | string>): DicomJsonDataset =>
    Object.fromEntries(Object.entries(attributes).map(([tag, value]) => [tag, { vr: 'DS', Value: [value] }]));

  it('prefers RecommendedDisplayFrameRate, then CineRate, then 1000 / FrameTime', () => {
    expect(seriesFrameRate(dataset({ '00082144': 25, '00180040': 30, '00181063': 40 }))).to.equal(25);
    expect(seriesFrameRate(dataset({ '00180040': 30, '00181063': 40 }))).to.equal(30);
    expect(seriesFrameRate(dataset({ '00181063': '33.3333' }))).to.be.closeTo(30, 0.01);
  });

  it('has none without those attributes or with nonsense in them', () => {
    expect(seriesFrameRate(undefined)).to.equal(undefined);
    expect(seriesFrameRate(dataset({ '00181063': 0 }))).to.equal(undefined);
    expect(seriesFrameRate(dataset({ '00082144': 'fast' }))).to.equal(undefined);
    expect(DEFAULT_CINE_FPS).to.equal(15);
  });

  it('keeps a requested rate between 1 and 60 frames per second', () => {
    expect([clampFps(0.2), clampFps(24), clampFps(500)]).to.deep.equal([1, 24, 60]);
  });
});

describe("a file's own windows", () => {
  it('pairs every WindowCenter with its WindowWidth and explanation, in order', () => {
    const instance: DicomJsonDataset = {
      '00281050': { vr: 'DS', Value: [40, '600'] },
      '00281051': { vr: 'DS', Value: [80, 2800] },
      '00281055': { vr: 'LO', Value: ['BRAIN', '<b>BONE</b>'] },
    };
    expect(fileWindows(instance)).to.deep.equal([
      { center: 40, width: 80, explanation: 'BRAIN' },
      { center: 600, width: 2800, explanation: '<b>BONE</b>' },
    ]);
  });

  it('leaves out pairs without a positive width, and reads an enhanced frame’s functional group', () => {
    expect(fileWindows({ '00281050': { vr: 'DS', Value: [40, 50] }, '00281051': { vr: 'DS', Value: [0, 100] } })).to.deep.equal([{ center: 50, width: 100, explanation: '' }]);
    const voi = (center: number, width: number): DicomJsonDataset => ({ '00289132': { vr: 'SQ', Value: [{ '00281050': { vr: 'DS', Value: [center] }, '00281051': { vr: 'DS', Value: [width] } }] } });
    const enhanced: DicomJsonDataset = {
      '52009229': { vr: 'SQ', Value: [voi(300, 600)] },
      '52009230': { vr: 'SQ', Value: [voi(10, 20), {}] },
    };
    expect(fileWindows(enhanced, 1)).to.deep.equal([{ center: 10, width: 20, explanation: '' }]);
    expect(fileWindows(enhanced, 2)).to.deep.equal([{ center: 300, width: 600, explanation: '' }]);
  });
});

describe('view tool keys', () => {
  it('maps 1 to 8 to the eight CT presets, in the order of the table', () => {
    expect(CT_PRESETS.map((p) => p.label)).to.deep.equal(['presetBrain', 'presetSubdural', 'presetStroke', 'presetLung', 'presetMediastinum', 'presetAbdomen', 'presetLiver', 'presetBone']);
    expect(actionForKey(key('8'))).to.deep.equal({ type: 'preset', index: 7 });
  });

  it('turns, flips, inverts, fits, shows 1:1 and plays', () => {
    expect(actionForKey(key('e'))).to.deep.equal({ type: 'rotate', degrees: 90 });
    expect(actionForKey(key('Q'))).to.deep.equal({ type: 'rotate', degrees: -90 });
    expect(actionForKey(key('h'))).to.deep.equal({ type: 'flip', direction: 'horizontal' });
    expect(actionForKey(key('v'))).to.deep.equal({ type: 'flip', direction: 'vertical' });
    expect(actionForKey(key('n'))).to.deep.equal({ type: 'invert' });
    expect(actionForKey(key('f'))).to.deep.equal({ type: 'fit' });
    expect(actionForKey(key('a'))).to.deep.equal({ type: 'actualSize' });
    expect(actionForKey(key(' '))).to.deep.equal({ type: 'cine' });
    expect(actionForKey(key('Escape'))).to.deep.equal({ type: 'cineStop' });
  });
});
