/**
 * Embedding Filmless in a hospital information system: this file is the whole integration. The HIS
 * already stores each radiology record's accession number; showing its images takes one attribute.
 * (The page loads the element with `<script type="module" src=".../filmless-viewer.js">`.)
 */
import type { DemoSession } from './server/demo-session.js';
import { requestShareGrant } from './demo-share-client.js';

const viewer = document.querySelector('filmless-viewer')!;

// 1. Point the viewer at the DICOMweb gateway, with a token from the HIS backend (here: the demo server).
const fetchSession = async (): Promise<DemoSession> => (await fetch('/demo/session')).json();
const session = await fetchSession();
viewer.setAttribute('dicomweb-url', session.dicomwebUrl);
viewer.token = session.token; // a property: a token never goes into an HTML attribute or a URL
viewer.tokenProvider = async () => (await fetchSession()).token; // asked again when the gateway answers 401

// 2. Let the user share the open study (a link, its QR code and an access code, valid for days).
viewer.shareTokenProvider = (study) => requestShareGrant(study.studyInstanceUID, session.token);

// 3. Show the study of the record the user picks.
document.querySelector('#radiology-records')!.addEventListener('click', (event) => {
  const record = (event.target as Element).closest<HTMLElement>('tr[data-accession]');
  if (record) viewer.setAttribute('accession-number', record.dataset.accession!);
});
