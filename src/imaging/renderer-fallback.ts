/**
 * Which renderer draws the page's stacks, and what happens when WebGL is not there or goes away.
 *
 * - No WebGL2 (turned off, a GPU blocked by policy, a headless browser): Cornerstone's CPU renderer
 *   draws every stack, with every stack tool, through a 2D canvas. Only a browser without a 2D canvas
 *   either gets the `webgl` error: nothing could draw there.
 * - WebGL lost while the page is open (Cornerstone reports it for its contexts): the page switches to
 *   the CPU renderer for good, and every stack viewport shows again what it showed (slice, window,
 *   zoom, pan, rotation, flips, inversion). A restored context is not taken back: vtk.js would have to
 *   rebuild every texture, and a GPU that reset once may reset again.
 * - Otherwise the page's preference (renderer-preference.ts): `auto` takes the CPU renderer on a
 *   software rasterizer, where it is faster.
 */
import { Enums, eventTarget, getRenderingCapabilities, getShouldUseCPURendering, setUseCPURendering } from '@cornerstonejs/core';
import { FilmlessError } from '../errors.js';
import { type RendererPreference, getRendererPreference, onRendererPreferenceChange } from './renderer-preference.js';
import { getWebglAvailability, setWebglAvailability, webglUnusable } from './webgl-availability.js';

/**
 * Called just before the page's renderer changes; the function it returns runs just after (a stack
 * viewport notes its view under the old renderer, then shows it again under the new one).
 */
export type RendererSwitchListener = () => () => void | Promise<void>;

const switchListeners = new Set<RendererSwitchListener>();
let following = false;

/** Follows every change of renderer; returns the function that stops following. */
export function onRendererSwitch(listener: RendererSwitchListener): () => void {
  switchListeners.add(listener);
  return () => switchListeners.delete(listener);
}

/** Whether a 2D canvas can be made here (what Cornerstone's CPU renderer and the lean first image draw with). */
function canDraw2d(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

function wantsCpu(preference: RendererPreference): boolean {
  return preference === 'cpu' || webglUnusable() || (preference === 'auto' && getRenderingCapabilities().softwareRasterizer);
}

/** Sets Cornerstone's renderer for the preference; with `redraw`, the stacks on screen move to it. */
function applyRenderer(preference: RendererPreference, redraw: boolean): void {
  const cpu = wantsCpu(preference);
  if (cpu === getShouldUseCPURendering()) return;
  const after = redraw ? [...switchListeners].map((listener) => listener()) : [];
  setUseCPURendering(cpu, redraw);
  for (const show of after) void Promise.resolve(show()).catch(() => undefined);
}

/**
 * Chooses the renderer once Cornerstone has probed WebGL (its init), then follows the page's preference
 * and WebGL context loss. Throws `webgl` only where nothing can draw.
 */
export function startRendererChoice(): void {
  const { webgl2 } = getRenderingCapabilities();
  if (!webgl2 && !canDraw2d()) throw new FilmlessError('webgl', 'Neither WebGL2 nor a 2D canvas is available in this browser');
  setWebglAvailability(webgl2 ? 'available' : 'missing');
  applyRenderer(getRendererPreference(), false);
  if (following) return; // a second start after a failed one: the listeners are there
  following = true;
  onRendererPreferenceChange((preference) => applyRenderer(preference, true));
  eventTarget.addEventListener(Enums.Events.WEBGL_CONTEXT_LOST, () => {
    if (getWebglAvailability() === 'lost') return;
    setWebglAvailability('lost');
    applyRenderer(getRendererPreference(), true);
  });
}
