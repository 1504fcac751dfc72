/**
 * The DICOM data dictionary, borrowed from dcmjs.
 *
 * dicom-parser has no dictionary, yet implicit-VR files only make sense with one, and QIDO lets
 * clients name attributes by keyword (`AccessionNumber`) as well as by tag (`00080050`).
 */
import { createRequire } from 'node:module';

interface DictionaryEntry {
  /** `(GGGG,EEEE)` */
  tag: string;
  /** A VR, or one of dcmjs's ambiguous codes: `xs` (US/SS), `ox` (OB/OW), `lt` (US/SS/OW), `up` (UL), `na`. */
  vr: string;
}

interface DcmjsDictionary {
  data: {
    DicomMetaDictionary: {
      /** Looked up by 8-hex tag; a Proxy, so it cannot be enumerated. */
      dictionary: Record<string, DictionaryEntry | undefined>;
      nameMap: Record<string, DictionaryEntry | undefined>;
    };
  };
}

// dcmjs ships no type declarations; load its CommonJS build and describe only what this file reads.
const { dictionary, nameMap } = (createRequire(import.meta.url)('dcmjs') as DcmjsDictionary).data
  .DicomMetaDictionary;

/**
 * The VR the standard gives a public tag, with ambiguous VRs settled the way an implicit-VR
 * reader must settle them; undefined for private or unknown tags.
 * @param tag 8 hex digits, any case (`00280106`).
 * @param pixelRepresentation decides `US or SS` (1 = signed), as PS3.5 prescribes.
 */
export function standardVr(tag: string, pixelRepresentation = 0): string | undefined {
  const vr = dictionary[tag.toUpperCase()]?.vr;
  switch (vr) {
    case undefined:
    case 'na':
      return undefined;
    case 'xs':
      return pixelRepresentation === 1 ? 'SS' : 'US';
    case 'ox':
    case 'lt':
      return 'OW';
    case 'up':
      return 'UL';
    default:
      return vr;
  }
}

/**
 * The 8-hex upper-case tag of a keyword (`AccessionNumber` → `00080050`), or of a tag already
 * written as 8 hex digits; undefined when neither.
 */
export function tagOfAttribute(keywordOrTag: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(keywordOrTag)) return keywordOrTag.toUpperCase();
  const parenthesised = nameMap[keywordOrTag]?.tag;
  return parenthesised ? parenthesised.replace(/[(),]/g, '').toUpperCase() : undefined;
}
