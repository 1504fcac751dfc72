/**
 * Which of Cornerstone's renderers draws the stacks of this page. Kept apart from the imaging chunk so
 * the element can take the setting before Cornerstone is loaded.
 *
 * - `auto` (default): WebGL where the GPU is real; Cornerstone's CPU renderer where WebGL runs on a
 *   software rasterizer (SwiftShader, llvmpipe: virtual desktops, remote sessions, VMs without a GPU,
 *   common in hospitals). There every WebGL frame is drawn by the CPU anyway and then copied out of
 *   the WebGL canvas into the viewport's, which costs more than drawing the slice directly: measured,
 *   60 instead of 54 slices per second with a p95 frame gap of 17 instead of 33 ms (bench, P3).
 * - `gpu`, `cpu`: force one.
 */
export type RendererPreference = 'auto' | 'gpu' | 'cpu';

let preference: RendererPreference = 'auto';
const listeners = new Set<(preference: RendererPreference) => void>();

export function getRendererPreference(): RendererPreference {
  return preference;
}

export function setRendererPreference(value: RendererPreference): void {
  if (value !== 'auto' && value !== 'gpu' && value !== 'cpu') throw new TypeError(`renderer must be auto, gpu or cpu, not ${String(value)}`);
  preference = value;
  for (const listener of listeners) listener(value);
}

/** Called with every later change (the running Cornerstone runtime switches its viewports over). */
export function onRendererPreferenceChange(listener: (preference: RendererPreference) => void): void {
  listeners.add(listener);
}
