/**
 * Damaged images for the bad-data tests (test/integration/bad-data.test.ts), made from data a fresh clone
 * has, and ../shared/dicom/bad-inputs (when present) as the PACS takes them.
 *
 * **Generated corruptions.** The generated head CT's five middle slices, transcoded by Orthanc to each
 * codec the tests already use (uncompressed, JPEG-LS, JPEG 2000, RLE, JPEG baseline), one series per
 * codec and corruption, with the middle slice (the one the viewer opens on) damaged in one of three ways:
 *
 * - `truncated`: the frame's bytes cut to half (the DICOM file stays well formed: the fragment's or the
 *   pixel data's length says the new size);
 * - `flipped`: the first 16 bytes of the codestream inverted (its start marker and header); of an
 *   uncompressed frame, 16 pixels in the middle of the image, which nothing can tell from real values;
 * - `wrong-length`: a length inside the codestream that does not match it (the frame header's segment
 *   length of JPEG, JPEG-LS and JPEG 2000 set to 2; RLE's first segment offset past the end); of an
 *   uncompressed file, the Pixel Data element's length 2 bytes longer than the file holds.
 *
 * and per codec one study whose only image is damaged (`flipped`; `truncated` when uncompressed).
 * Each file is written to `.cache/bad-data/` so that the tests can read the truth from it in Node.
 *
 * **bad-inputs.** Each file of ../shared/dicom/bad-inputs is offered to Orthanc as it is; what Orthanc
 * answers is recorded. A file it takes is copied under its own accession number (Orthanc's study modify)
 * when it can be, else it is opened by its StudyInstanceUID.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as dicomParserModule from 'dicom-parser';
import { type OrthancServer, copyStudyWithAccession, listFiles } from './orthanc.js';
import { REPO, SHARED_DICOM, type StudyFacts } from './test-data.js';

// dicom-parser is a UMD bundle: Node's ESM loader exposes it as a default export only.
const dicomParser = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

export type BadCodec = 'uncompressed' | 'jpeg-ls' | 'jpeg2000' | 'rle' | 'jpeg-baseline';
export type Corruption = 'truncated' | 'flipped' | 'wrong-length';

export const CODEC_SYNTAX: Record<BadCodec, string> = {
  uncompressed: '1.2.840.10008.1.2.1',
  'jpeg-ls': '1.2.840.10008.1.2.4.80',
  jpeg2000: '1.2.840.10008.1.2.4.90',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
};

const SHORT: Record<BadCodec, string> = { uncompressed: 'RAW', 'jpeg-ls': 'JLS', jpeg2000: 'J2K', rle: 'RLE', 'jpeg-baseline': 'JPG' };
const KIND: Record<Corruption, string> = { truncated: 'CUT', flipped: 'FLIP', 'wrong-length': 'LEN' };

export interface BadDataCase {
  accession: string;
  codec: BadCodec;
  transferSyntaxUID: string;
  corruption: Corruption;
  /** What was done to the file, in words. */
  what: string;
  /** Slices of the series as the PACS holds them, in the viewer's order (along the normal). */
  imageCount: number;
  /** 0-based index, in that order, of the damaged slice; -1 when the PACS refused it. */
  badIndex: number;
  /** Repo-relative files of the slices the PACS took, in the viewer's order (the damaged one included). */
  files: string[];
  /** Uncompressed `flipped`: the pixels changed ([column, row]); they are shown as stored. */
  flippedPixels?: [number, number][];
  /** Whether Orthanc stored the damaged file, and if not what it answered. */
  stored: true | string;
}

export interface BadInput {
  /** Relative to ../shared/dicom. */
  file: string;
  /** Orthanc's answer to the upload: the HTTP status and, when it refused, its message. */
  upload: { status: number; message?: string };
  /** Set when Orthanc took the file: how the viewer is pointed at it. */
  accession?: string;
  studyInstanceUID?: string;
}

export interface BadDataStudies {
  cases: BadDataCase[];
  /** Absent without ../shared/dicom/bad-inputs. */
  inputs?: BadInput[];
}

let loaded: BadDataStudies | undefined;

/** What {@link loadBadDataStudies} made (for the `pacs-info` command). */
export function badDataStudies(): BadDataStudies | undefined {
  return loaded;
}

function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`)}`;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Writes a 32-bit little-endian length. */
function setUint32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
}

/** The first marker segment of a JPEG-family or JPEG 2000 codestream whose marker is in `markers`: its offset. */
function findMarker(frame: Uint8Array, markers: number[]): number {
  for (let at = 2; at + 4 < frame.length; ) {
    if (frame[at] !== 0xff) throw new Error('not at a marker');
    const marker = frame[at + 1]!;
    if (markers.includes(marker)) return at;
    at += 2 + ((frame[at + 2]! << 8) | frame[at + 3]!);
  }
  throw new Error(`no marker ${markers.map((m) => m.toString(16)).join('/')}`);
}

