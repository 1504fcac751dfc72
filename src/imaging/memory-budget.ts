/**
 * The page's image cache budget and what the Cornerstone runtime holds, kept apart from the imaging
 * chunk (no Cornerstone import) so that the element can state its budget before Cornerstone is loaded.
 *
 * One runtime serves every viewer of the page, so there is one cache and one budget. Each connected
 * viewer asks for its `cache-size` (or the device default); the page's budget is the largest request:
 * a viewer asking for less cannot make another one's series thrash, and the sum would grow with every
 * viewer added to a page of thumbnails.
 */

/** What the page's imaging runtime holds now (see `FilmlessViewer.memoryUsage()`). */
export interface FilmlessMemoryUsage {
  /** The image cache's budget in bytes: the largest `cacheSize` of the page's connected viewers. */
  cacheBudgetBytes: number;
  /** Bytes of decoded images in the cache. */
  cachedBytes: number;
  /** Decoded (or decoding) images in the cache. */
  cachedImages: number;
  /** MPR volumes in the cache. */
  cachedVolumes: number;
  /** Frames whose DICOM metadata is registered with the image loader. */
  metadataEntries: number;
  /** Viewports enabled on the page's shared rendering engine (stacks and MPR views). */
  viewports: number;
  /** Cornerstone tool groups (one per stack viewport, one per open MPR). */
  toolGroups: number;
}

/** Cache sizes are in MB; nothing below this (one large image must always fit). */
export const MIN_CACHE_SIZE_MB = 32;
const MAX_DEFAULT_MB = 1024;
/** Where the browser does not tell its memory (Firefox, Safari): taken as a 4 GB device. */
const UNKNOWN_DEVICE_GB = 4;

/**
 * The budget in MB for a device of this much memory (GB, as `navigator.deviceMemory` tells it, rounded
 * by the browser to 0.25–8): an eighth of it, between 32 MB and 1 GB; 512 MB when it is not told.
 * 8 GB gives 1024 MB, 4 GB 512 MB, 2 GB 256 MB, 1 GB 128 MB.
 */
export function cacheSizeForDevice(deviceMemoryGb: number | undefined): number {
  const gb = typeof deviceMemoryGb === 'number' && deviceMemoryGb > 0 ? deviceMemoryGb : UNKNOWN_DEVICE_GB;
  return Math.min(MAX_DEFAULT_MB, Math.max(MIN_CACHE_SIZE_MB, Math.round((gb * 1024) / 8)));
}

/** The default budget in MB on this device (see cacheSizeForDevice). */
export function defaultCacheSizeMb(): number {
  return cacheSizeForDevice((navigator as { deviceMemory?: number }).deviceMemory);
}

/** A viewer's `cacheSize` as it counts: 0, absent or invalid means the device default; at least 32 MB. */
export function effectiveCacheSizeMb(requested: number | undefined): number {
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested <= 0) return defaultCacheSizeMb();
  return Math.max(MIN_CACHE_SIZE_MB, requested);
}

const requests = new Map<object, number>();
let applyBudget: ((bytes: number) => void) | undefined;
let reporter: (() => Omit<FilmlessMemoryUsage, 'cacheBudgetBytes'>) | undefined;

/** The page's budget in bytes: the largest request of its connected viewers (the default without any). */
export function cacheBudgetBytes(): number {
  const sizes = [...requests.values()];
  return (sizes.length > 0 ? Math.max(...sizes) : defaultCacheSizeMb()) * 1024 * 1024;
}

/** A connected viewer states its budget (MB; 0 or absent: the default); the runtime follows at once. */
export function requestCacheSize(owner: object, megabytes: number | undefined): void {
  requests.set(owner, effectiveCacheSizeMb(megabytes));
  applyBudget?.(cacheBudgetBytes());
}

/** A viewer left the page: its request no longer counts. */
export function withdrawCacheSize(owner: object): void {
  if (!requests.delete(owner)) return;
  applyBudget?.(cacheBudgetBytes());
}

/** The runtime (runtime.ts) applies the budget now and on every later change, and reports its contents. */
export function connectRuntime(apply: (bytes: number) => void, report: () => Omit<FilmlessMemoryUsage, 'cacheBudgetBytes'>): void {
  applyBudget = apply;
  reporter = report;
  apply(cacheBudgetBytes());
}

/** What the runtime holds now; zeros before the first viewer has loaded Cornerstone. */
export function memoryUsage(): FilmlessMemoryUsage {
  const held = reporter?.() ?? { cachedBytes: 0, cachedImages: 0, cachedVolumes: 0, metadataEntries: 0, viewports: 0, toolGroups: 0 };
  return { cacheBudgetBytes: cacheBudgetBytes(), ...held };
}
