import { expect } from 'chai';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { framesOf } from '../../src/study/slice-order.js';
import { largestStack, seriesWarnings, splitStacks, stackSummary } from '../../src/study/stacks.js';

const AXIAL = [1, 0, 0, 0, 1, 0];

let sop = 0;
function image(instanceNumber: number, z: number, extra: DicomJsonDataset = {}, orientation = AXIAL, xy: [number, number] = [0, 0]): DicomJsonDataset {
  sop += 1;
  return {
    '00080018': { vr: 'UI', Value: [`1.2.3.${sop}`] },
    '00200013': { vr: 'IS', Value: [instanceNumber] },
    '00200032': { vr: 'DS', Value: [xy[0], xy[1], z] },
    '00200037': { vr: 'DS', Value: orientation },
    '00280030': { vr: 'DS', Value: [0.5, 0.5] },
    ...extra,
  };
}

const echo = (n: number): DicomJsonDataset => ({ '00180086': { vr: 'IS', Value: [n] } });
const stacksOf = (instances: DicomJsonDataset[], transferSyntax = '') => splitStacks(framesOf(instances), transferSyntax);
const zs = (frames: { instance: DicomJsonDataset }[]) => frames.map((f) => (f.instance['00200032']!.Value as number[])[2]);
const echoes = (frames: { instance: DicomJsonDataset }[]) => frames.map((f) => (f.instance['00180086']!.Value as number[])[0]);

