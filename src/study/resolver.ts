import { FilmlessError } from '../errors.js';
import type { DicomwebClient } from '../dicomweb/client.js';
import {
  type DicomJsonDataset,
  Tag,
  numberValue,
  sequenceItems,
  stringValue,
  stringValues,
} from '../dicomweb/dicom-json.js';
import { isImageSeries } from './series-selection.js';
import type { SeriesSummary, StudySummary } from './types.js';

export interface StudyQuery {
  accessionNumber?: string;
  /** Issuer of Accession Number (LocalNamespaceEntityID or UniversalEntityID). */
  issuer?: string;
  studyUid?: string;
}

/** A search for one patient's studies (used where there is no accession number, e.g. SGK's 9998). */
export interface PatientQuery {
  /** Patient ID, plain or in HL7 CX form `ID^^^AUTHORITY`. */
  patientId: string;
  /** DICOM DA `YYYYMMDD` or a range `YYYYMMDD-YYYYMMDD`. */
  studyDate?: string;
  /** One modality (CT, MR…) or a comma list. */
  modality?: string;
}

/** Fields asked for explicitly so the one series-level search also answers the study's details. */
const SERIES_FIELDS = [
  Tag.StudyDate,
  Tag.StudyDescription,
  Tag.InstitutionName,
  Tag.PatientName,
  Tag.PatientID,
  Tag.AccessionNumber,
  Tag.IssuerOfAccessionNumberSequence,
  Tag.SeriesDescription,
  Tag.SeriesNumber,
  Tag.NumberOfSeriesRelatedInstances,
].join(',');

/** Wildcards would turn an exact accession lookup into a search across patients; refuse them. */
function assertExactValue(name: string, value: string): void {
  if (/[*?\\]/.test(value)) {
    throw new FilmlessError('config', `${name} must be an exact value, without * ? or \\`);
  }
}

function issuerMatches(dataset: DicomJsonDataset, issuer: string): boolean {
  return sequenceItems(dataset, Tag.IssuerOfAccessionNumberSequence).some(
    (item) => stringValue(item, Tag.LocalNamespaceEntityID) === issuer || stringValue(item, Tag.UniversalEntityID) === issuer,
  );
}

/**
 * Keeps the results whose Issuer of Accession Number is `issuer`. Servers that do not return the issuer
 * (Orthanc answers QIDO without it, whatever includefield asks) cannot be filtered here; their results
 * are kept, as the server was asked to match the issuer itself.
 */
function filterByIssuer(results: DicomJsonDataset[], issuer: string): DicomJsonDataset[] {
  const described = results.filter((dataset) => sequenceItems(dataset, Tag.IssuerOfAccessionNumberSequence).length > 0);
  return described.length === 0 ? results : described.filter((dataset) => issuerMatches(dataset, issuer));
}

/** Splits an HL7 CX patient identifier (`12345^^^HOSP`) into the ID and its assigning authority. */
export function parsePatientId(value: string): { id: string; authority: string } {
  const [id = '', , , authority = ''] = value.split('^');
  return { id: id.trim(), authority: authority.split('&')[0]!.trim() };
}

const STUDY_FIELDS = [Tag.StudyDate, Tag.StudyDescription, Tag.InstitutionName, Tag.PatientName, Tag.PatientID, Tag.AccessionNumber, Tag.ModalitiesInStudy].join(',');

/**
 * One patient's studies, newest first, optionally on a date or date range and with a modality. Only the
 * study level is asked for: the series of a study are fetched once the user picks it.
 */
