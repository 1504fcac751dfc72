/**
 * Harness for folder-source.selfcheck.ts: a check runner, an HTTP server mounting a DICOMweb
 * handler, a multipart reader, an independent (dcmjs) reading of pixel data to compare with, and
 * for rendered images a PNG decoder and dcmtk's rendering (dcm2pnm) to compare with.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import type { DicomWebHandler } from './dicom-folder-source.js';

/** Runs named checks, prints one line each, and remembers whether any failed. */
export class CheckRunner {
  failures = 0;
  passes = 0;

  /** `check` returns an optional detail for the report, or throws to fail. */
  async run(name: string, check: () => Promise<string | void> | string | void): Promise<void> {
    try {
      const detail = await check();
      this.passes++;
      console.log(`  ok    ${name}${detail ? `  (${detail})` : ''}`);
    } catch (error) {
      this.failures++;
      console.log(`  FAIL  ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export interface MountedServer {
  /** e.g. `http://127.0.0.1:41234/dicom-web` */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Serves `handler` under `/dicom-web` on an ephemeral port of 127.0.0.1, as the gateway would. */
export async function mountOnLocalServer(handler: DicomWebHandler): Promise<MountedServer> {
  const prefix = '/dicom-web';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    void handler(req, res, url.pathname.slice(prefix.length), url.searchParams);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface FetchedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export async function request(
  url: string,
  init: { method?: string; accept?: string } = {},
): Promise<FetchedResponse> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.accept ? { Accept: init.accept } : {},
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** A DICOM JSON answer, with its status and Content-Type checked. */
export async function getDicomJson(url: string): Promise<Record<string, { vr: string; Value?: unknown[] }>[]> {
  const response = await request(url);
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status} ${response.body.toString()}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/dicom+json')) throw new Error(`Content-Type ${contentType}`);
  return JSON.parse(response.body.toString('utf8'));
}

export interface Part {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Splits a multipart/related body into parts, checking the framing on the way. */
export function readMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in "${contentType}"`);
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  if (body.indexOf(delimiter) !== 0) throw new Error('body does not start with the boundary');

  const parts: Part[] = [];
  let position = 0;
  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (body.toString('latin1', afterDelimiter, afterDelimiter + 2) === '--') return parts;
    const headerEnd = body.indexOf('\r\n\r\n', afterDelimiter);
    if (headerEnd < 0) throw new Error('part headers never end');
    const headers = Object.fromEntries(
      body
        .toString('latin1', afterDelimiter + 2, headerEnd)
        .split('\r\n')
        .map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const end = body.indexOf(nextDelimiter, headerEnd + 4);
    if (end < 0) throw new Error('part is not followed by a boundary');
    parts.push({ headers, body: body.subarray(headerEnd + 4, end) });
    position = end + 2;
  }
}

interface DcmjsReader {
  log: { setLevel(level: string): void; getLogger(name: string): { setLevel(level: string): void } };
  data: {
    datasetToBuffer(dataset: Record<string, unknown>): Buffer;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean }): { dict: Record<string, { vr: string; Value: ArrayBuffer[] } | undefined> };
    };
  };
}

// dcmjs ships no type declarations; load its CommonJS build and describe only what this file calls.
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsReader;
// The reference reading only needs the bytes; dcmjs's complaints about odd test files are noise here.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

/**
 * (7FE0,0010) as dcmjs reads it, independently of dicom-parser: one buffer for native data
 * (all frames back to back), one per fragment for encapsulated data; as stored, not decoded.
 */
export async function pixelDataByDcmjs(filePath: string): Promise<Buffer[]> {
  const file = await readFile(filePath);
  const arrayBuffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  // ignoreErrors: dcmjs refuses multi-valued Specific Character Sets, which pixel data does not care about.
  const pixelData = dcmjs.data.DicomMessage.readFile(arrayBuffer, { ignoreErrors: true }).dict['7FE00010'];
  return (pixelData?.Value ?? []).map((value) => Buffer.from(value));
}

/** A study whose patient name is stored in a given character set, to check decoding end to end. */
export interface CharsetFixture {
  readonly specificCharacterSet: string;
  readonly accessionNumber: string;
  /** What (0010,0010) must decode to. */
  readonly patientName: string;
  /** The same name as the file stores it. */
  readonly encoded: Buffer;
}

/**
 * Writes one small image-less instance per fixture into `folder`. dcmjs cannot write arbitrary
 * character sets, so the name is written as an ASCII placeholder of the same byte length and the
 * encoded bytes are patched in.
 */
export async function writeCharsetFixtures(folder: string, fixtures: readonly CharsetFixture[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [i, fixture] of fixtures.entries()) {
    const placeholder = 'Z'.repeat(fixture.encoded.length);
    const file = dcmjs.data.datasetToBuffer({
      _meta: { TransferSyntaxUID: { Value: ['1.2.840.10008.1.2.1'] } },
      SpecificCharacterSet: fixture.specificCharacterSet,
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: `2.25.${9000 + i}1`,
      StudyInstanceUID: `2.25.${9000 + i}2`,
      SeriesInstanceUID: `2.25.${9000 + i}3`,
      AccessionNumber: fixture.accessionNumber,
      Modality: 'OT',
      PatientName: [{ Alphabetic: placeholder }],
      PatientID: `CHARSET-${i}`,
    });
    const at = file.indexOf(placeholder, 0, 'latin1');
    if (at < 0) throw new Error('placeholder not found in the written file');
    fixture.encoded.copy(file, at);
    await writeFile(join(folder, `charset-${i}.dcm`), file);
  }
}

/** A decoded 8-bit image: samples row by row, interleaved when `channels` is 3. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Uint8Array;
}

/**
 * Decodes an 8-bit greyscale or RGB, non-interlaced PNG, checking the signature, chunk CRCs and
 * all five scanline filters, so it accepts any such PNG, not only what our encoder writes.
 * @throws Error naming what is wrong with the file.
 */
export function decodePng(file: Buffer): DecodedImage {
  if (!file.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error('no PNG signature');
  }
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    const crc = file.readUInt32BE(at + 8 + length);
    if (crc !== zlibCrc32(file.subarray(at + 4, at + 8 + length))) throw new Error(`bad CRC in ${type}`);
    chunks.push({ type, data });
    at += length + 12;
  }
  const types = chunks.map((c) => c.type);
  if (types[0] !== 'IHDR' || types.at(-1) !== 'IEND') throw new Error(`chunks ${types.join(' ')}`);
  const header = chunks[0].data;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth, colorType, compression, filterMethod, interlace] = header.subarray(8, 13);
  const channels = colorType === 0 ? 1 : colorType === 2 ? 3 : 0;
  if (bitDepth !== 8 || channels === 0 || compression !== 0 || filterMethod !== 0 || interlace !== 0) {
    throw new Error(`unsupported IHDR: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  if (raw.length !== (stride + 1) * height) throw new Error(`${raw.length} bytes of scanlines for ${width}×${height}`);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const predictor =
        filter === 0 ? 0
        : filter === 1 ? a
        : filter === 2 ? b
        : filter === 3 ? (a + b) >> 1
        : filter === 4 ? paeth(a, b, c)
        : NaN;
      if (Number.isNaN(predictor)) throw new Error(`unknown filter ${filter} on row ${y}`);
      pixels[y * stride + x] = (raw[y * (stride + 1) + 1 + x] + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The bitmap dcmtk's dcm2pnm writes (8-bit binary PGM or PPM), or undefined when dcm2pnm is not installed. */
export function renderByDcm2pnm(filePath: string, options: readonly string[]): DecodedImage | undefined {
  const result = spawnSync('dcm2pnm', ['--quiet', ...options, filePath], { maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return undefined;
  if (result.status !== 0) throw new Error(`dcm2pnm ${options.join(' ')} ${filePath} exited with ${result.status}`);
  const file = result.stdout;
  // Header: magic, width, height, maxval, each followed by whitespace (no comments from dcm2pnm).
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(file[at]))) at++;
    const start = at;
    while (!/\s/.test(String.fromCharCode(file[at]))) at++;
    fields.push(file.toString('latin1', start, at));
  }
  const [magic, width, height, maxValue] = fields;
  const channels = magic === 'P5' ? 1 : magic === 'P6' ? 3 : 0;
  if (channels === 0 || maxValue !== '255') throw new Error(`dcm2pnm wrote ${magic} with maxval ${maxValue}`);
  const pixels = file.subarray(at + 1, at + 1 + Number(width) * Number(height) * channels);
  return { width: Number(width), height: Number(height), channels, pixels };
}

/** A 4×2 RGB image of known colours, interleaved: red, green, blue, white / black, yellow, cyan, dark blue-grey. */
export const RGB_FIXTURE: DecodedImage = {
  width: 4,
  height: 2,
  channels: 3,
  pixels: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 255, 10, 20, 30]),
};

/**
 * Writes {@link RGB_FIXTURE} twice into one series, as `rgb-planar-0.dcm` (R G B interleaved) and
 * `rgb-planar-1.dcm` (three colour planes); returns their SOPInstanceUIDs in that order.
 */
export async function writeRgbFixtures(folder: string): Promise<{ studyUid: string; seriesUid: string; sopUids: string[] }> {
  await mkdir(folder, { recursive: true });
  const { width, height, pixels } = RGB_FIXTURE;
  const count = width * height;
  const planes = Uint8Array.from({ length: count * 3 }, (_, i) => pixels[(i % count) * 3 + Math.floor(i / count)]);
  const ids = { studyUid: '2.25.97001', seriesUid: '2.25.97002', sopUids: ['2.25.97003', '2.25.97004'] };
  for (const [planar, stored] of [pixels, planes].entries()) {
    const file = dcmjs.data.datasetToBuffer({
      _meta: { TransferSyntaxUID: { Value: ['1.2.840.10008.1.2.1'] } },
      _vrMap: { PixelData: 'OB' },
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: ids.sopUids[planar],
      StudyInstanceUID: ids.studyUid,
      SeriesInstanceUID: ids.seriesUid,
      InstanceNumber: planar + 1,
      AccessionNumber: 'RGB-PLANAR',
      Modality: 'OT',
      PatientID: 'RGB-PLANAR',
      SamplesPerPixel: 3,
      PhotometricInterpretation: 'RGB',
      PlanarConfiguration: planar,
      Rows: height,
      Columns: width,
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      PixelData: [stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength)],
    });
    await writeFile(join(folder, `rgb-planar-${planar}.dcm`), file);
  }
  return ids;
}
