/**
 * The demo's DICOMweb folder source, checked with a client nobody here wrote (dcmjs-org's
 * dicomweb-client, over the xhr2 XMLHttpRequest for Node), on real data shipped by npm: one GE CT
 * slice in 13 transfer syntaxes and a NEMA WG04 JPEG 2000 CT from cornerstone-wado-image-loader's
 * test images, copied to a temporary folder (each copy given its own SOP Instance UID).
 *
 * Rendered images must be the type asked for (JPEG, PNG, 406 for what cannot be made), and a
 * compressed frame must render to the same pixels as the uncompressed file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDemoServer, type DemoServer } from '../../demo/server/demo-server.js';
import dicomParser from 'dicom-parser';
import { decodePng, type DecodedImage } from '../../demo/server/folder-selfcheck-support.js';

const require = createRequire(import.meta.url);
// The client calls the global XMLHttpRequest, which Node lacks: xhr2 provides one over node:http.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
/** What these tests call of the client (its bundled .d.ts marks optional options as required). */
interface DicomWebClient {
  searchForStudies(options?: object): Promise<unknown>;
  searchForInstances(options: object): Promise<unknown>;
  retrieveInstance(options: object): Promise<unknown>;
  retrieveInstanceFrames(options: object): Promise<unknown>;
  retrieveInstanceRendered(options: object): Promise<unknown>;
}
const { api } = require('dicomweb-client') as {
  api: { DICOMwebClient: new (options: { url: string; headers: Record<string, string> }) => DicomWebClient };
};

const TEST_IMAGES = path.join(path.dirname(require.resolve('cornerstone-wado-image-loader/package.json')), 'testImages');
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** Lossless syntaxes among the copies: their frames must render exactly as the uncompressed one. */
const LOSSLESS = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.5'];
/** 12-bit JPEG (extended, spectral selection, progressive): no codec here reads them. */
const UNDECODABLE = ['1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.53', '1.2.840.10008.1.2.4.55'];
/** A fixed window, so every rendering maps the same values to the same grey. */
const WINDOW = { viewport: '4096,4096', window: '40,400' };

interface Instance {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
}

let folder: string;
let demo: DemoServer;
let client: DicomWebClient;
let instances: Instance[];

/** Copies the test images, each with its own SOP Instance UID (the 13 CTImage copies share one). */
async function copyTestImages(into: string): Promise<void> {
  const names = (await readdir(TEST_IMAGES)).filter((name) => name.startsWith('CTImage.dcm_') || name === 'CT1_J2KR');
  for (const [n, name] of names.sort().entries()) {
    const bytes = await readFile(path.join(TEST_IMAGES, name));
    // (0002,0003) Media Storage SOP Instance UID, explicit VR: its value is the instance's UID.
    const at = bytes.indexOf(Buffer.from([0x02, 0x00, 0x03, 0x00, 0x55, 0x49]));
    assert.ok(at > 0, `${name} has no meta header UID`);
    const uid = bytes.toString('latin1', at + 8, at + 8 + bytes.readUInt16LE(at + 6)).replace(/\0$/, '');
    const text = bytes.toString('latin1');
    const suffix = String(100 + n);
    // Same length, so every element length stays right; a deflated dataset keeps its own copy.
    const renamed = uid.slice(0, uid.length - suffix.length) + suffix;
    await writeFile(path.join(into, `${name}.dcm`), Buffer.from(text.split(uid).join(renamed), 'latin1'));
  }
}

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'filmless-rendered-'));
  await copyTestImages(folder);
  demo = await startDemoServer({ source: { folder }, pages: false, log: () => {} });
  client = new api.DICOMwebClient({ url: `${demo.url}/dicom-web`, headers: { Authorization: `Bearer ${demo.sessionToken}` } });
  instances = [];
  for (const study of (await client.searchForStudies()) as DicomJson[]) {
    const studyInstanceUID = text(study, '0020000D');
    for (const instance of (await client.searchForInstances({ studyInstanceUID })) as DicomJson[]) {
      const sopInstanceUID = text(instance, '00080018');
      const seriesInstanceUID = text(instance, '0020000E');
      // The transfer syntax is in the file meta header, which metadata leaves out: read the file's.
      const file = new Uint8Array(single(await client.retrieveInstance({ studyInstanceUID, seriesInstanceUID, sopInstanceUID })));
      const transferSyntaxUID = dicomParser.readPart10Header(file).string('x00020010') ?? '';
      instances.push({ studyInstanceUID, seriesInstanceUID, sopInstanceUID, transferSyntaxUID });
    }
  }
});

