/**
 * A window for images that carry none (most MR, many secondary captures): from the histogram of the
 * displayed image, the 1st to the 99th percentile of its modality values, leaving out pixel padding
 * (the value, or the range, the file marks as "not part of the image": the air around a CT's field of
 * view, the border of a scanned film). Pure, no Cornerstone: unit-tested on its own.
 */

export interface AutoWindowOptions {
  /** Modality LUT: value = stored × slope + intercept. */
  slope?: number;
  intercept?: number;
  /** The pixels are modality values already (Cornerstone's pre-scaled images), not stored values. */
  scaled?: boolean;
  /** Pixel Padding Value (0028,0120), in stored units. */
  paddingValue?: number;
  /** Pixel Padding Range Limit (0028,0121), in stored units: padding is every value between the two. */
  paddingLimit?: number;
  /** Fractions of the pixels left below and above the window (default 0.01 and 0.99). */
  lowPercentile?: number;
  highPercentile?: number;
}

export interface AutoWindow {
  /** Window centre and width in modality units; lower = centre − width / 2, upper = centre + width / 2. */
  center: number;
  width: number;
  lower: number;
  upper: number;
}

/** At most this many pixels are sorted: a larger image is sampled on a regular stride. */
const MAX_SAMPLES = 1 << 18;

/**
 * The window spanning the image's `lowPercentile`–`highPercentile` modality values, padding excluded;
 * undefined when no pixel is left (all padding, empty image). A flat image gets a width of 1.
 */
export function autoWindow(pixels: ArrayLike<number>, options: AutoWindowOptions = {}): AutoWindow | undefined {
  const slope = Number.isFinite(options.slope) && options.slope !== 0 ? options.slope! : 1;
  const intercept = Number.isFinite(options.intercept) ? options.intercept! : 0;
  const toModality = (stored: number) => stored * slope + intercept;
  const lowFraction = clampFraction(options.lowPercentile, 0.01);
  const highFraction = clampFraction(options.highPercentile, 0.99);

  // Padding, in the pixels' own units.
  let padLow = Number.NaN;
  let padHigh = Number.NaN;
  if (Number.isFinite(options.paddingValue)) {
    const a = options.paddingValue!;
    const b = Number.isFinite(options.paddingLimit) ? options.paddingLimit! : a;
    const [lo, hi] = options.scaled ? [toModality(a), toModality(b)] : [a, b];
    padLow = Math.min(lo, hi);
    padHigh = Math.max(lo, hi);
  }
  const isPadding = (value: number) => value >= padLow && value <= padHigh;

  const stride = Math.max(1, Math.ceil(pixels.length / MAX_SAMPLES));
  const samples = new Float64Array(Math.ceil(pixels.length / stride));
  let count = 0;
  for (let i = 0; i < pixels.length; i += stride) {
    const value = pixels[i]!;
    if (!Number.isFinite(value) || isPadding(value)) continue;
    samples[count++] = options.scaled ? value : toModality(value);
  }
  if (count === 0) return undefined;
  const sorted = samples.subarray(0, count).sort();
  const at = (fraction: number) => sorted[Math.min(count - 1, Math.max(0, Math.round(fraction * (count - 1))))]!;
  const lower = at(Math.min(lowFraction, highFraction));
  let upper = at(Math.max(lowFraction, highFraction));
  if (upper <= lower) upper = lower + 1;
  return { center: (lower + upper) / 2, width: upper - lower, lower, upper };
}

function clampFraction(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : fallback;
}
