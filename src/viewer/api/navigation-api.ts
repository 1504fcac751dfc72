/**
 * `<filmless-viewer>`'s public methods for what is shown where: the chooser, series, priors, and a view
 * state to bring the viewer to. The behaviour is in the controllers these methods call (controllersOf).
 */
import { controllersOf } from '../controllers/viewer-controllers.js';
import { MprApi } from './mpr-api.js';

/**
 * What is shown where: one link of the element's class chain (LitElement, view tools, measurements, MPR,
 * navigation, then `FilmlessViewer` with its properties and lifecycle), documented on the element.
 */
export class NavigationApi extends MprApi {
  /** Opens one of the studies offered by the chooser. */
  selectStudy(studyInstanceUID: string): void {
    controllersOf(this).resolution.select(studyInstanceUID);
  }

  /** Shows another series of the open study in the active viewport (optionally one of its `stacks`, 0-based). */
  selectSeries(seriesInstanceUID: string, stack: number | undefined = undefined): void {
    this.showSeries(controllersOf(this).grid.activeIndex, seriesInstanceUID, '', stack);
  }

  /**
   * Shows a series in one viewport (0-based, in grid order), aborting only that viewport's load: a
   * series of the open study, or with `studyInstanceUID`, of one of the patient's priors (see
   * `filmless-priors`). A series of several stacks (see `SeriesSummary.stacks`) shows its largest, or
   * `stack` (0-based) of the open study's series. Unknown series, series without images (`kind`
   * `non-image`: reports, key objects, presentation states), studies or viewports are ignored.
   */
  showSeries(viewportIndex: number, seriesInstanceUID: string, studyInstanceUID = '', stack: number | undefined = undefined): void {
    controllersOf(this).showSeries(viewportIndex, seriesInstanceUID, studyInstanceUID, stack);
  }

  /**
   * Opens one of the patient's prior studies (a `studyInstanceUID` from `filmless-priors`) beside the
   * open study, in a 1×2 layout: the active viewport's series on the left, the prior's most similar
   * series (same modality, closest orientation and description) on the right, scrolling in sync.
   * Waits for the priors search if it is still running; unknown studies are ignored.
   */
  comparePrior(studyInstanceUID: string): void {
    void controllersOf(this).priors.compare(studyInstanceUID);
  }

  /**
   * Brings the viewer to a view state: one from `getViewState()` or `filmless-statechange` (of this or
   * another viewer), or a consultation's `{v: 1, studyInstanceUID, layout, activeViewport, viewports,
   * measurements}`. Opens the study and series if needed, through this viewer's own sources and token.
   * Invalid input (an unknown version, extra fields, wrong types, out-of-range indexes, a series the
   * study does not have) changes nothing and sends a `filmless-error` with code `sync`; nothing throws.
   * `animate`: scroll through the slices on the way instead of jumping.
   */
  applyViewState(state: unknown, options: { animate?: boolean } = {}): void {
    controllersOf(this).collab.apply(state, 'api', options?.animate === true);
  }
}
