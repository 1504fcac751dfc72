/**
 * Native frames are decoded on the main thread by src/imaging/decode-native.ts instead of Cornerstone's
 * decode worker (issue 11, P2): every pixel, its type, the range and the pre-scale state must be what
 * Cornerstone's own `decodeImageFrame` (its worker module, run here in Node) makes of the same frame.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeImageFrame } from '../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/decodeImageFrameWorker.js';
import { type NativeImageFrame, canDecodeNatively, decodeNativeFrame } from '../../src/imaging/decode-native.js';
import { prepareNativeFrame } from '../../src/imaging/native-frames.js';

const LITTLE = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';

interface Case {
  name: string;
  frame: Record<string, unknown>;
  bytes: Uint8Array;
  options: { preScale: { enabled: boolean; scalingParameters?: Record<string, unknown> }; allowFloatRendering?: boolean };
  syntax?: string;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Samples spread over a range, the same for every run. */
function spread(count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(from + ((to - from) * ((i * 7919) % count)) / (count - 1)));
}

const grey = (bitsAllocated: number, bitsStored: number, pixelRepresentation: number) => ({ bitsAllocated, bitsStored, pixelRepresentation, samplesPerPixel: 1, rows: 8, columns: 8, photometricInterpretation: 'MONOCHROME2' });
const ct = { rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT' };

const cases: Case[] = [
  { name: 'unsigned 16-bit with a CT rescale', frame: grey(16, 12, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 4095))), options: { preScale: { enabled: true, scalingParameters: ct } } },
  { name: 'signed 16-bit, sign-extended, with a CT rescale', frame: grey(16, 12, 1), bytes: bytesOf(new Int16Array(spread(64, -2048, 2047))), options: { preScale: { enabled: true, scalingParameters: ct } } },
  { name: 'unsigned 16-bit with a fractional rescale (float pixels)', frame: grey(16, 16, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 65535))), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: 0.25, rescaleIntercept: 1.5, modality: 'MR' } } } },
  { name: 'a fractional rescale the renderer cannot draw as floats is not applied', frame: grey(16, 16, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 65535))), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: 0.25, rescaleIntercept: 1.5, modality: 'MR' } }, allowFloatRendering: false } },
  { name: 'a negative slope', frame: grey(16, 12, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 4095))), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: -1, rescaleIntercept: 100, modality: 'CT' } } } },
  { name: 'PT with a SUV factor', frame: grey(16, 16, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 30000))), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: 2, rescaleIntercept: 0, modality: 'PT', suvbw: 0.001 } } } },
  { name: 'pre-scaling off', frame: grey(16, 12, 0), bytes: bytesOf(new Uint16Array(spread(64, 0, 4095))), options: { preScale: { enabled: false } } },
  { name: 'unsigned 8-bit, implicit VR', frame: grey(8, 8, 0), bytes: new Uint8Array(spread(64, 0, 255)), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'OT' } } }, syntax: IMPLICIT },
  { name: 'unsigned 16-bit at an odd byte offset', frame: grey(16, 16, 0), bytes: (() => { const source = new Uint8Array(129); source.set(bytesOf(new Uint16Array(spread(64, 0, 60000))), 1); return source.subarray(1); })(), options: { preScale: { enabled: true, scalingParameters: ct } } },
  { name: 'RGB 8-bit', frame: { ...grey(8, 8, 0), samplesPerPixel: 3, photometricInterpretation: 'RGB' }, bytes: new Uint8Array(spread(192, 0, 255)), options: { preScale: { enabled: true, scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'XC' } } } },
];

describe('a native frame decoded on the main thread is the one Cornerstone decodes', () => {
  for (const { name, frame, bytes, options, syntax = LITTLE } of cases) {
    test(name, async () => {
      assert.ok(canDecodeNatively(frame, syntax, options));
      const theirs = await decodeImageFrame(structuredClone(frame), syntax, bytes.slice(), {}, structuredClone(options), undefined);
      const before = bytes.slice();
      const ours = await decodeNativeFrame(structuredClone(frame), bytes, structuredClone(options));
      assert.equal(ours.pixelData?.constructor, theirs.pixelData.constructor);
      assert.deepEqual(Array.from(ours.pixelData as ArrayLike<number>), Array.from(theirs.pixelData as ArrayLike<number>));
      assert.equal(ours.smallestPixelValue, theirs.smallestPixelValue);
      assert.equal(ours.largestPixelValue, theirs.largestPixelValue);
      assert.equal(ours.pixelDataLength, theirs.pixelDataLength);
      assert.deepEqual(ours.preScale, theirs.preScale);
      assert.deepEqual(bytes, before, 'the frame it was handed is left as it was');
    });
  }
});

test('a signed frame native-frames.ts has sign-extended decodes to what Cornerstone makes of it, without a second pass', async () => {
  const instance = { '00280100': { vr: 'US', Value: [16] }, '00280101': { vr: 'US', Value: [12] }, '00280103': { vr: 'US', Value: [1] }, '00280010': { vr: 'US', Value: [8] }, '00280011': { vr: 'US', Value: [8] }, '00280002': { vr: 'US', Value: [1] } };
  // 12-bit signed values, half of them with the bits above BitsStored left clear (not sign-extended).
  const stored = new Uint16Array(spread(64, -2048, 2047).map((value, i) => (i % 2 ? value & 0xfff : value & 0xffff)));
  for (const bytes of [bytesOf(stored), bytesOf(new Int16Array(spread(64, -2048, 2047)))]) {
    const prepared = prepareNativeFrame(instance, bytes, LITTLE).samples;
    const options = { preScale: { enabled: true, scalingParameters: ct } };
    const theirs = await decodeImageFrame(grey(16, 12, 1), LITTLE, prepared.slice(), {}, structuredClone(options), undefined);
    const ours: NativeImageFrame = await decodeNativeFrame(grey(16, 12, 1), prepared, options);
    assert.deepEqual(Array.from(ours.pixelData as ArrayLike<number>), Array.from(theirs.pixelData as ArrayLike<number>));
    assert.equal(ours.smallestPixelValue, theirs.smallestPixelValue);
    assert.equal(ours.largestPixelValue, theirs.largestPixelValue);
  }
});

test('frames whose decode would rewrite their bytes, big-endian ones and others go to a worker', () => {
  const options = { preScale: { enabled: false } };
  assert.equal(canDecodeNatively(grey(16, 12, 1), '1.2.840.10008.1.2.2', options), false);
  assert.equal(canDecodeNatively(grey(16, 12, 0), '1.2.840.10008.1.2.4.80', options), false);
  assert.equal(canDecodeNatively(grey(32, 32, 0), LITTLE, options), false);
  assert.equal(canDecodeNatively(grey(1, 1, 0), LITTLE, options), false);
  assert.equal(canDecodeNatively({ ...grey(16, 12, 1), samplesPerPixel: 3 }, LITTLE, options), false);
  assert.equal(canDecodeNatively(grey(16, 12, 0), LITTLE, { ...options, targetBuffer: { type: 'Uint16Array' } }), false);
});
