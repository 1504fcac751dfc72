/**
 * Script-tag entry: `<script type="module" src="…/filmless-viewer.js">` registers `<filmless-viewer>`.
 * Workers, codecs and chunks are resolved relative to this script's own URL by the bundler
 * (`new URL(…, import.meta.url)`), so the build works from any origin and sub-path.
 */
import { defineFilmlessViewer } from './define.js';
import { setDefaultViewerUrl } from './share/default-viewer-url.js';

export * from './index.js';

// Share links open the standalone page shipped beside this script (in development Vite serves it at /).
setDefaultViewerUrl(import.meta.env.DEV ? new URL('/viewer.html', location.href).href : new URL(/* @vite-ignore */ './viewer.html', import.meta.url).href);
defineFilmlessViewer();