after(async () => {
  await demo?.close();
  await rm(folder, { recursive: true, force: true });
});

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;

function text(dataset: DicomJson, tag: string): string {
  return String(dataset[tag]?.Value?.[0] ?? '');
}

/** The client hands a single-part body back as a one-element array of ArrayBuffer. */
function single(answer: unknown): ArrayBuffer {
  const body = Array.isArray(answer) ? (answer[0] as unknown) : answer;
  assert.ok(body instanceof ArrayBuffer, 'no ArrayBuffer in the answer');
  return body;
}

function bySyntax(transferSyntaxUID: string): Instance[] {
  return instances.filter((instance) => instance.transferSyntaxUID === transferSyntaxUID);
}

async function rendered(instance: Instance, accept: string, query = WINDOW): Promise<Response> {
  const url = new URL(
    `${demo.url}/dicom-web/studies/${instance.studyInstanceUID}/series/${instance.seriesInstanceUID}/instances/${instance.sopInstanceUID}/rendered`,
  );
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return fetch(url, { headers: { Authorization: `Bearer ${demo.sessionToken}`, Accept: accept } });
}

/** Decodes a baseline JPEG with libjpeg-turbo's decoder (the server encodes with its encoder). */
async function decodeJpeg(bytes: Uint8Array): Promise<DecodedImage> {
  const factory = require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as () => Promise<{
    JPEGDecoder: new () => {
      getEncodedBuffer(n: number): Uint8Array;
      decode(): void;
      getDecodedBuffer(): Uint8Array;
      getFrameInfo(): { width: number; height: number; componentCount: number };
    };
  }>;
  const decoder = new (await factory()).JPEGDecoder();
  decoder.getEncodedBuffer(bytes.length).set(bytes);
  decoder.decode();
  const info = decoder.getFrameInfo();
  return { width: info.width, height: info.height, channels: info.componentCount, pixels: Uint8Array.from(decoder.getDecodedBuffer()) };
}

function meanAbsoluteDifference(a: DecodedImage, b: DecodedImage): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let sum = 0;
  for (let i = 0; i < a.pixels.length; i++) sum += Math.abs(a.pixels[i]! - b.pixels[i]!);
  return sum / a.pixels.length;
}