export async function searchPatientStudies(client: DicomwebClient, query: PatientQuery, signal: AbortSignal): Promise<StudySummary[]> {
  const { id, authority } = parsePatientId(query.patientId);
  if (!id) throw new FilmlessError('config', 'patient-id is empty');
  assertExactValue('patient-id', id);
  const filter: Record<string, string> = { [Tag.PatientID]: id, includefield: STUDY_FIELDS };
  if (authority) filter['00100021'] = authority;
  if (query.studyDate) {
    if (!/^\d{8}(-\d{8})?$|^-\d{8}$|^\d{8}-$/.test(query.studyDate)) throw new FilmlessError('config', 'study-date must be YYYYMMDD or a range');
    filter[Tag.StudyDate] = query.studyDate;
  }
  const modalities = (query.modality ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  // One modality goes to the server; a list is matched here (Orthanc answers [] to a multi-valued match).
  if (modalities.length === 1) filter[Tag.ModalitiesInStudy] = modalities[0]!;
  const results = await client.searchStudies(filter, signal);
  const studies = results
    .filter((dataset) => stringValue(dataset, Tag.PatientID) === id)
    .map(studyFromDataset)
    .filter((study) => modalities.length === 0 || study.modalities.some((m) => modalities.includes(m.toUpperCase())));
  return studies.sort((a, b) => b.studyDate.localeCompare(a.studyDate));
}

/** The series of one study (for a study found by a study-level search). */
export async function seriesOfStudy(client: DicomwebClient, studyUID: string, signal: AbortSignal): Promise<SeriesSummary[]> {
  const results = await client.searchSeriesOfStudy(studyUID, { includefield: SERIES_FIELDS }, signal);
  const [study] = groupSeriesIntoStudies(results.map((r) => ({ ...r, [Tag.StudyInstanceUID]: { vr: 'UI', Value: [studyUID] } })));
  return study?.series ?? [];
}

function seriesSummary(dataset: DicomJsonDataset): SeriesSummary {
  const summary: SeriesSummary = {
    seriesInstanceUID: stringValue(dataset, Tag.SeriesInstanceUID),
    modality: stringValue(dataset, Tag.Modality),
    description: stringValue(dataset, Tag.SeriesDescription),
    imageCount: numberValue(dataset, Tag.NumberOfSeriesRelatedInstances) ?? 0,
    kind: 'image',
  };
  if (!isImageSeries(summary)) summary.kind = 'non-image';
  const seriesNumber = numberValue(dataset, Tag.SeriesNumber);
  if (seriesNumber !== undefined) summary.seriesNumber = seriesNumber;
  return summary;
}

function studyFromDataset(dataset: DicomJsonDataset): StudySummary {
  return {
    studyInstanceUID: stringValue(dataset, Tag.StudyInstanceUID),
    accessionNumber: stringValue(dataset, Tag.AccessionNumber),
    patientName: stringValue(dataset, Tag.PatientName),
    patientID: stringValue(dataset, Tag.PatientID),
    studyDate: stringValue(dataset, Tag.StudyDate),
    description: stringValue(dataset, Tag.StudyDescription),
    institution: stringValue(dataset, Tag.InstitutionName),
    modalities: stringValues(dataset, Tag.ModalitiesInStudy),
    series: [],
    sources: [],
  };
}

/** Groups series-level QIDO results into studies, never mixing two StudyInstanceUIDs. */
export function groupSeriesIntoStudies(seriesResults: DicomJsonDataset[]): StudySummary[] {
  const studies = new Map<string, StudySummary>();
  for (const dataset of seriesResults) {
    const uid = stringValue(dataset, Tag.StudyInstanceUID);
    if (!uid) continue;
    let study = studies.get(uid);
    if (!study) {
      study = studyFromDataset(dataset);
      studies.set(uid, study);
    }
    const series = seriesSummary(dataset);
    if (series.seriesInstanceUID && !study.series.some((s) => s.seriesInstanceUID === series.seriesInstanceUID)) {
      study.series.push(series);
    }
    if (series.modality && !study.modalities.includes(series.modality)) study.modalities.push(series.modality);
  }
  for (const study of studies.values()) {
    study.series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity));
  }
  return [...studies.values()];
}

/** Statuses meaning "this server has no root-level series search"; other failures are real failures. */
function lacksSeriesSearch(error: unknown): boolean {
  return error instanceof FilmlessError && [400, 404, 405, 501].includes(error.status ?? 0);
}

/**
 * Finds the studies an accession number (or study UID) refers to, in as few round trips as the server
 * allows: one series-level QIDO search answers studies and their series together; servers without it
 * get a study-level search followed by one series search per study.
 */
export async function resolveStudies(
  client: DicomwebClient,
  query: StudyQuery,
  signal: AbortSignal,
): Promise<StudySummary[]> {
  const accession = query.accessionNumber?.trim() ?? '';
  const studyUid = query.studyUid?.trim() ?? '';
  if (!accession && !studyUid) {
    throw new FilmlessError('config', 'Set accession-number or study-uid');
  }
  const filter: Record<string, string> = {};
  if (studyUid) {
    assertExactValue('study-uid', studyUid);
    filter[Tag.StudyInstanceUID] = studyUid;
  } else {
    assertExactValue('accession-number', accession);
    filter[Tag.AccessionNumber] = accession;
    if (query.issuer) filter[`${Tag.IssuerOfAccessionNumberSequence}.${Tag.LocalNamespaceEntityID}`] = query.issuer;
  }

  let seriesResults: DicomJsonDataset[];
  try {
    seriesResults = await client.searchSeries({ ...filter, includefield: SERIES_FIELDS }, signal);
  } catch (error) {
    if (!lacksSeriesSearch(error)) throw error;
    seriesResults = await searchStudyThenSeries(client, filter, signal);
  }

  // Servers may match loosely (case, fuzzy matching); keep exact matches only.
  const exactIds = seriesResults.filter((dataset) =>
    studyUid ? stringValue(dataset, Tag.StudyInstanceUID) === studyUid : stringValue(dataset, Tag.AccessionNumber) === accession,
  );
  const exact = query.issuer && !studyUid ? filterByIssuer(exactIds, query.issuer) : exactIds;
  const studies = groupSeriesIntoStudies(exact);
  if (studies.length === 0) {
    throw new FilmlessError('not-found', studyUid ? `No study ${studyUid}` : `No study with accession number ${accession}`, {
      status: 404,
    });
  }
  return studies;
}

async function searchStudyThenSeries(
  client: DicomwebClient,
  filter: Record<string, string>,
  signal: AbortSignal,
): Promise<DicomJsonDataset[]> {
  const studies = await client.searchStudies({ ...filter, includefield: SERIES_FIELDS }, signal);
  const perStudy = await Promise.all(
    studies.map(async (study) => {
      const uid = stringValue(study, Tag.StudyInstanceUID);
      const series = await client.searchSeriesOfStudy(uid, { includefield: SERIES_FIELDS }, signal);
      // Study-level attributes live on the study result; copy them onto each series result.
      return series.map((s) => ({ ...study, ...s, [Tag.AccessionNumber]: study[Tag.AccessionNumber] }));
    }),
  );
  return perStudy.flat();
}
