/** How the demo pages get their DICOMweb URL, token and study list from the demo server. */
import type { DemoSession } from './server/demo-session.js';

export type { DemoSession };

/** The demo's session; rejects with a message a person can act on. */
export async function fetchDemoSession(): Promise<DemoSession> {
  const response = await fetch('/demo/session', { cache: 'no-store' });
  if (!response.ok) {
    throw new Error(`The demo server did not give this page a session (HTTP ${response.status}). Is it started with npm start?`);
  }
  return (await response.json()) as DemoSession;
}