/** Applies a corruption to a Part 10 file (bytes from Orthanc); returns the new file and changed pixels. */
function corrupt(bytes: Uint8Array, codec: BadCodec, corruption: Corruption): { bytes: Uint8Array; what: string; flippedPixels?: [number, number][] } {
  const dataSet = dicomParser.parseDicom(bytes);
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel) throw new Error('no pixel data');
  if (codec === 'uncompressed') {
    const columns = dataSet.uint16('x00280011')!;
    const rows = dataSet.uint16('x00280010')!;
    const start = pixel.dataOffset;
    if (corruption === 'truncated') {
      const keep = Math.floor(pixel.length / 4) * 2;
      const out = new Uint8Array(start + keep);
      out.set(bytes.subarray(0, start + keep));
      setUint32(out, start - 4, keep);
      return { bytes: out, what: `Pixel Data cut to ${keep} of ${pixel.length} bytes (its length says so)` };
    }
    if (corruption === 'flipped') {
      const out = bytes.slice();
      const flippedPixels: [number, number][] = [];
      const row = rows >> 1;
      for (let i = 0; i < 16; i++) {
        const column = (columns >> 1) - 8 + i;
        const at = start + (row * columns + column) * 2;
        out[at] = out[at]! ^ 0xff;
        out[at + 1] = out[at + 1]! ^ 0x0f;
        flippedPixels.push([column, row]);
      }
      return { bytes: out, what: '16 pixels in the middle row with bits inverted', flippedPixels };
    }
    const out = bytes.slice();
    setUint32(out, start - 4, pixel.length + 2);
    return { bytes: out, what: 'Pixel Data length 2 bytes longer than the file holds' };
  }
  // The frame (all its fragments), rebuilt after the change as one fragment with an empty offset table.
  const fragments = pixel.fragments ?? [];
  if (fragments.length === 0) throw new Error('no fragments');
  const firstItem = pixel.dataOffset + 8 + (pixel.basicOffsetTable?.length ?? 0) * 4;
  const last = fragments[fragments.length - 1]!;
  const delimiter = firstItem + last.offset + 8 + last.length;
  if (bytes[delimiter] !== 0xfe || bytes[delimiter + 1] !== 0xff || bytes[delimiter + 2] !== 0xdd || bytes[delimiter + 3] !== 0xe0) throw new Error('no sequence delimiter after the last fragment');
  const frame = dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixel, 0, fragments.length);
  if (!(frame[0] === 0xff && (frame[1] === 0xd8 || frame[1] === 0x4f)) && codec !== 'rle') throw new Error('the codestream does not start with SOI or SOC');
  const rebuild = (changed: Uint8Array, what: string) => {
    const even = changed.length % 2 === 0 ? changed : Uint8Array.from([...changed, 0]);
    const head = bytes.subarray(0, pixel.dataOffset);
    const rest = bytes.subarray(delimiter + 8);
    const out = new Uint8Array(head.length + 8 + 8 + even.length + 8 + rest.length);
    const view = new DataView(out.buffer);
    out.set(head);
    let at = head.length;
    const item = (tag: number, length: number) => {
      view.setUint16(at, 0xfffe, true);
      view.setUint16(at + 2, tag, true);
      view.setUint32(at + 4, length, true);
      at += 8;
    };
    item(0xe000, 0);
    item(0xe000, even.length);
    out.set(even, at);
    at += even.length;
    item(0xe0dd, 0);
    out.set(rest, at);
    return { bytes: out, what };
  };
  if (corruption === 'truncated') {
    const keep = Math.floor(frame.length / 4) * 2;
    return rebuild(frame.slice(0, keep), `codestream cut to ${keep} of ${frame.length} bytes (its fragment's length says so)`);
  }
  const changed = frame.slice();
  if (corruption === 'flipped') {
    for (let i = 0; i < 16; i++) changed[i] = changed[i]! ^ 0xff;
    return rebuild(changed, 'first 16 bytes of the codestream inverted (start marker and header)');
  }
  if (codec === 'rle') {
    // RLE header (PS3.5 G.5): segment count, then 15 offsets; the first offset past the frame's end.
    setUint32(changed, 4, frame.length + 1000);
    return rebuild(changed, "RLE header's first segment offset past the frame's end");
  }
  // The frame header: SOFn (JPEG, JPEG-LS SOF55) or SIZ (JPEG 2000), its length field set to 2.
  const at = findMarker(frame, codec === 'jpeg2000' ? [0x51] : [0xc0, 0xc1, 0xc2, 0xc3, 0xf7]);
  changed[at + 2] = 0;
  changed[at + 3] = 2;
  return rebuild(changed, `${codec === 'jpeg2000' ? 'SIZ' : 'SOF'} segment length set to 2 (it holds ${(frame[at + 2]! << 8) | frame[at + 3]!} bytes)`);
}

