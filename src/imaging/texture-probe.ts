/**
 * Cornerstone probes which texture formats the GPU samples right when it starts: a few draws and
 * read-backs that block the main thread on the GPU (50–300 ms with software WebGL), right after the
 * first image. It keeps the answer in the page origin's localStorage, keyed by the GPU's renderer
 * string, and probes only when that is missing. So the same probe runs first in a worker
 * (texture-probe.worker.ts), while Cornerstone's code loads, and its answer is stored where Cornerstone
 * reads it. Storage refused, another renderer string, another cache version: Cornerstone simply probes
 * itself, as it would have.
 */
import { startModuleWorker } from '../workers/module-worker.js';
import type { TextureProbeAnswer } from './texture-probe-protocol.js';
import workerUrl from './texture-probe.worker.ts?worker&url';

/** Cornerstone 5.14's cache (core/utilities/renderingCapabilities.js): its key and version. */
const STORAGE_KEY = 'cornerstone3D.renderingCapabilities';
const PROBE_VERSION = 1;
/** Cornerstone probes itself if the worker has not answered by then. */
const WAIT_MS = 3000;

let probed: Promise<void> | undefined;

function cached(): boolean {
  try {
    const entry = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { probeVersion?: number } | null;
    return entry?.probeVersion === PROBE_VERSION;
  } catch {
    return false;
  }
}

/**
 * Starts the probe off the main thread once per page (when Cornerstone's answer is not cached yet);
 * resolves when it is stored, failed, or took too long. Never rejects.
 */
export function probeTexturesOffMainThread(): Promise<void> {
  probed ??= new Promise<void>((resolve) => {
    if (typeof OffscreenCanvas !== 'function' || cached()) return resolve();
    let worker: Worker;
    try {
      worker = startModuleWorker(new URL(workerUrl, import.meta.url), 'filmless-texture-probe');
    } catch {
      return resolve();
    }
    const done = () => {
      clearTimeout(timer);
      worker.terminate();
      resolve();
    };
    const timer = setTimeout(done, WAIT_MS);
    worker.onerror = done;
    worker.onmessage = (event: MessageEvent<TextureProbeAnswer>) => {
      const answer = event.data;
      try {
        if (answer) localStorage.setItem(STORAGE_KEY, JSON.stringify({ probeVersion: PROBE_VERSION, renderer: answer.renderer, webgl2: true, formats: answer.formats }));
      } catch {
        // storage refused (a sandboxed frame, a full quota): Cornerstone probes itself
      }
      done();
    };
  });
  return probed;
}
