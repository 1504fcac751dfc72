/**
 * The one Cornerstone3D runtime of the page. Cornerstone keeps global state (caches, loaders, tool
 * registry) and every rendering engine holds WebGL contexts, which browsers cap at about 16 a tab, so all
 * Filmless viewers on a page share this single initialisation and this single rendering engine.
 */
import {
  RenderingEngine,
  cache,
  getShouldUseCPURendering,
  getWebWorkerManager,
  init as initCore,
} from '@cornerstonejs/core';
import { internal, wadors } from '@cornerstonejs/dicom-image-loader';
import {
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  init as initTools,
} from '@cornerstonejs/tools';
import { registerFrameLoader, registeredFrameCount } from './frame-loader.js';
import { connectRuntime } from './memory-budget.js';
import { registerMeasurementTools } from './measurement-tools.js';
import { DecodeRouter } from './decode-router.js';
import { nextTask } from './next-task.js';
import { probeTexturesOffMainThread } from './texture-probe.js';
import { startRendererChoice } from './renderer-fallback.js';

const ENGINE_ID = 'filmless-shared-engine';

let runtime: Promise<RenderingEngine> | undefined;

/** The renderer drawing the page's stacks now. */
export function activeRenderer(): 'gpu' | 'cpu' {
  return getShouldUseCPURendering() ? 'cpu' : 'gpu';
}

/**
 * One WebGL context per pair of viewers is plenty for stacks (Cornerstone shares a context between
 * viewports in turn); its default of 7, made up front, costs start-up time and GPU memory, and browsers
 * allow a page only about 16 contexts, the host page's own included.
 */
const WEBGL_CONTEXTS = 2;

async function initialise(): Promise<RenderingEngine> {
  // Decoders first: they load their script and codecs while the rest starts up. The image loader's own
  // init() would start its workers from its own URL, which browsers refuse when the script is served
  // from a CDN origin. Its one "worker" is Filmless's decode router instead (decode-router.ts): native
  // frames decoded where they are, compressed ones in one worker per core (started through a
  // same-origin shim), frames and pixels transferred, not cloned.
  getWebWorkerManager().registerWorker('dicomImageLoader', () => new DecodeRouter() as unknown as Worker, {
    maxWorkerInstances: 1,
    overwrite: true,
  });
  await probeTexturesOffMainThread(); // Cornerstone's WebGL probe, done in a worker (texture-probe.ts)
  await initCore({ rendering: { webGlContextCount: WEBGL_CONTEXTS } } as Parameters<typeof initCore>[0]);
  await nextTask(); // each step of the start-up in a task of its own (next-task.ts)
  // Cornerstone has probed WebGL once (context, texture formats, rasterizer); without WebGL the CPU
  // renderer draws (renderer-fallback.ts), and a lost context switches to it.
  startRendererChoice();
  internal.setOptions({});
  wadors.register();
  initTools();
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) addTool(tool);
  registerMeasurementTools();
  registerFrameLoader();
  await nextTask();
  const engine = new RenderingEngine(ENGINE_ID);
  connectRuntime(applyCacheBudget, () => ({
    cachedBytes: cache.getCacheSize(),
    cachedImages: cachedImageCount(),
    cachedVolumes: cache.getVolumes().length,
    metadataEntries: registeredFrameCount(),
    viewports: engine.getViewports().length,
    toolGroups: ToolGroupManager.getAllToolGroups().length,
  }));
  return engine;
}

/** The cache's budget (memory-budget.ts); a smaller one than what is cached drops the least recently used images now. */
function applyCacheBudget(bytes: number): void {
  cache.setMaxCacheSize(bytes);
  if (cache.getCacheSize() > bytes) cache.decacheIfNecessaryUntilBytesAvailable(0);
}

/** Images in Cornerstone's cache: it has no public count, so its map is read where it is one (else 0). */
function cachedImageCount(): number {
  const images = (cache as unknown as { _imageCache?: unknown })._imageCache;
  return images instanceof Map ? images.size : 0;
}

/** Initialises Cornerstone once per page and returns the shared rendering engine. */
export function getSharedEngine(): Promise<RenderingEngine> {
  runtime ??= initialise().catch((error: unknown) => {
    runtime = undefined; // let a later viewer try again (e.g. after a lost context)
    throw error;
  });
  return runtime;
}
