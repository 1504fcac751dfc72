/** What a host page learns about a study; the shape of `filmless-resolved` details. */
export interface SeriesSummary {
  seriesInstanceUID: string;
  modality: string;
  description: string;
  imageCount: number;
  seriesNumber?: number;
  /**
   * `image` for a series of images; `non-image` for a series without pixel data to show (structured
   * reports, key-object notes, presentation states, RT structure sets and plans, encapsulated documents,
   * waveforms: told by its Modality). A non-image series is listed, never shown, and never an error.
   */
  kind: 'image' | 'non-image';
  /**
   * The series' stacks (see `StackSummary`), largest shown by default. Known once the series' metadata has
   * been read (when it is shown, or read in the background after the first series is ready); absent before.
   */
  stacks?: StackSummary[];
  /**
   * What can mislead in this series (every stack's warnings, each once). Known with `stacks`; absent
   * before (see `filmless-series-checked`).
   */
  warnings?: SeriesWarning[];
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

/**
 * Something about a series that can mislead a reader, shown on its images and reported to the host:
 * - `missing-slices`: the spacing between slices varies by more than 10 % of its median (a gap, or uneven slices);
 * - `gantry-tilt`: the slice positions do not run along the slice normal (a tilted CT gantry: the volume is sheared);
 * - `lossy`: lossy compression (LossyImageCompression 01, or a lossy transfer syntax such as JPEG baseline);
 * - `non-square-pixels`: row and column pixel spacing differ (measurements account for it; the eye may not);
 * - `localizer`: a scout / localizer image (ImageType LOCALIZER), not a diagnostic stack.
 */
export type SeriesWarning = 'missing-slices' | 'gantry-tilt' | 'lossy' | 'non-square-pixels' | 'localizer';

/**
 * One stack of a series: one orientation and one acquisition. A series whose frames differ in orientation
 * or come back to the same positions (echoes, phases, b-values, temporal positions) holds several; they
 * are shown one at a time, never interleaved.
 */
export interface StackSummary {
  imageCount: number;
  /** The plane its slices are closest to (`oblique`: more than 15° from each); absent without orientation. */
  plane?: 'axial' | 'sagittal' | 'coronal' | 'oblique';
  /** This stack's own warnings (geometry differs between stacks). */
  warnings: SeriesWarning[];
}
