/**
 * Script-tag entry: `<script type="module" src="…/filmless-viewer.js">` registers `<filmless-viewer>`.
 * Workers, codecs and chunks are resolved relative to this script's own URL by the bundler
 * (`new URL(…, import.meta.url)`), so the build works from any origin and sub-path.
 */
import { defineFilmlessViewer } from './define.js';

export * from './index.js';

defineFilmlessViewer();
