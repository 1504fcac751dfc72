/** Public exports and types of Filmless. Importing this module registers nothing; call defineFilmlessViewer(). */
export { FilmlessViewer } from './viewer/filmless-viewer.component.js';
export { defineFilmlessViewer } from './define.js';
export { FilmlessError, FILMLESS_ERROR_CODES } from './errors.js';
export { formatPersonName } from './i18n/person-name.js';
export { buildShareLink } from './share/share-link.js';
export { FILMLESS_EVENTS } from './viewer/events.js';
export type { FilmlessErrorCode } from './errors.js';
export type { FilmlessStateOrigin, FilmlessSyncRoleDetail } from './viewer/events.js';
export type { FilmlessSyncState, FilmlessSyncPointer, FilmlessSyncMeasurement } from './collab/view-state.js';
export type { FilmlessSyncMessage, FilmlessSyncRole, SyncEnvelope, SyncViewportPatch } from './collab/protocol.js';
export type { FilmlessSyncTransport } from './collab/transport.js';
export type {
  FilmlessEventMap,
  FilmlessCandidatesDetail,
  FilmlessCineState,
  FilmlessErrorDetail,
  FilmlessProgressDetail,
  FilmlessFirstImageDetail,
  FilmlessPreviewDetail,
  FilmlessReadyDetail,
  FilmlessSeriesCheckedDetail,
  FilmlessOrientation,
  FilmlessResolvedDetail,
  FilmlessSharedDetail,
  FilmlessPrior,
  FilmlessPriorsDetail,
  FilmlessStateChangeDetail,
  FilmlessStatus,
  FilmlessViewState,
  FilmlessMeasurement,
  FilmlessMeasurementDetail,
  FilmlessMeasurementInput,
  FilmlessMeasurementKind,
  FilmlessMeasurementStats,
} from './viewer/events.js';
export type { SeriesSummary, SeriesWarning, StackSummary, StudySummary } from './study/types.js';
export type { FetchLike } from './dicomweb/client.js';
export type { RendererPreference } from './imaging/renderer-preference.js';
export type { FilmlessMemoryUsage } from './imaging/memory-budget.js';
export type { DicomwebSource } from './study/sources.js';
export type { ShareGrant, ShareTarget, ShareTokenProvider } from './share/share-link.js';
