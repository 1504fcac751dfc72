import type { SeriesSummary } from './types.js';

/** Modalities that carry no pixels to show: reports, key-object notes, presentation states, etc. */
const NON_IMAGE_MODALITIES = new Set(['SR', 'KO', 'PR', 'DOC', 'RTSTRUCT', 'RTPLAN', 'RTRECORD', 'REG', 'FID', 'ECG', 'AU', 'OT-SR']);

/** Descriptions scanners give scout / localizer series. */
const LOCALIZER_DESCRIPTION = /\b(surview|scout|localizer|localiser|locator|topogram|survey|loc|scanogram|tri-?pilot|pilot)\b/i;

/** True for series that can be shown as images. */
export function isImageSeries(series: SeriesSummary): boolean {
  return !NON_IMAGE_MODALITIES.has(series.modality.toUpperCase());
}

export function looksLikeLocalizer(series: SeriesSummary): boolean {
  return LOCALIZER_DESCRIPTION.test(series.description);
}

/**
 * The series shown first: the MR or CT series with the most images, never a localizer; failing that,
 * the largest image series of any modality.
 */
export function chooseDefaultSeries(series: SeriesSummary[]): SeriesSummary | undefined {
  const images = series.filter(isImageSeries);
  const byCount = (a: SeriesSummary, b: SeriesSummary) => b.imageCount - a.imageCount;
  const crossSectional = images
    .filter((s) => ['CT', 'MR'].includes(s.modality.toUpperCase()) && !looksLikeLocalizer(s))
    .sort(byCount);
  if (crossSectional[0]) return crossSectional[0];
  const nonLocalizer = images.filter((s) => !looksLikeLocalizer(s)).sort(byCount);
  return nonLocalizer[0] ?? images.sort(byCount)[0];
}
