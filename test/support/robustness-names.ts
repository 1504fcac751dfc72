/**
 * The folders of ../shared/dicom's robustness/ and transfer-syntaxes/ and their accession numbers in the
 * test PACS (see robustness-studies.ts), shared by the harness (Node) and the browser tests, which name a
 * test per folder even when ../shared/dicom is absent (they are then counted as skipped).
 */
/** Accession number (VR SH: at most 16 characters) per folder, by path relative to ../shared/dicom; folders not listed get `FL-RB-<n>`. */
export const ROBUSTNESS_ACCESSIONS: Record<string, string> = {
  'robustness/color-pydicom': 'FL-RB-COLOR',
  'robustness/cornerstone3d-edge-cases': 'FL-RB-EDGE',
  'robustness/ct-gantry-tilt-d2n': 'FL-RB-TILT',
  'robustness/ct-missing-slice-d2n': 'FL-RB-GAP',
  'robustness/enhanced-ct-pydicom': 'FL-RB-ECT',
  'robustness/enhanced-mr-d2n-philips': 'FL-RB-EMR-PHIL',
  'robustness/enhanced-mr-d2n-siemens': 'FL-RB-EMR-SIEM',
  'robustness/enhanced-mr-pydicom-emri': 'FL-RB-EMR-EMRI',
  'robustness/monochrome1-pydicom': 'FL-RB-MONO1',
  'robustness/mr-hitachi-jis-charset-d2n': 'FL-RB-JIS',
  'robustness/mr-nonsquare-matrix-d2n': 'FL-RB-NONSQ',
  'robustness/mr-rgb-j2k-d2n': 'FL-RB-RGB-J2K',
  'robustness/multiframe-mr-d2n-hyperfine': 'FL-RB-HYPERFINE',
  'transfer-syntaxes/cornerstone3d-ctimage': 'FL-TS-CTIMAGE',
  'transfer-syntaxes/cornerstone3d-nema-ct-j2k': 'FL-TS-NEMA-J2K',
  'transfer-syntaxes/dcmqats-siemens-mr': 'FL-TS-MOSAIC',
  'transfer-syntaxes/pydicom-htj2k': 'FL-TS-HTJ2K',
  'transfer-syntaxes/pydicom-mr-small': 'FL-TS-MR-SMALL',
};

/**
 * The generated image-type studies (image-type-studies.ts), which a fresh clone has: their accession
 * numbers, by case name.
 */
export const GENERATED_IMAGE_TYPES: Record<string, string> = {
  'generated/monochrome1': 'FL-IT-MONO1',
  'generated/rgb': 'FL-IT-RGB',
  'generated/high-bits-12': 'FL-IT-HIGHBITS',
  'generated/signed-12': 'FL-IT-SIGNED12',
  'generated/signed-8': 'FL-IT-SIGNED8',
  'generated/padding': 'FL-IT-PADDING',
  'generated/with-report': 'FL-IT-REPORT',
};
