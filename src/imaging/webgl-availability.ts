/**
 * Whether WebGL can draw on this page, as the imaging runtime found it. Kept apart from the imaging
 * chunk (like renderer-preference.ts) so the element can tell why MPR is not offered without loading
 * Cornerstone.
 *
 * - `unknown`: the imaging runtime has not started yet.
 * - `available`: a WebGL2 context works (hardware or software).
 * - `missing`: none could be made: WebGL turned off, a GPU blocked by policy (hospital virtual desktops),
 *   a headless browser. Stacks draw with Cornerstone's CPU renderer; MPR is not offered.
 * - `lost`: the page had WebGL and lost it (GPU reset, driver crash, too many contexts). Stacks switch to
 *   the CPU renderer for the rest of the page's life; MPR closes and is no longer offered.
 */
export type WebglAvailability = 'unknown' | 'available' | 'missing' | 'lost';

let availability: WebglAvailability = 'unknown';
const listeners = new Set<(availability: WebglAvailability) => void>();

export function getWebglAvailability(): WebglAvailability {
  return availability;
}

/** Whether WebGL is known to be unusable on this page (missing or lost). */
export function webglUnusable(): boolean {
  return availability === 'missing' || availability === 'lost';
}

/** Set by the imaging runtime (renderer-fallback.ts). */
export function setWebglAvailability(value: WebglAvailability): void {
  if (value === availability) return;
  availability = value;
  for (const listener of listeners) listener(value);
}

/** Called with every later change; returns the function that stops it. */
export function onWebglAvailabilityChange(listener: (availability: WebglAvailability) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
