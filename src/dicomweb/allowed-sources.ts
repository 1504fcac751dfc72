/**
 * Which DICOMweb servers a viewer may talk to. A deployment lists them (the element's `allowedSources`
 * property; the standalone page reads them from a `<meta name="filmless-allowed-sources">` or from
 * `viewer.config.json` beside it). Each entry is an origin (`https://pacs.example.org`: any path there)
 * or a URL prefix (`https://pacs.example.org/dicom-web`: that path and below it, on segment boundaries);
 * a relative entry (`/dicom-web`) is resolved against the page. Matching is done on parsed URLs, so
 * `https://pacs.example.org.evil.example/`, `https://pacs.example.org@evil.example/` and
 * `/dicom-web/../admin` never pass for an entry they merely start like.
 */

/** The URL a source or entry stands for, or undefined when it is not a usable http(s) URL. */
function parse(value: string, base: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Credentials in a source URL would be sent to the server by the browser: never from a link.
  if (url.username || url.password) return undefined;
  return url;
}

/** Path segments of a parsed URL; an encoded slash or backslash is kept as one segment that no entry names. */
function segments(url: URL): string[] {
  return url.pathname.split('/').filter(Boolean);
}

/**
 * True when `source` (a DICOMweb base URL, absolute or relative to `base`) is allowed by one of the
 * entries. Entries that are not http(s) URLs allow nothing.
 */
export function isSourceAllowed(source: string, allowed: readonly string[], base: string): boolean {
  const url = parse(source, base);
  if (!url) return false;
  // A path that hides a separator (%2F, %5C) could be read differently by the server: never allowed.
  if (/%(2f|5c)/i.test(url.pathname)) return false;
  const path = segments(url);
  return allowed.some((entry) => {
    const prefix = parse(entry, base);
    if (!prefix || prefix.origin !== url.origin) return false;
    const wanted = segments(prefix);
    return wanted.length <= path.length && wanted.every((segment, index) => path[index] === segment);
  });
}

/** The origin a source URL names (for messages), or the text itself when it is not a URL. */
export function sourceOrigin(source: string, base: string): string {
  try {
    return new URL(source.trim(), base).origin;
  } catch {
    return source;
  }
}

/**
 * Reads a list of allowed sources from untrusted configuration: an array of non-empty strings, each an
 * http(s) URL or a path. Anything else is undefined (the caller reports the configuration as invalid).
 */
export function parseAllowedSources(value: unknown, base: string): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || !item.trim() || !parse(item, base)) return undefined;
    entries.push(item.trim());
  }
  return entries;
}