describe('stacks', () => {
  it('keeps a plain axial series as one stack', () => {
    const stacks = stacksOf([1, 2, 3, 4].map((n) => image(n, n * 5)));
    expect(stacks).to.have.length(1);
    expect(zs(stacks[0]!.frames)).to.deep.equal([5, 10, 15, 20]);
    expect(stacks[0]!.warnings).to.deep.equal([]);
  });

  it('splits two echoes at the same positions into two stacks, never interleaved', () => {
    // Stored as a dual-echo MR does: echo 1 and 2 alternate at each position.
    const instances = [0, 1, 2, 3].flatMap((i) => [image(2 * i + 1, i * 4, echo(1)), image(2 * i + 2, i * 4, echo(2))]);
    const stacks = stacksOf(instances);
    expect(stacks).to.have.length(2);
    expect(echoes(stacks[0]!.frames)).to.deep.equal([1, 1, 1, 1]);
    expect(echoes(stacks[1]!.frames)).to.deep.equal([2, 2, 2, 2]);
    expect(zs(stacks[0]!.frames)).to.deep.equal([0, 4, 8, 12]);
    expect(zs(stacks[1]!.frames)).to.deep.equal([0, 4, 8, 12]);
  });

  it('splits frames that differ in orientation (a three-plane localizer)', () => {
    const sagittal = [0, 1, 0, 0, 0, -1];
    const coronal = [1, 0, 0, 0, 0, -1];
    const stacks = stacksOf([image(1, 0), image(2, 5), image(3, 0, {}, sagittal), image(4, 0, {}, coronal), image(5, 10)]);
    expect(stacks.map((s) => s.frames.length)).to.deep.equal([3, 1, 1]);
    expect(stacks.map((s) => stackSummary(s).plane)).to.deep.equal(['axial', 'sagittal', 'coronal']);
  });

  it('splits repeated positions without any telling attribute by their order (phase 1, phase 2)', () => {
    const instances = [image(1, 0), image(2, 5), image(3, 10), image(4, 0), image(5, 5), image(6, 10)];
    const stacks = stacksOf(instances);
    expect(stacks).to.have.length(2);
    expect(stacks[0]!.frames.map((f) => f.instanceNumber)).to.deep.equal([1, 2, 3]);
    expect(stacks[1]!.frames.map((f) => f.instanceNumber)).to.deep.equal([4, 5, 6]);
  });

  it('splits diffusion b-values and temporal positions', () => {
    const b = (value: number): DicomJsonDataset => ({ '00189087': { vr: 'FD', Value: [value] } });
    expect(stacksOf([image(1, 0, b(0)), image(2, 0, b(1000)), image(3, 5, b(0)), image(4, 5, b(1000))]).map((s) => s.frames.length)).to.deep.equal([2, 2]);
    const t = (value: number): DicomJsonDataset => ({ '00200100': { vr: 'IS', Value: [value] } });
    const temporal = stacksOf([1, 2, 3].flatMap((p) => [image(p * 2 - 1, 0, t(p)), image(p * 2, 7, t(p))]));
    expect(temporal.map((s) => s.frames.length)).to.deep.equal([2, 2, 2]);
  });

  it('splits an enhanced multi-frame image by its per-frame functional groups (two temporal positions at the same positions)', () => {
    const frame = (z: number, temporal: number): DicomJsonDataset => ({
      '00209111': { vr: 'SQ', Value: [{ '00209128': { vr: 'UL', Value: [temporal] } }] },
      '00209113': { vr: 'SQ', Value: [{ '00200032': { vr: 'DS', Value: [0, 0, z] } }] },
    });
    const enhanced: DicomJsonDataset = {
      '00080018': { vr: 'UI', Value: ['1.2.3.enhanced'] },
      '00280008': { vr: 'IS', Value: [6] },
      '52009229': { vr: 'SQ', Value: [{ '00209116': { vr: 'SQ', Value: [{ '00200037': { vr: 'DS', Value: AXIAL } }] } }] },
      '52009230': { vr: 'SQ', Value: [frame(0, 1), frame(0, 2), frame(3, 1), frame(3, 2), frame(6, 1), frame(6, 2)] },
    };
    const stacks = stacksOf([enhanced]);
    expect(stacks.map((s) => s.frames.map((f) => f.frameNumber))).to.deep.equal([[1, 3, 5], [2, 4, 6]]);
  });

  it('keeps a one-stack series whole even when its frames carry different echo numbers at distinct positions', () => {
    const stacks = stacksOf([image(1, 0, echo(1)), image(2, 5, echo(2)), image(3, 10, echo(1))]);
    expect(stacks).to.have.length(1);
  });

  it('chooses the largest stack by default', () => {
    expect(largestStack([3, 20, 20, 4])).to.equal(1);
    expect(largestStack([5])).to.equal(0);
  });

  it('warns of missing slices when one gap is more than 10 % off the median spacing', () => {
    const even = stacksOf([0, 1, 2, 3, 4, 5].map((i) => image(i + 1, i * 2.5)));
    expect(even[0]!.warnings).to.not.include('missing-slices');
    const gap = stacksOf([0, 1, 2, 4, 5, 6].map((i) => image(i + 1, i * 2.5)));
    expect(gap[0]!.warnings).to.include('missing-slices');
  });

  it('warns of a gantry tilt when positions move along the rows as well as the normal', () => {
    // 20° tilt: each 5 mm step along z moves 5·tan(20°) mm along y.
    const shear = Math.tan((20 * Math.PI) / 180) * 5;
    const tilted = stacksOf([0, 1, 2, 3].map((i) => image(i + 1, i * 5, {}, AXIAL, [0, i * shear])));
    expect(tilted[0]!.warnings).to.include('gantry-tilt');
    const straight = stacksOf([0, 1, 2, 3].map((i) => image(i + 1, i * 5, {}, AXIAL, [0.0004 * i, 0])));
    expect(straight[0]!.warnings).to.not.include('gantry-tilt');
  });

  it('warns of lossy compression from LossyImageCompression or the transfer syntax', () => {
    const flagged = stacksOf([image(1, 0, { '00282110': { vr: 'CS', Value: ['01'] } })]);
    expect(flagged[0]!.warnings).to.include('lossy');
    expect(stacksOf([image(1, 0, { '00282110': { vr: 'CS', Value: ['00'] } })])[0]!.warnings).to.not.include('lossy');
    expect(stacksOf([image(1, 0)], '1.2.840.10008.1.2.4.50')[0]!.warnings).to.include('lossy');
    expect(stacksOf([image(1, 0)], '1.2.840.10008.1.2.4.70')[0]!.warnings).to.not.include('lossy');
  });

  it('warns of non-square pixels and of localizers', () => {
    const wide = stacksOf([image(1, 0, { '00280030': { vr: 'DS', Value: [0.5, 0.7] } })]);
    expect(wide[0]!.warnings).to.include('non-square-pixels');
    const scout = stacksOf([image(1, 0, { '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] } })]);
    expect(scout[0]!.warnings).to.deep.equal(['localizer']);
  });

  it('gives a series every warning of its stacks, each once, in the documented order', () => {
    expect(seriesWarnings([{ warnings: ['localizer', 'lossy'] }, { warnings: ['lossy', 'missing-slices'] }])).to.deep.equal(['missing-slices', 'lossy', 'localizer']);
  });
});
