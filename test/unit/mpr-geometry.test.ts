import { expect } from 'chai';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { framePlane, planeIntersection, pixelToPatient, volumeGeometry } from '../../src/imaging/mpr-geometry.js';

const AXIAL = [1, 0, 0, 0, 1, 0];
const SAGITTAL = [0, 1, 0, 0, 0, -1];

function frame(position: number[] | undefined, orientation: number[] | undefined = AXIAL, extra: Record<string, unknown> = {}) {
  const instance: DicomJsonDataset = {
    '00280010': { vr: 'US', Value: [(extra.rows as number) ?? 4] },
    '00280011': { vr: 'US', Value: [(extra.columns as number) ?? 4] },
    '00280030': { vr: 'DS', Value: (extra.spacing as number[]) ?? [0.5, 0.5] },
    '00200052': { vr: 'UI', Value: [(extra.frameOfReference as string) ?? '1.2.3'] },
  };
  if (position) instance['00200032'] = { vr: 'DS', Value: position };
  if (orientation) instance['00200037'] = { vr: 'DS', Value: orientation };
  return { instance, frameNumber: 1 };
}

const stack = (zs: number[], x = () => 0) => zs.map((z) => frame([x(), 0, z]));

describe('which series MPR can rebuild', () => {
  it('takes evenly spaced slices of one orientation along their normal', () => {
    const answer = volumeGeometry(stack([0, 2, 4, 6]));
    expect(answer).to.have.property('volume');
    expect((answer as { volume: { spacing: number; slices: number } }).volume).to.include({ spacing: 2, slices: 4 });
  });

  it('needs at least 3 slices', () => {
    expect(volumeGeometry(stack([0, 2]))).to.deep.equal({ reason: 'too-few-slices' });
  });

  it('refuses a gap beyond 10 % of the median spacing, and repeated positions', () => {
    expect(volumeGeometry(stack([0, 2, 4, 8, 10]))).to.deep.equal({ reason: 'uneven-spacing' });
    expect(volumeGeometry(stack([0, 2, 2, 4]))).to.deep.equal({ reason: 'uneven-spacing' });
    expect(volumeGeometry(stack([0, 2, 4.1, 6]))).to.have.property('volume');
  });

  it('refuses slices shifted off their normal (gantry tilt)', () => {
    let x = 0;
    expect(volumeGeometry(stack([0, 2, 4, 6], () => (x += 0.5)))).to.deep.equal({ reason: 'tilted' });
  });

  it('refuses several orientations or image sizes', () => {
    expect(volumeGeometry([...stack([0, 2, 4]), frame([0, 0, 6], SAGITTAL)])).to.deep.equal({ reason: 'several-orientations' });
    expect(volumeGeometry([...stack([0, 2, 4]), frame([0, 0, 6], AXIAL, { rows: 8 })])).to.deep.equal({ reason: 'several-orientations' });
  });

  it('refuses frames without position or orientation, and untrusted values', () => {
    expect(volumeGeometry([...stack([0, 2]), frame(undefined)])).to.deep.equal({ reason: 'no-geometry' });
    expect(volumeGeometry([...stack([0, 2]), frame([0, 0, 4], [0, 0, 0, 0, 0, 0])])).to.deep.equal({ reason: 'no-geometry' });
    expect(volumeGeometry([...stack([0, 2]), frame([0, NaN, 4])])).to.deep.equal({ reason: 'no-geometry' });
  });
});

describe('where a slice plane cuts another image', () => {
  it('crosses a sagittal image along the axial slice\'s height', () => {
    const axial = framePlane(frame([-50, -50, 10], AXIAL, { rows: 100, columns: 100, spacing: [1, 1] }))!;
    // Rows run down the patient from z = 60, columns front to back from y = -60.
    const sagittal = framePlane(frame([0, -60, 60], SAGITTAL, { rows: 120, columns: 120, spacing: [1, 1] }))!;
    const [a, b] = planeIntersection(axial, sagittal)!;
    expect(a[2]).to.be.closeTo(10, 1e-9);
    expect(b[2]).to.be.closeTo(10, 1e-9);
    expect(Math.abs(a[1] - b[1])).to.be.closeTo(120, 1e-9); // across the whole width, edge to edge
  });

  it('draws nothing for parallel planes, another frame of reference, or a plane outside the image', () => {
    const axial = framePlane(frame([0, 0, 10], AXIAL, { rows: 10, columns: 10 }))!;
    const other = framePlane(frame([0, 0, 20], AXIAL, { rows: 10, columns: 10 }))!;
    expect(planeIntersection(axial, other)).to.equal(undefined);
    const elsewhere = framePlane(frame([0, 0, 60], SAGITTAL, { rows: 10, columns: 10, frameOfReference: '9.9' }))!;
    expect(planeIntersection(axial, elsewhere)).to.equal(undefined);
    const above = framePlane(frame([0, 0, 300], SAGITTAL, { rows: 10, columns: 10 }))!;
    expect(planeIntersection(axial, above)).to.equal(undefined);
  });

  it('places pixel centres from position, orientation and spacing', () => {
    const plane = framePlane(frame([10, 20, 30], SAGITTAL, { spacing: [2, 0.5] }))!;
    expect(pixelToPatient(plane, 4, 3)).to.deep.equal([10, 22, 24]);
  });
});
