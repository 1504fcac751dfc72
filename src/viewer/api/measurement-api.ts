/**
 * `<filmless-viewer>`'s public methods for measurements: the list, adding one from pixel coordinates,
 * removing one. The behaviour is in the controllers these methods call (controllersOf).
 */
import type { FilmlessMeasurement, FilmlessMeasurementInput } from '../events.js';
import { controllersOf } from '../controllers/viewer-controllers.js';
import { ViewToolsApi } from './view-tools-api.js';

/**
 * Measurements: one link of the element's class chain (LitElement, view tools, measurements, MPR,
 * navigation, then `FilmlessViewer` with its properties and lifecycle), documented on the element.
 */
export class MeasurementApi extends ViewToolsApi {
  /**
   * The measurements made in this viewer (by the user or `addMeasurement`), in the order they were
   * made: `{id, kind, studyInstanceUID, seriesInstanceUID, sopInstanceUID, frame, imageIndex, points
   * (patient mm), imagePoints ([column, row]), value, unit, calibration, stats?, label?}`.
   */
  getMeasurements(): FilmlessMeasurement[] {
    return controllersOf(this).measurements.all();
  }

  /**
   * Adds a measurement from image pixel coordinates (`[column, row]`, pixel centres on whole numbers)
   * on an image of a series shown in a viewport: `{kind, imageIndex, imagePoints, label?}`, or
   * `sopInstanceUID` (+ `frame`) instead of `imageIndex`; a measurement from `getMeasurements()` is
   * accepted as it is. Returns the new measurement (and sends `filmless-measurement`), or undefined and
   * a `filmless-error` (`invalid-measurement`) for input it cannot use.
   */
  addMeasurement(measurement: FilmlessMeasurementInput): FilmlessMeasurement | undefined {
    return controllersOf(this).measurements.add(measurement);
  }

  /** Removes a measurement by its id; true when there was one (`filmless-measurement` follows). */
  removeMeasurement(id: string): boolean {
    return controllersOf(this).measurements.remove(id);
  }
}
