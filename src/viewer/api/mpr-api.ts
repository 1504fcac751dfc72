/**
 * `<filmless-viewer>`'s public methods for MPR: whether the active series can be shown in MPR, the
 * crosshairs, the volume probe. The behaviour is in the controllers these methods call (controllersOf).
 */
import type { FilmlessMprUnavailableReason } from '../events.js';
import { controllersOf } from '../controllers/viewer-controllers.js';
import { MeasurementApi } from './measurement-api.js';

/**
 * MPR: one link of the element's class chain (LitElement, view tools, measurements, MPR, navigation, then
 * `FilmlessViewer` with its properties and lifecycle), documented on the element.
 */
export class MprApi extends MeasurementApi {
  /**
   * Whether the active series can be shown in MPR (`mpr`), and if not, why: `{available: true}` or
   * `{available: false, reason}` (see `FilmlessMprUnavailableReason`; the MPR button's tooltip says it).
   */
  getMprAvailability(): { available: true } | { available: false; reason: FilmlessMprUnavailableReason } {
    return controllersOf(this).mpr.availability();
  }

  /** While MPR is open: moves the crosshairs (where the three planes meet) to a patient position in mm. */
  setMprCenter(point: [number, number, number]): void {
    controllersOf(this).mpr.setCenter(point);
  }

  /**
   * While MPR is open: the modality value (CT: Hounsfield units) of the volume's voxel nearest a patient
   * position in mm, by default where the crosshairs meet; undefined outside the volume or without MPR.
   */
  probeMpr(point: [number, number, number] | undefined = undefined): number | undefined {
    return controllersOf(this).mpr.valueAt(point);
  }
}
