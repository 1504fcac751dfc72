/**
 * Harness for folder-source.selfcheck.ts: a check runner, an HTTP server mounting a DICOMweb
 * handler, a multipart reader, and an independent (dcmjs) reading of pixel data to compare with.
 */
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
