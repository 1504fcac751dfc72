/**
 * IHE Invoke Image Display (RAD-106) launch parameters, plus Filmless's own `dicomweb` (the source) and
 * `token` (read from the URL fragment only). Parsing is strict: an unknown or malformed parameter is
 * reported, never silently ignored, because a wrong launch must not show the wrong patient's images.
 */

import { decodeJwt } from 'jose';

export type RequestType = 'STUDY' | 'PATIENT';

export interface IidLaunch {
  requestType: RequestType;
  accessionNumbers: string[];
  studyUIDs: string[];
  /** HL7 CX, e.g. `12345^^^HOSP`. */
  patientID: string;
  /** DICOM DA range for the patient search, from lowerDateTime/upperDateTime (`YYYYMMDD-YYYYMMDD`, open ends allowed). */
  studyDateRange: string;
  mostRecentResults: number | undefined;
  modalitiesInStudy: string[];
  viewerType: string;
  diagnosticQuality: boolean | undefined;
  keyImagesOnly: boolean | undefined;
  dicomweb: string;
  token: string;
  /** The viewer's mode asked for by the link (`mode`), overriding the one the token's purpose implies. */
  mode: ViewerMode | undefined;
}

/** A problem with the launch URL, as a message key and its values (the page localizes it). */
export interface LaunchProblem {
  key: 'iidUnknownParameter' | 'iidMalformed' | 'iidMissing' | 'iidRepeated';
  parameter: string;
}

/** A launch parameter we accept but cannot fully honour, stated plainly on the page. */
export interface LaunchNotice {
  key: 'iidKeyImagesUnsupported' | 'iidViewerTypeUnsupported' | 'iidDiagnosticQuality';
  value: string;
}

const KNOWN = new Set([
  // Filmless: the page's language (also taken from the browser when absent) and the viewer's mode.
  'lang',
  'mode',
  'requestType',
  'accessionNumber',
  'studyUID',
  'patientID',
  'lowerDateTime',
  'upperDateTime',
  'mostRecentResults',
  'modalitiesInStudy',
  'viewerType',
  'diagnosticQuality',
  'keyImagesOnly',
  'dicomweb',
]);

export type ViewerMode = 'clinician' | 'patient';
const MODES: readonly ViewerMode[] = ['clinician', 'patient'];

/**
 * The viewer's mode for a launch: the link's `mode` when given, else `patient` when the token is a JWT
 * whose `purpose` claim is `patient` (read without verifying it: the gateway verifies every request,
 * and the mode only chooses the tools shown), else `clinician` (also for tokens that are not JWTs).
 */
export function viewerModeFor(launch: Pick<IidLaunch, 'mode' | 'token'>): ViewerMode {
  if (launch.mode) return launch.mode;
  try {
    return decodeJwt(launch.token).purpose === 'patient' ? 'patient' : 'clinician';
  } catch {
    return 'clinician';
  }
}

const list = (value: string | null) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);

/** ISO 8601 date or date-time (as IID uses) to DICOM DA; undefined when malformed. */
function toDicomDate(value: string): string | undefined {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ]\d{2}:?\d{2}(?::?\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  return `${year}${month}${day}`;
}

function toBoolean(value: string | null): boolean | undefined | 'malformed' {
  if (value === null) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  return 'malformed';
}

/** A DICOM UID: digits and dots, at most 64 characters. */
const UID = /^[0-9]+(\.[0-9]+)*$/;

