/**
 * The DICOMweb sources a deployment of the standalone page allows, so that a crafted link cannot make
 * the hospital's own page show another server's images and names. Read, in this order, from:
 * - `<meta name="filmless-allowed-sources" content="https://pacs.example.org/dicom-web …">` in the page
 *   (entries separated by spaces or commas; no request is made);
 * - `viewer.config.json` beside the page: `{"allowedSources": ["https://pacs.example.org/dicom-web"]}`;
 * - neither: the page's own origin only.
 * A configuration that exists but cannot be read as such allows nothing, and says so: a broken file
 * must never widen access. A missing file (any failed request, or an HTML fallback page where the
 * file would be) is no configuration.
 */
import { parseAllowedSources } from '../dicomweb/allowed-sources.js';

/** The `<meta name>` a deployment lists its sources in. */
export const ALLOWED_SOURCES_META = 'filmless-allowed-sources';
/** The configuration file beside viewer.html. */
export const CONFIG_FILE = 'viewer.config.json';

export interface DeploymentSources {
  /** The entries the viewer's `allowedSources` gets (empty: nothing is allowed). */
  sources: string[];
  /** Where they came from. */
  from: 'meta' | 'config' | 'own-origin';
  /** The meta or the file is there but invalid: nothing is allowed. */
  invalid: boolean;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export async function deploymentSources(doc: Document, pageUrl: string, fetchConfig: FetchLike = (input, init) => fetch(input, init)): Promise<DeploymentSources> {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${ALLOWED_SOURCES_META}"]`);
  if (meta) {
    const sources = parseAllowedSources(meta.content.split(/[\s,]+/).filter(Boolean), pageUrl);
    return sources ? { sources, from: 'meta', invalid: false } : { sources: [], from: 'meta', invalid: true };
  }
  const ownOrigin = (): DeploymentSources => ({ sources: [new URL(pageUrl).origin], from: 'own-origin', invalid: false });
  let response: Response;
  try {
    response = await fetchConfig(new URL(CONFIG_FILE, pageUrl).href, { cache: 'no-cache', credentials: 'same-origin', redirect: 'error' });
  } catch {
    return ownOrigin();
  }
  // Servers that answer every unknown path with the application's HTML page have no file here either.
  if (!response.ok || /text\/html/i.test(response.headers.get('Content-Type') ?? '')) return ownOrigin();
  try {
    const config: unknown = await response.json();
    const sources = typeof config === 'object' && config !== null ? parseAllowedSources((config as Record<string, unknown>).allowedSources, pageUrl) : undefined;
    if (sources) return { sources, from: 'config', invalid: false };
  } catch {
    // Not JSON: reported below as an invalid configuration.
  }
  return { sources: [], from: 'config', invalid: true };
}
