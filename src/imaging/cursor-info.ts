/**
 * The cursor's readout: the patient position (mm, DICOM LPS) under a point of a stack viewport, and the
 * modality value (CT: Hounsfield units) of the displayed image's pixel there. Cornerstone converts the
 * canvas point to world coordinates (rotation, flips, zoom and pan included) and the world point to the
 * image's pixel.
 */
import { type StackViewport, getEnabledElementByViewportId, utilities } from '@cornerstonejs/core';

export interface CursorInfo {
  /** Patient coordinates of the point, mm. */
  position: [number, number, number];
  /** The image pixel (column, row) under it; undefined outside the image. */
  pixel?: [number, number];
  /** The modality value of that pixel; undefined outside the image. */
  value?: number;
}

/** The readout at (x, y), CSS pixels from the viewport element's top left; undefined without an image. */
export function cursorInfo(viewportId: string, x: number, y: number): CursorInfo | undefined {
  const viewport = getEnabledElementByViewportId(viewportId)?.viewport as StackViewport | undefined;
  if (!viewport || typeof viewport.getCornerstoneImage !== 'function') return undefined;
  const image = viewport.getCornerstoneImage();
  const imageId = viewport.getCurrentImageId();
  if (!image || !imageId) return undefined;
  const world = viewport.canvasToWorld([x, y]);
  if (!world || world.some((v) => !Number.isFinite(v))) return undefined;
  const info: CursorInfo = { position: [world[0], world[1], world[2]] };
  let coords: number[] | undefined;
  try {
    coords = utilities.worldToImageCoords(imageId, world);
  } catch {
    return info;
  }
  if (!coords) return info;
  const column = Math.floor(coords[0]!);
  const row = Math.floor(coords[1]!);
  if (column < 0 || row < 0 || column >= image.columns || row >= image.rows) return info;
  const pixels = image.voxelManager?.getScalarData() ?? image.getPixelData();
  const stored = pixels[row * image.columns + column];
  if (stored === undefined) return info;
  info.pixel = [column, row];
  // Pixel data is pre-scaled by Cornerstone when its preScale flag says so; otherwise apply the rescale.
  info.value = image.preScale?.scaled ? Number(stored) : Number(stored) * (image.slope ?? 1) + (image.intercept ?? 0);
  return info;
}
