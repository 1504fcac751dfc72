/**
 * The modality value (CT: Hounsfield units) of a decoded image's pixel, exactly as the decoder rescaled it.
 *
 * Cornerstone pre-scales pixels by the Modality LUT (stored × slope + intercept) when it decodes. Its CPU
 * renderer then re-quantizes images with a fractional slope or intercept (common on MR: Philips writes
 * slopes such as 4.2588…) into 16-bit integers over their range, `floor((v − min) / step)`, and replaces the
 * image's pixel data and rescale with those: values read back from it are off by up to one step (range /
 * 65535). The decoder's own array is kept in the image's frame; read from it when Cornerstone did this.
 */
import type { Types } from '@cornerstonejs/core';

interface DecodedFrame {
  pixelData?: ArrayLike<number>;
  preScale?: { scaled?: boolean };
}

export function modalityValueOf(image: Types.IImage, column: number, row: number): number | undefined {
  if (column < 0 || row < 0 || column >= image.columns || row >= image.rows) return undefined;
  const index = row * image.columns + column;
  const frame = (image as unknown as { imageFrame?: DecodedFrame }).imageFrame;
  if (frame?.preScale?.scaled && !image.preScale?.scaled && frame.pixelData?.length === image.columns * image.rows) {
    const exact = frame.pixelData[index];
    if (exact !== undefined) return Number(exact);
  }
  const pixels = image.voxelManager?.getScalarData() ?? image.getPixelData();
  const stored = pixels[index];
  if (stored === undefined) return undefined;
  // Pixel data is pre-scaled by Cornerstone when its preScale flag says so; otherwise apply the rescale.
  if (image.preScale?.scaled) return Number(stored);
  return Number(stored) * (image.slope ?? 1) + (image.intercept ?? 0);
}
