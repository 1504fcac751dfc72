/**
 * Share links: the standalone viewer page, the study to open, and a short-lived study-scoped token in the
 * URL **fragment**. Browsers never send the fragment to servers (not in requests, not in Referer), and the
 * page removes it from the address bar as soon as it has read it.
 */

/** What a host's share token provider returns: the token, and optionally when it expires and a short code. */
export interface ShareGrant {
  token: string;
  /** ISO 8601 time after which the link stops working. */
  expiresAt?: string;
  /** A short code a patient can type instead of scanning (printed on result sheets). */
  accessCode?: string;
  /** Where the access code is typed (shown next to it). */
  accessUrl?: string;
  /**
   * The DICOMweb URL the share token is valid at, when it differs from the viewer's own source (hospitals
   * often expose a separate, study-scoped gateway for patients and partners).
   */
  dicomwebUrl?: string;
}

/** Supplies a share token for one study; the host decides scope and lifetime. */
export type ShareTokenProvider = (study: { studyInstanceUID: string; accessionNumber: string }) => Promise<ShareGrant | string>;

export interface ShareTarget {
  /** The standalone viewer page, e.g. https://cdn.example/filmless/viewer.html */
  viewerUrl: string;
  dicomwebUrl: string;
  studyInstanceUID: string;
}

/** The link to the standalone page (IHE IID parameters) that opens exactly this study. */
export function buildShareLink(target: ShareTarget, token: string): string {
  const url = new URL(target.viewerUrl, location.href);
  url.search = '';
  url.searchParams.set('requestType', 'STUDY');
  url.searchParams.set('studyUID', target.studyInstanceUID);
  url.searchParams.set('dicomweb', new URL(target.dicomwebUrl, location.href).href);
  url.hash = `token=${encodeURIComponent(token)}`;
  return url.href;
}

/** Normalises what a provider returned (a bare token string is allowed). */
export function toGrant(value: ShareGrant | string): ShareGrant {
  return typeof value === 'string' ? { token: value } : value;
}

/**
 * Draws the link as a QR code onto a canvas (no image URL is left in the DOM: the code carries a token).
 * The QR library is loaded only when someone shares.
 */
export async function drawQrCode(canvas: HTMLCanvasElement, text: string): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  await QRCode.toCanvas(canvas, text, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
}
