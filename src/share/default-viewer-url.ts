/**
 * Where the standalone viewer page lives, for share links. The script-tag entry sets it to `viewer.html`
 * beside itself; hosts override it with the `share-url` attribute.
 */
let defaultViewerUrl = '';

export function setDefaultViewerUrl(url: string): void {
  defaultViewerUrl = url;
}

export function getDefaultViewerUrl(): string {
  return defaultViewerUrl;
}