/** Orthanc's instances of the generated CT's five middle slices, in the viewer's order. */
async function sourceSlices(orthanc: OrthancServer, ct: StudyFacts, count: number): Promise<Slice[]> {
  const first = Math.max(0, ct.main.middleIndex - (count >> 1));
  const ids: Slice[] = [];
  for (const file of ct.main.files.slice(first, first + count)) {
    const sop = dicomParser.parseDicom(new Uint8Array(await readFile(path.join(REPO, file)))).string('x00080018');
    const [found] = await json<{ ID: string }[]>(`${orthanc.url}/tools/lookup`, { method: 'POST', body: sop });
    if (!found) throw new Error(`${file} is not in Orthanc`);
    ids.push({ id: found.ID });
  }
  return ids;
}

/** A slice to copy: an Orthanc instance, and attributes its copy gets (its position, for copies of one image). */
interface Slice {
  id: string;
  replace?: Record<string, string>;
}

/**
 * Slices of a codec Orthanc's DCMTK cannot write (JPEG 2000, RLE): an npm-shipped file in it, stored once
 * and copied five times at positions 5 mm apart.
 */
async function npmSlices(orthanc: OrthancServer, file: string, count: number): Promise<{ slices: Slice[]; remove: () => Promise<void> }> {
  const bytes = new Uint8Array(await readFile(path.join(REPO, file)));
  const dataSet = dicomParser.parseDicom(bytes);
  const [x, y, z] = dataSet.string('x00200032')!.split('\\').map(Number) as [number, number, number];
  const { ID, ParentStudy } = await json<{ ID: string; ParentStudy: string }>(`${orthanc.url}/instances`, { method: 'POST', body: bytes });
  return {
    slices: Array.from({ length: count }, (_, i) => ({ id: ID, replace: { ImagePositionPatient: `${x}\\${y}\\${z + 5 * i}`, InstanceNumber: String(i + 1) } })),
    remove: async () => void (await fetch(`${orthanc.url}/studies/${ParentStudy}`, { method: 'DELETE' })),
  };
}

/** npm-shipped files for the codecs Orthanc cannot transcode the generated CT to: the NEMA WG04 CT (JPEG 2000 lossless, three fragments), the GE chest CT (RLE, 8-bit baseline JPEG). */
const NPM_SOURCE: Partial<Record<BadCodec, string>> = {
  jpeg2000: 'node_modules/cornerstone-wado-image-loader/testImages/CT1_J2KR',
  rle: 'node_modules/cornerstone-wado-image-loader/testImages/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
  // 8-bit baseline JPEG of the same CT, whatever its name says (its transfer syntax is 1.2.840.10008.1.2.4.50).
  'jpeg-baseline': 'node_modules/cornerstone-wado-image-loader/testImages/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm',
};

/** One series: the slices copied in the codec under new UIDs, `bad` corrupted, each stored and written to disk. */
async function makeCase(orthanc: OrthancServer, slices: Slice[], codec: BadCodec, corruption: Corruption, accession: string, bad: number, studies: Record<string, string[]>): Promise<BadDataCase> {
  const ts = CODEC_SYNTAX[codec];
  const replace = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), AccessionNumber: accession, StudyDescription: `Bad data: ${codec} ${corruption}` };
  const folder = path.join('.cache', 'bad-data', accession);
  await mkdir(path.join(REPO, folder), { recursive: true });
  const files: string[] = [];
  let stored: true | string = true;
  let what = '';
  let flippedPixels: [number, number][] | undefined;
  for (const [i, source] of slices.entries()) {
    const response = await fetch(`${orthanc.url}/instances/${source.id}/modify`, {
      method: 'POST',
      body: JSON.stringify({ ...(NPM_SOURCE[codec] ? {} : { Transcode: ts }), Force: true, Replace: { ...replace, ...source.replace, SOPInstanceUID: newUid() } }),
    });
    if (!response.ok) throw new Error(`Orthanc could not transcode to ${ts}: ${response.status} ${await response.text()}`);
    let bytes: Uint8Array = new Uint8Array(await response.arrayBuffer());
    const written = dicomParser.readPart10Header(bytes).string('x00020010')?.trim();
    if (written !== ts) throw new Error(`Orthanc wrote ${written} instead of ${ts}`);
    if (i === bad) ({ bytes, what, flippedPixels } = corrupt(bytes, codec, corruption));
    const upload = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(bytes) });
    if (!upload.ok) {
      if (i !== bad) throw new Error(`Orthanc refused an intact slice: ${upload.status}`);
      stored = `Orthanc answered ${upload.status}: ${((await upload.json().catch(() => ({}))) as { Details?: string; Message?: string }).Details ?? ''}`.trim();
      continue;
    }
    const file = path.join(folder, `${String(i).padStart(2, '0')}.dcm`);
    // Whole or not at all: another test run (its own PACS) may be writing the same file while a test reads it.
    const partial = path.join(REPO, `${file}.${process.pid}.partial`);
    await writeFile(partial, bytes);
    await rename(partial, path.join(REPO, file));
    files.push(file);
  }
  studies[accession] = [replace.StudyInstanceUID];
  return {
    accession,
    codec,
    transferSyntaxUID: ts,
    corruption,
    what,
    imageCount: files.length,
    badIndex: stored === true ? bad : -1,
    files,
    ...(flippedPixels ? { flippedPixels } : {}),
    stored,
  };
}


