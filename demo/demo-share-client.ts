/**
 * How the demo pages ask the demo server for a share: a study-scoped token for `/shared/dicom-web`, a
 * short access code and the link (demo/server/demo-share.ts). A hospital's pages would ask their own
 * backend the same way, with the user's session.
 */
import type { ShareTokenProvider } from '../src/index.js';
import type { DemoShareGrant } from './server/demo-share.js';

export type { DemoShareGrant };

/** Thrown with the HTTP status when the server refuses. */
export class ShareRequestError extends Error {
  constructor(readonly status: number) {
    super(`The demo server did not make a share link (HTTP ${status})`);
  }
}

export async function requestShareGrant(studyInstanceUID: string, sessionToken: string): Promise<DemoShareGrant> {
  const response = await fetch('/demo/share-token', {
    method: 'POST',
    cache: 'no-store',
    headers: { Authorization: `Bearer ${sessionToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ studyInstanceUID }),
  });
  if (!response.ok) throw new ShareRequestError(response.status);
  return (await response.json()) as DemoShareGrant;
}

/** The viewer's `shareTokenProvider`: its Share button then shows a link, a QR code and the access code. */
export function demoShareTokenProvider(sessionToken: () => string): ShareTokenProvider {
  return async (study) => ({
    ...(await requestShareGrant(study.studyInstanceUID, sessionToken())),
    accessUrl: new URL('/demo/access', location.href).href,
  });
}
