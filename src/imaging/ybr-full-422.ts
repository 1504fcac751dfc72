/**
 * Uncompressed YBR_FULL_422 frames (ultrasound writes them): each two pixels of a row share one pair of
 * chroma samples, stored Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2; 8 bits). Cornerstone's decoder expects another
 * length for them and passes the samples through unconverted (a black or garbled image): they are
 * converted to interleaved RGB here, with PS3.3's YBR_FULL equations, before Cornerstone sees them.
 */
const clamp = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));

/** RGB (3 bytes per pixel) of an uncompressed 8-bit YBR_FULL_422 frame; undefined when the length does not fit. */
export function ybrFull422ToRgb(samples: Uint8Array, rows: number, columns: number): Uint8Array | undefined {
  if (columns % 2 !== 0 || samples.length < rows * columns * 2) return undefined;
  const rgb = new Uint8Array(rows * columns * 3);
  for (let pixel = 0, at = 0; pixel < rows * columns; pixel += 2, at += 4) {
    const cb = samples[at + 2]! - 128;
    const cr = samples[at + 3]! - 128;
    const red = 1.402 * cr;
    const green = -0.344136 * cb - 0.714136 * cr;
    const blue = 1.772 * cb;
    for (let k = 0; k < 2; k++) {
      const y = samples[at + k]!;
      const out = (pixel + k) * 3;
      rgb[out] = clamp(y + red);
      rgb[out + 1] = clamp(y + green);
      rgb[out + 2] = clamp(y + blue);
    }
  }
  return rgb;
}