/** ../shared/dicom/bad-inputs, each file offered to Orthanc as it is (one at a time: two share a SOPInstanceUID). */
async function loadBadInputs(orthanc: OrthancServer, studies: Record<string, string[]>): Promise<BadInput[] | undefined> {
  const root = path.join(SHARED_DICOM, 'bad-inputs');
  if (!existsSync(root)) return undefined;
  const inputs: BadInput[] = [];
  for (const [n, file] of (await listFiles(root)).filter((f) => !f.endsWith('.md') && !f.endsWith('.json')).entries()) {
    const relative = path.relative(SHARED_DICOM, file);
    const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: await readFile(file) });
    const answer = (await response.json().catch(() => ({}))) as { ID?: string; ParentStudy?: string; Details?: string; Message?: string; Status?: string };
    if (!response.ok || !answer.ParentStudy) {
      inputs.push({ file: relative, upload: { status: response.status, message: answer.Details ?? answer.Message ?? answer.Status ?? '' } });
      continue;
    }
    const accession = `FL-BADIN-${n + 1}`;
    try {
      const uid = await copyStudyWithAccession(orthanc, answer.ParentStudy, accession);
      await fetch(`${orthanc.url}/studies/${answer.ParentStudy}`, { method: 'DELETE' });
      studies[accession] = [uid];
      inputs.push({ file: relative, upload: { status: response.status }, accession, studyInstanceUID: uid });
    } catch (error) {
      // Orthanc took the file but cannot rewrite it: the original stays, opened by its StudyInstanceUID.
      const study = await json<{ MainDicomTags: { StudyInstanceUID: string } }>(`${orthanc.url}/studies/${answer.ParentStudy}`);
      inputs.push({ file: relative, upload: { status: response.status, message: `kept as sent (${(error as Error).message.slice(0, 120)})` }, studyInstanceUID: study.MainDicomTags.StudyInstanceUID });
    }
  }
  return inputs;
}

const SLICES = 5;

/**
 * Loads the damaged series (and ../shared/dicom/bad-inputs when present) into Orthanc, adds their
 * StudyInstanceUIDs to `studies` by accession number, and keeps the list for `pacs-info`. The generated
 * CT (`ct`) must be in Orthanc already.
 */
export async function loadBadDataStudies(orthanc: OrthancServer, ct: StudyFacts, studies: Record<string, string[]>): Promise<BadDataStudies> {
  const ctSlices = await sourceSlices(orthanc, ct, SLICES);
  const middle = SLICES >> 1;
  const cases: BadDataCase[] = [];
  for (const codec of Object.keys(CODEC_SYNTAX) as BadCodec[]) {
    const npm = NPM_SOURCE[codec] ? await npmSlices(orthanc, NPM_SOURCE[codec], SLICES) : undefined;
    const slices = npm?.slices ?? ctSlices;
    for (const corruption of Object.keys(KIND) as Corruption[]) {
      cases.push(await makeCase(orthanc, slices, codec, corruption, `FL-BAD-${SHORT[codec]}-${KIND[corruption]}`, middle, studies));
    }
    // The study whose only image is damaged: nothing to show, the series fails as a whole.
    const only: Corruption = codec === 'uncompressed' ? 'truncated' : 'flipped';
    cases.push(await makeCase(orthanc, [slices[middle]!], codec, only, `FL-BAD-${SHORT[codec]}-ONLY`, 0, studies));
    await npm?.remove();
  }
  const inputs = await loadBadInputs(orthanc, studies);
  loaded = { cases, ...(inputs ? { inputs } : {}) };
  return loaded;
}
