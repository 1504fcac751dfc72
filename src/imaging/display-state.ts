/**
 * What a viewport shows and how, in the element's terms. Cornerstone-free, so the element and the lean
 * first image can use it before (and without) the Cornerstone chunk being loaded.
 */

export interface DisplayState {
  imageIndex: number;
  imageCount: number;
  windowCenter: number;
  windowWidth: number;
  /** 1 = the whole image fitted. */
  zoom: number;
  /** Pan from the fitted position, as fractions of the viewport's size ([0, 0]: centred). */
  pan: [number, number];
  /** Clockwise rotation in degrees. */
  rotation: number;
  flipH: boolean;
  flipV: boolean;
  invert: boolean;
}

/** The view of an image drawn as it is stored: no pan, rotation, flip or inversion. */
export function plainDisplay(imageIndex: number, imageCount: number, windowCenter: number, windowWidth: number): DisplayState {
  return { imageIndex, imageCount, windowCenter, windowWidth, zoom: 1, pan: [0, 0], rotation: 0, flipH: false, flipV: false, invert: false };
}