export function parseLaunch(search: string, hash: string): { launch: IidLaunch; problems: LaunchProblem[]; notices: LaunchNotice[] } {
  const params = new URLSearchParams(search);
  const problems: LaunchProblem[] = [];
  const notices: LaunchNotice[] = [];
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!KNOWN.has(name)) problems.push({ key: 'iidUnknownParameter', parameter: name });
    else if (seen.has(name)) problems.push({ key: 'iidRepeated', parameter: name });
    seen.add(name);
  }

  const requestType = (params.get('requestType') ?? '').toUpperCase();
  if (!requestType) problems.push({ key: 'iidMissing', parameter: 'requestType' });
  else if (requestType !== 'STUDY' && requestType !== 'PATIENT') problems.push({ key: 'iidMalformed', parameter: 'requestType' });

  const accessionNumbers = list(params.get('accessionNumber'));
  const studyUIDs = list(params.get('studyUID'));
  if (studyUIDs.some((uid) => !UID.test(uid) || uid.length > 64)) problems.push({ key: 'iidMalformed', parameter: 'studyUID' });
  if (accessionNumbers.some((a) => /[*?\\]/.test(a) || a.length > 64)) problems.push({ key: 'iidMalformed', parameter: 'accessionNumber' });
  const patientID = (params.get('patientID') ?? '').trim();
  if (requestType === 'STUDY' && accessionNumbers.length === 0 && studyUIDs.length === 0) {
    problems.push({ key: 'iidMissing', parameter: 'accessionNumber' });
  }
  if (requestType === 'PATIENT' && !patientID) problems.push({ key: 'iidMissing', parameter: 'patientID' });
  if (/[*?]/.test(patientID)) problems.push({ key: 'iidMalformed', parameter: 'patientID' });

  const dateOf = (name: string) => {
    const raw = params.get(name);
    if (raw === null || raw === '') return '';
    const date = toDicomDate(raw);
    if (!date) problems.push({ key: 'iidMalformed', parameter: name });
    return date ?? '';
  };
  const lower = dateOf('lowerDateTime');
  const upper = dateOf('upperDateTime');
  if (lower && upper && lower > upper) problems.push({ key: 'iidMalformed', parameter: 'upperDateTime' });
  const studyDateRange = lower || upper ? `${lower}-${upper}` : '';

  const recentRaw = params.get('mostRecentResults');
  let mostRecentResults: number | undefined;
  if (recentRaw !== null) {
    mostRecentResults = /^[1-9]\d{0,3}$/.test(recentRaw) ? Number(recentRaw) : undefined;
    if (mostRecentResults === undefined) problems.push({ key: 'iidMalformed', parameter: 'mostRecentResults' });
  }

  const modalitiesInStudy = list(params.get('modalitiesInStudy')).map((m) => m.toUpperCase());
  if (modalitiesInStudy.some((m) => !/^[A-Z]{1,16}$/.test(m))) problems.push({ key: 'iidMalformed', parameter: 'modalitiesInStudy' });

  const viewerType = params.get('viewerType') ?? '';
  // Filmless is one viewer; any requested type other than "ours" gets a plain statement.
  if (viewerType && !/^(IHE_BIR|FILMLESS)$/i.test(viewerType)) notices.push({ key: 'iidViewerTypeUnsupported', value: viewerType });

  const diagnostic = toBoolean(params.get('diagnosticQuality'));
  if (diagnostic === 'malformed') problems.push({ key: 'iidMalformed', parameter: 'diagnosticQuality' });
  // Frames are always retrieved as stored (lossless when stored lossless): say so when asked.
  if (diagnostic === true) notices.push({ key: 'iidDiagnosticQuality', value: 'true' });
  const keyImages = toBoolean(params.get('keyImagesOnly'));
  if (keyImages === 'malformed') problems.push({ key: 'iidMalformed', parameter: 'keyImagesOnly' });
  if (keyImages === true) notices.push({ key: 'iidKeyImagesUnsupported', value: 'true' });

  const dicomweb = (params.get('dicomweb') ?? '').trim();
  if (!dicomweb) problems.push({ key: 'iidMissing', parameter: 'dicomweb' });
  else if (!/^https?:\/\//i.test(dicomweb) && !dicomweb.startsWith('/')) problems.push({ key: 'iidMalformed', parameter: 'dicomweb' });

  const modeRaw = params.get('mode');
  const mode = modeRaw === null ? undefined : MODES.find((m) => m === modeRaw.trim().toLowerCase());
  if (modeRaw !== null && !mode) problems.push({ key: 'iidMalformed', parameter: 'mode' });

  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const token = fragment.get('token') ?? '';

  return {
    launch: {
      requestType: requestType === 'PATIENT' ? 'PATIENT' : 'STUDY',
      accessionNumbers,
      studyUIDs,
      patientID,
      studyDateRange,
      mostRecentResults,
      modalitiesInStudy,
      viewerType,
      diagnosticQuality: diagnostic === 'malformed' ? undefined : diagnostic,
      keyImagesOnly: keyImages === 'malformed' ? undefined : keyImages,
      dicomweb,
      token,
      mode,
    },
    problems,
    notices,
  };
}
