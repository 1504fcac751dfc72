/** What a host page learns about a study; the shape of `filmless-resolved` details. */
export interface SeriesSummary {
  seriesInstanceUID: string;
  modality: string;
  description: string;
  imageCount: number;
  seriesNumber?: number;
}

export interface StudySummary {
  studyInstanceUID: string;
  accessionNumber: string;
  patientName: string;
  patientID: string;
  /** DICOM DA, `YYYYMMDD`, as the PACS sent it. */
  studyDate: string;
  description: string;
  institution: string;
  modalities: string[];
  /** Empty for a study found by a study-level search; filled when the study is opened. */
  series: SeriesSummary[];
  /** Names of the sources (hospitals) that hold this study; empty with a single unnamed source. */
  sources: string[];
}
