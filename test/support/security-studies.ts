/**
 * Studies for the security tests, made on first use (the `security-studies` server command) from the
 * generated CT already in the test PACS, through Orthanc's modify, as the other generators here do:
 * - `FL-SECURITY-CSP`: a plain copy, opened by the standalone page under a strict CSP;
 * - `FL-SECURITY-XSS`: two copies of one patient (two dates) whose patient name, study and series
 *   descriptions and institution carry markup, script and bidi-override characters. One
 *   accession number for both, so the chooser lists them; each is the other's prior.
 * The hostile copies are made with Orthanc's anonymize (its modify may not change a study's PatientID),
 * every identifying value replaced by ours. Every value is in UTF-8 (ISO_IR 192). The names avoid `^`, `=` and `\`, DICOM's separators, so
 * what the viewer shows is the literal string (a person name's `^` would be reordered by design).
 */
import { copyStudyWithAccession, type OrthancServer } from './orthanc.js';

/** Calls the test page's `filmlessXss()` if markup ever runs: the test checks it never did. */
export const HOSTILE_TEXT = {
  patientName: '<script>top.filmlessXss(1)</script>\u202Egnp.exe',
  // Plain: Orthanc's QIDO finds no patient whose ID holds '<', '&' or non-ASCII characters, and the
  // priors list needs that search. The other values carry the markup and the overrides.
  patientID: 'FL-SECURITY-XSS-PATIENT',
  studyDescription: '<img src=x onerror=top.filmlessXss(2)>\u202EHEAD',
  institution: '<svg onload=top.filmlessXss(3)>\u2067Clinic',
  seriesDescription: '<iframe src=javascript:top.filmlessXss(4)>\u202EAx',
};

export interface SecurityStudies {
  csp: { accession: string; studyInstanceUIDs: string[] };
  xss: { accession: string; studyInstanceUIDs: string[]; dates: string[]; text: typeof HOSTILE_TEXT };
}

let made: Promise<SecurityStudies> | undefined;

/** Makes the studies once per test run; `ctStudyUID` is a study of the generated CT in the PACS. */
export function securityStudies(orthanc: OrthancServer, ctStudyUID: string): Promise<SecurityStudies> {
  made ??= make(orthanc, ctStudyUID);
  return made;
}

async function make(orthanc: OrthancServer, ctStudyUID: string): Promise<SecurityStudies> {
  const lookup = await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: ctStudyUID });
  const found = ((await lookup.json()) as { ID: string; Type: string }[]).find((item) => item.Type === 'Study');
  if (!found) throw new Error(`the generated CT ${ctStudyUID} is not in the PACS`);
  const csp = await copyStudyWithAccession(orthanc, found.ID, 'FL-SECURITY-CSP');
  const dates = ['20260301', '20250301'];
  const xss: string[] = [];
  for (const date of dates) {
    xss.push(
      await anonymizedCopy(orthanc, found.ID, {
        AccessionNumber: 'FL-SECURITY-XSS',
        SpecificCharacterSet: 'ISO_IR 192',
        PatientName: HOSTILE_TEXT.patientName,
        PatientID: HOSTILE_TEXT.patientID,
        StudyDescription: HOSTILE_TEXT.studyDescription,
        InstitutionName: HOSTILE_TEXT.institution,
        SeriesDescription: HOSTILE_TEXT.seriesDescription,
        StudyDate: date,
      }),
    );
  }
  return {
    csp: { accession: 'FL-SECURITY-CSP', studyInstanceUIDs: [csp] },
    xss: { accession: 'FL-SECURITY-XSS', studyInstanceUIDs: xss, dates, text: HOSTILE_TEXT },
  };
}

/** A copy of a study under a new patient: Orthanc's anonymize (new UIDs), with `replace` as its values. */
async function anonymizedCopy(orthanc: OrthancServer, orthancStudyId: string, replace: Record<string, string>): Promise<string> {
  const response = await fetch(`${orthanc.url}/studies/${orthancStudyId}/anonymize`, { method: 'POST', body: JSON.stringify({ Replace: replace, Force: true }) });
  if (!response.ok) throw new Error(`anonymize failed: ${response.status} ${await response.text()}`);
  const { ID } = (await response.json()) as { ID: string };
  const study = (await (await fetch(`${orthanc.url}/studies/${ID}`)).json()) as { MainDicomTags: { StudyInstanceUID: string } };
  return study.MainDicomTags.StudyInstanceUID;
}
