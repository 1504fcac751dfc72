import { FilmlessViewer } from './viewer/filmless-viewer.component.js';

/**
 * Registers `<filmless-viewer>`. Safe to call more than once, and safe when another copy of the script
 * already registered the tag (hospital pages do load scripts twice).
 * @param tagName - The tag to register; another name than `filmless-viewer` registers a subclass.
 */
export function defineFilmlessViewer(tagName = 'filmless-viewer'): void {
  if (!customElements.get(tagName)) customElements.define(tagName, tagName === 'filmless-viewer' ? FilmlessViewer : class extends FilmlessViewer {});
}

declare global {
  interface HTMLElementTagNameMap {
    'filmless-viewer': FilmlessViewer;
  }
}
