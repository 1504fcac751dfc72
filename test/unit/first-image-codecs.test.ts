// The lean first image's codec worker on frames encoded here, in the browser, with the encoders of the
// same WebAssembly builds (OpenJPH, OpenJPEG) and by hand (RLE, PS3.5 Annex G): each decodes to exactly
// the samples encoded. HTJ2K is the one syntax the test PACS (Debian's Orthanc) cannot serve, so this is
// where its lean path is checked; codecs.test.ts checks the others on real files through Orthanc.
import { expect } from 'chai';
import openjphFactory from '@cornerstonejs/codec-openjph/wasmjs';
import openjphWasm from '@cornerstonejs/codec-openjph/wasm?url';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/wasmjs';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/wasm?url';
import type { DicomJsonDataset } from '../../src/dicomweb/dicom-json.js';
import { decodeFirstFrame } from '../../src/first-image/first-frame.js';

const COLUMNS = 67;
const ROWS = 45;

/** 12-bit samples with structure: a ramp, a bright square and a few extremes. */
function samples(): Uint16Array {
  const pixels = new Uint16Array(COLUMNS * ROWS);
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLUMNS; c++) pixels[r * COLUMNS + c] = (c * 61 + r * 17) % 4096;
  for (let r = 10; r < 20; r++) for (let c = 30; c < 45; c++) pixels[r * COLUMNS + c] = 4095;
  pixels[0] = 0;
  return pixels;
}

function instance(): DicomJsonDataset {
  const us = (value: number) => ({ vr: 'US', Value: [value] });
  return {
    '00280002': us(1),
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': us(ROWS),
    '00280011': us(COLUMNS),
    '00280100': us(16),
    '00280101': us(12),
    '00280103': us(0),
    '00281050': { vr: 'DS', Value: [40] },
    '00281051': { vr: 'DS', Value: [400] },
    '00281052': { vr: 'DS', Value: [-1024] },
    '00281053': { vr: 'DS', Value: [1] },
  };
}

interface WasmEncoder {
  getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean; isUsingColorTransform: boolean }): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  encode(): void;
}
type EncoderFactory = (options: { locateFile: (file: string) => string }) => Promise<Record<string, new () => WasmEncoder>>;

async function wasmEncode(factory: unknown, wasmUrl: string, name: string, pixels: Uint16Array): Promise<Uint8Array> {
  const codec = await (factory as EncoderFactory)({ locateFile: (file) => (file.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : file) });
  const encoder = new codec[name]!();
  encoder.getDecodedBuffer({ width: COLUMNS, height: ROWS, bitsPerSample: 16, componentCount: 1, isSigned: false, isUsingColorTransform: false }).set(new Uint8Array(pixels.buffer));
  encoder.setQuality(true, 0);
  encoder.encode();
  return encoder.getEncodedBuffer().slice();
}

/** RLE Lossless (PS3.5 G.3): one segment per byte plane, most significant first, as literal runs. */
function rleEncode(pixels: Uint16Array): Uint8Array {
  const segments = [0, 1].map((plane) => {
    const bytes = Array.from(pixels, (v) => (plane === 0 ? v >> 8 : v & 0xff));
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i += 128) {
      const run = bytes.slice(i, i + 128);
      out.push(run.length - 1, ...run);
    }
    if (out.length % 2) out.push(0); // segments are even in length
    return out;
  });
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, 2, true);
  header.setUint32(4, 64, true);
  header.setUint32(8, 64 + segments[0]!.length, true);
  return new Uint8Array([...new Uint8Array(header.buffer), ...segments[0]!, ...segments[1]!]);
}

describe('the lean first image decodes every codec to the samples encoded', () => {
  const original = samples();
  const cases: [string, string, () => Promise<Uint8Array>][] = [
    ['HTJ2K lossless (OpenJPH)', '1.2.840.10008.1.2.4.201', () => wasmEncode(openjphFactory, openjphWasm, 'HTJ2KEncoder', original)],
    ['JPEG 2000 lossless (OpenJPEG)', '1.2.840.10008.1.2.4.90', () => wasmEncode(openjpegFactory, openjpegWasm, 'J2KEncoder', original)],
    ['RLE Lossless', '1.2.840.10008.1.2.5', () => Promise.resolve(rleEncode(original))],
  ];
  for (const [name, transferSyntaxUID, encode] of cases) {
    it(`${name}: every sample, its range and the file's window`, async function () {
      this.timeout(20_000);
      const bytes = await encode();
      const grey = await decodeFirstFrame(instance(), { bytes, transferSyntaxUID });
      expect(grey, 'drawn by the lean path').to.not.equal(undefined);
      expect([grey!.columns, grey!.rows]).to.deep.equal([COLUMNS, ROWS]);
      expect(Array.from(grey!.pixels)).to.deep.equal(Array.from(original));
      expect(grey!.range).to.deep.equal([0, 4095]);
      expect([grey!.windowCenter, grey!.windowWidth, grey!.intercept]).to.deep.equal([40, 400, -1024]);
    });
  }
});
