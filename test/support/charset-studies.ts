/**
 * Small studies the tests generate themselves to prove that text survives the trip PACS → DICOMweb →
 * screen: a Vietnamese name in ISO_IR 192 (UTF-8) and a Turkish name in ISO_IR 148 (Latin-5). dcmjs writes
 * UTF-8 only (and Orthanc's modify relabels the character set without re-encoding), so the Turkish files
 * are re-encoded here: the PatientName element is rewritten in Latin-5 bytes and SpecificCharacterSet
 * set to ISO_IR 148. The stored file's bytes are then checked to really be Latin-5.
 */
import { createRequire } from 'node:module';
import type { OrthancServer } from './orthanc.js';

interface Dcmjs {
  data: { datasetToBuffer(dataset: Record<string, unknown>): Buffer };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

function uid(seed: string): string {
  let hash = 0n;
  for (const char of seed) hash = (hash * 131n + BigInt(char.codePointAt(0)!)) % 10n ** 30n;
  return `2.25.${hash + 1n}`;
}

/** A 2-slice 32×32 MR series whose pixels form a gradient (so something visible is drawn). */
export function charsetStudy(key: string, patientName: string, accessionNumber: string): Buffer[] {
  const studyUID = uid(`${key}-study`);
  const seriesUID = uid(`${key}-series`);
  return [1, 2].map((n) => {
    const pixels = new Uint16Array(32 * 32).map((_, i) => (i % 32) * 100 + n * 10);
    return dcmjs.data.datasetToBuffer({
      _meta: { TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN] } },
      _vrMap: { PixelData: 'OW' },
      SpecificCharacterSet: 'ISO_IR 192',
      SOPClassUID: MR_IMAGE_STORAGE,
      SOPInstanceUID: uid(`${key}-${n}`),
      StudyInstanceUID: studyUID,
      SeriesInstanceUID: seriesUID,
      StudyDate: '20260315',
      StudyTime: '101500',
      AccessionNumber: accessionNumber,
      Modality: 'MR',
      PatientName: patientName,
      PatientID: `${key.toUpperCase()}-1`,
      StudyDescription: 'Charset test',
      SeriesDescription: 'T1',
      SeriesNumber: 1,
      InstanceNumber: n,
      ImagePositionPatient: [0, 0, n * 5],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      PixelSpacing: [1, 1],
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: 32,
      Columns: 32,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      PixelData: [pixels.buffer],
    });
  });
}

/** ISO 8859-9: Latin-1 with the six Turkish letters in place of Icelandic ones. */
const LATIN5_SPECIAL: Record<string, number> = { Ğ: 0xd0, İ: 0xdd, Ş: 0xde, ğ: 0xf0, ı: 0xfd, ş: 0xfe };

export function encodeLatin5(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const special = LATIN5_SPECIAL[char];
      if (special !== undefined) return special;
      const code = char.codePointAt(0)!;
      if (code > 0xff || Object.values(LATIN5_SPECIAL).includes(code)) throw new Error(`${char} has no ISO 8859-9 code`);
      return code;
    }),
  );
}

/**
 * Rewrites one explicit-VR-little-endian Part-10 file from ISO_IR 192 to ISO_IR 148: the character set
 * value (same length) and the PatientName value (new length, space-padded to even).
 */
export function toLatin5File(file: Buffer, patientName: string): Buffer {
  const charset = file.indexOf(Buffer.from('ISO_IR 192'));
  if (charset < 0) throw new Error('not an ISO_IR 192 file');
  const out = Buffer.from(file);
  out.write('ISO_IR 148', charset, 'latin1');
  const tag = out.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e])); // (0010,0010) PN
  if (tag < 0) throw new Error('no PatientName');
  const oldLength = out.readUInt16LE(tag + 6);
  let value = encodeLatin5(patientName);
  if (value.length % 2) value = Buffer.concat([value, Buffer.from(' ')]);
  const header = Buffer.from(out.subarray(tag, tag + 8));
  header.writeUInt16LE(value.length, 6);
  return Buffer.concat([out.subarray(0, tag), header, value, out.subarray(tag + 8 + oldLength)]);
}

async function upload(orthanc: OrthancServer, files: Buffer[]): Promise<string> {
  let study = '';
  for (const file of files) {
    const response = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: new Uint8Array(file) });
    if (!response.ok) throw new Error(`upload failed: ${response.status}`);
    study = ((await response.json()) as { ParentStudy: string }).ParentStudy;
  }
  return study;
}

export const VIETNAMESE_NAME = 'NGUYỄN^THỊ ĐỨC';
export const TURKISH_NAME = 'ŞAHİN^GÜLŞEN';

/** Loads both charset studies; returns their StudyInstanceUIDs by accession number. */
export async function loadCharsetStudies(orthanc: OrthancServer, accessions: { vi: string; tr: string }): Promise<Record<string, string>> {
  await upload(orthanc, charsetStudy('vi', VIETNAMESE_NAME, accessions.vi));
  const turkish = charsetStudy('tr', TURKISH_NAME, accessions.tr).map((file) => toLatin5File(file, TURKISH_NAME));
  const studyId = await upload(orthanc, turkish);
  // Prove the stored file is Latin-5: "ŞAHİN" is DE 41 48 DD 4E there.
  const instances = (await (await fetch(`${orthanc.url}/studies/${studyId}/instances`)).json()) as { ID: string }[];
  const stored = Buffer.from(await (await fetch(`${orthanc.url}/instances/${instances[0]!.ID}/file`)).arrayBuffer());
  if (!stored.includes(Buffer.from([0xde, 0x41, 0x48, 0xdd, 0x4e])) || !stored.includes(Buffer.from('ISO_IR 148'))) {
    throw new Error('The Turkish study is not stored in ISO_IR 148');
  }
  const studyUid = async (accession: string) => {
    const found = (await (await fetch(`${orthanc.dicomwebUrl}/studies?AccessionNumber=${accession}`)).json()) as Record<string, { Value: string[] }>[];
    return found[0]!['0020000D']!.Value[0]!;
  };
  return { [accessions.vi]: await studyUid(accessions.vi), [accessions.tr]: await studyUid(accessions.tr) };
}
