import { expect } from 'chai';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { framesOf, orderFrames, sliceNormal } from '../../src/study/slice-order.js';

function instance(sop: string, instanceNumber: number, position: number[], orientation = [1, 0, 0, 0, 1, 0]): DicomJsonDataset {
  return {
    '00080018': { vr: 'UI', Value: [sop] },
    '00200013': { vr: 'IS', Value: [instanceNumber] },
    '00200032': { vr: 'DS', Value: position },
    '00200037': { vr: 'DS', Value: orientation },
  };
}

const order = (instances: DicomJsonDataset[]) => orderFrames(framesOf(instances)).map((f) => f.sopInstanceUID);

describe('slice ordering', () => {
  it('orders axial slices by position along the normal, not by arrival order', () => {
    const instances = [instance('c', 3, [0, 0, 20]), instance('a', 1, [0, 0, 0]), instance('b', 2, [0, 0, 10])];
    expect(order(instances)).to.deep.equal(['a', 'b', 'c']);
  });

  it('fixes InstanceNumbers that disagree with geometry in the middle of the series', () => {
    // Instance 2 was numbered out of place: geometry puts it last.
    const instances = [instance('a', 1, [0, 0, 0]), instance('x', 2, [0, 0, 30]), instance('b', 3, [0, 0, 10]), instance('c', 4, [0, 0, 20])];
    expect(order(instances)).to.deep.equal(['a', 'b', 'c', 'x']);
  });

  it('keeps the scanner direction: when InstanceNumber runs head to feet, so does the stack', () => {
    const instances = [instance('feet', 3, [0, 0, -20]), instance('head', 1, [0, 0, 20]), instance('mid', 2, [0, 0, 0])];
    expect(order(instances)).to.deep.equal(['head', 'mid', 'feet']);
  });

  it('orders sagittal slices along x, the normal of a 0\\1\\0\\0\\0\\-1 orientation', () => {
    const sagittal = [0, 1, 0, 0, 0, -1];
    expect(sliceNormal(sagittal)).to.deep.equal([-1, 0, 0]);
    const instances = [instance('left', 2, [80, -130, 130], sagittal), instance('right', 1, [-80, -130, 130], sagittal), instance('mid', 3, [0, -130, 130], sagittal)];
    // Geometry says right, mid, left; the scanner numbered right first, so that end comes first.
    expect(order(instances)).to.deep.equal(['right', 'mid', 'left']);
  });

  it('projects oblique (tilted) positions on the normal instead of sorting by z', () => {
    const tilt = 20 * (Math.PI / 180);
    const orientation = [1, 0, 0, 0, Math.cos(tilt), -Math.sin(tilt)];
    const normal = sliceNormal(orientation)!;
    const at = (d: number) => [0, normal[1] * d, normal[2] * d];
    const instances = [instance('b', 2, at(5)), instance('a', 1, at(0)), instance('c', 3, at(10))];
    expect(order(instances)).to.deep.equal(['a', 'b', 'c']);
  });

  it('puts frames without geometry after located ones, in InstanceNumber order', () => {
    const bare = (sop: string, n: number): DicomJsonDataset => ({ '00080018': { vr: 'UI', Value: [sop] }, '00200013': { vr: 'IS', Value: [n] } });
    expect(order([bare('y', 2), instance('a', 1, [0, 0, 0]), bare('x', 1), instance('b', 2, [0, 0, 1])])).to.deep.equal(['a', 'b', 'x', 'y']);
  });

  it('expands a multi-frame instance into one entry per frame', () => {
    const multi: DicomJsonDataset = { ...instance('m', 1, [0, 0, 0]), '00280008': { vr: 'IS', Value: [3] } };
    expect(orderFrames(framesOf([multi])).map((f) => f.frameNumber)).to.deep.equal([1, 2, 3]);
  });
});
