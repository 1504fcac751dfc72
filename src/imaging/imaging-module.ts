/**
 * Everything that needs Cornerstone, in one module that the element imports dynamically: the element's
 * own code (search, study list, UI) then loads and starts the PACS search while this larger part is
 * still downloading and compiling.
 */
export { StackController } from './stack-controller.js';
export { addFrameSource, frameImageId, loadAndCacheFrame, removeFrameSource } from './frame-loader.js';
export { activeRenderer } from './runtime.js';
export { MprView } from './mpr.js';
export { cursorInfo } from './cursor-info.js';