describe('the folder source through dicomweb-client', () => {
  test('QIDO finds every copied instance, and each file retrieved names its transfer syntax', () => {
    assert.equal(instances.length, 14);
    assert.equal(bySyntax(EXPLICIT_LE).length, 1);
    assert.equal(bySyntax('1.2.840.10008.1.2.4.90').length, 1);
  });

  test('frames of the uncompressed instance are its 512×512 16-bit pixels', async () => {
    const [instance] = bySyntax(EXPLICIT_LE);
    const frame = single(await client.retrieveInstanceFrames({ ...instance!, frameNumbers: [1] }));
    assert.equal(frame.byteLength, 512 * 512 * 2);
  });

  test('retrieving an instance returns a Part-10 file with its UID', async () => {
    const [instance] = bySyntax('1.2.840.10008.1.2.5');
    const file = Buffer.from(single(await client.retrieveInstance(instance!)));
    assert.equal(file.subarray(128, 132).toString('latin1'), 'DICM');
    assert.ok(file.toString('latin1').includes(instance!.sopInstanceUID));
  });

  test('rendered, asked for as image/jpeg by the client, is a JPEG of the image size', async () => {
    const [instance] = bySyntax(EXPLICIT_LE);
    const bytes = new Uint8Array(
      single(await client.retrieveInstanceRendered({ ...instance!, mediaTypes: [{ mediaType: 'image/jpeg' }], queryParams: WINDOW })),
    );
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const image = await decodeJpeg(bytes);
    assert.deepEqual([image.width, image.height, image.channels], [512, 512, 1]);
  });

  test('rendered, asked for as image/png by the client, is a PNG whose pixels the JPEG approximates', async () => {
    const [instance] = bySyntax(EXPLICIT_LE);
    const png = Buffer.from(
      single(await client.retrieveInstanceRendered({ ...instance!, mediaTypes: [{ mediaType: 'image/png' }], queryParams: WINDOW })),
    );
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
    const image = decodePng(png);
    assert.deepEqual([image.width, image.height, image.channels], [512, 512, 1]);
    const jpeg = await decodeJpeg(new Uint8Array(await (await rendered(instance!, 'image/jpeg')).arrayBuffer()));
    const difference = meanAbsoluteDifference(image, jpeg);
    assert.ok(difference < 3, `JPEG differs from PNG by ${difference.toFixed(2)} grey levels on average`);
  });

  test('every losslessly compressed copy renders exactly as the uncompressed file', async () => {
    const [reference] = bySyntax(EXPLICIT_LE);
    const expected = decodePng(Buffer.from(await (await rendered(reference!, 'image/png')).arrayBuffer()));
    for (const syntax of LOSSLESS) {
      const copies = bySyntax(syntax);
      assert.ok(copies.length > 0, `no copy in ${syntax}`);
      for (const copy of copies) {
        const response = await rendered(copy, 'image/png');
        assert.equal(response.status, 200, `${syntax}: ${response.status}`);
        const image = decodePng(Buffer.from(await response.arrayBuffer()));
        assert.equal(meanAbsoluteDifference(image, expected), 0, syntax);
      }
    }
  });

  test('the 8-bit JPEG baseline and the JPEG 2000 copies render as pictures with structure', async () => {
    for (const syntax of ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90']) {
      const [copy] = bySyntax(syntax);
      const response = await rendered(copy!, 'image/jpeg', { viewport: '4096,4096' } as typeof WINDOW);
      assert.equal(response.status, 200, syntax);
      assert.equal(response.headers.get('content-type'), 'image/jpeg');
      const image = await decodeJpeg(new Uint8Array(await response.arrayBuffer()));
      const mean = image.pixels.reduce((a, b) => a + b, 0) / image.pixels.length;
      const spread = Math.sqrt(image.pixels.reduce((a, b) => a + (b - mean) ** 2, 0) / image.pixels.length);
      assert.ok(spread > 20, `${syntax}: grey levels spread by only ${spread.toFixed(1)}`);
    }
  });

  test('12-bit JPEG, which no codec here decodes, answers 406 with a reason', async () => {
    for (const syntax of UNDECODABLE) {
      const [copy] = bySyntax(syntax);
      const response = await rendered(copy!, 'image/jpeg');
      assert.equal(response.status, 406, syntax);
      assert.match(((await response.json()) as { error: string }).error, /JPEG|decode|codec/);
    }
  });

  test('Accept decides the type: */* and image/* give JPEG, a higher q for PNG gives PNG, image/gif alone 406', async () => {
    const [instance] = bySyntax(EXPLICIT_LE);
    const typeFor = async (accept: string): Promise<string | number> => {
      const response = await rendered(instance!, accept);
      await response.arrayBuffer();
      return response.status === 200 ? String(response.headers.get('content-type')) : response.status;
    };
    assert.equal(await typeFor('*/*'), 'image/jpeg');
    assert.equal(await typeFor('image/*'), 'image/jpeg');
    assert.equal(await typeFor('image/png'), 'image/png');
    assert.equal(await typeFor('image/jpeg;q=0.5, image/png;q=0.9'), 'image/png');
    assert.equal(await typeFor('image/jpeg;q=0, */*'), 'image/png');
    assert.equal(await typeFor('image/gif'), 406);
    assert.equal(await typeFor('image/png;q=0, image/jpeg;q=0'), 406);
  });
});
