import { expect } from 'chai';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { prepareNativeFrame } from '../../src/imaging/native-frames.js';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';

function instance(bitsAllocated: number, bitsStored: number, signed: boolean, photometric = 'MONOCHROME2'): DicomJsonDataset {
  return {
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: [photometric] },
    '00280010': { vr: 'US', Value: [1] },
    '00280011': { vr: 'US', Value: [2] },
    '00280100': { vr: 'US', Value: [bitsAllocated] },
    '00280101': { vr: 'US', Value: [bitsStored] },
    '00280103': { vr: 'US', Value: [signed ? 1 : 0] },
  };
}

const words = (values: number[], littleEndian = true) => {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(bytes.buffer).setUint16(i * 2, v & 0xffff, littleEndian));
  return bytes;
};
const read = (bytes: Uint8Array, signed: boolean, littleEndian = true) =>
  Array.from({ length: bytes.length / 2 }, (_, i) => (signed ? new DataView(bytes.buffer, bytes.byteOffset).getInt16(i * 2, littleEndian) : new DataView(bytes.buffer, bytes.byteOffset).getUint16(i * 2, littleEndian)));

describe('native frames as Cornerstone must get them', () => {
  it('masks the bits above BitsStored of unsigned samples (overlay bits are not part of the value)', () => {
    const prepared = prepareNativeFrame(instance(16, 12, false), words([200 | 0x5000, 4095 | 0xa000]), EXPLICIT_LITTLE);
    expect(read(prepared.samples, false)).to.deep.equal([200, 4095]);
  });

  it('sign-extends signed samples from BitsStored, in the frame’s own byte order', () => {
    const prepared = prepareNativeFrame(instance(16, 12, true), words([-1000 & 0x0fff, 300], false), BIG_ENDIAN);
    expect(prepared.transferSyntaxUID).to.equal(BIG_ENDIAN);
    expect(read(prepared.samples, true, false)).to.deep.equal([-1000, 300]);
  });

  it('hands over a frame that needs nothing untouched, without a copy', () => {
    const samples = words([100, 4000]);
    expect(prepareNativeFrame(instance(16, 12, false), samples, EXPLICIT_LITTLE).samples).to.equal(samples);
  });

  it('widens signed 8-bit samples to signed 16-bit words and says so', () => {
    const prepared = prepareNativeFrame(instance(8, 8, true), Uint8Array.from([-90 & 0xff, 100]), EXPLICIT_LITTLE);
    expect(read(prepared.samples, true)).to.deep.equal([-90, 100]);
    expect(prepared.overrides?.['00280100']?.Value).to.deep.equal([16]);
  });
});
