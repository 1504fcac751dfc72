/**
 * What a viewport shows and how, in the element's terms: the public viewport state without its UIDs.
 * Cornerstone-free, so the element and the lean first image can use it before (and without) the
 * Cornerstone chunk being loaded.
 */
import type { FilmlessViewportState } from '../viewer/events.js';

export type DisplayState = Omit<FilmlessViewportState, 'studyInstanceUID' | 'seriesInstanceUID'>;

/** The view of an image drawn as it is stored: no pan, rotation, flip or inversion. */
export function plainDisplay(imageIndex: number, imageCount: number, windowCenter: number, windowWidth: number): DisplayState {
  return { imageIndex, imageCount, windowCenter, windowWidth, zoom: 1, pan: [0, 0], rotation: 0, flipH: false, flipV: false, invert: false };
}
