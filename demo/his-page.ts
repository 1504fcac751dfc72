/**
 * Embedding Filmless in a hospital information system: this file is the whole integration. The HIS
 * already stores each radiology record's accession number and the patient's ID; showing the images
 * takes two attributes. (The page loads the element with `<script type="module" src=".../filmless-viewer.js">`.)
 */
import type { DemoSession } from './server/demo-session.js';
import { requestShareGrant } from './demo-share-client.js';

const viewer = document.querySelector('filmless-viewer')!;
const info = document.querySelector<HTMLElement>('#viewer-info')!;

// 1. Point the viewer at the DICOMweb gateway, with a token from the HIS backend (here: the demo server).
const fetchSession = async (): Promise<DemoSession> => (await fetch('/demo/session')).json();
const session = await fetchSession();
viewer.setAttribute('dicomweb-url', session.dicomwebUrl);
viewer.token = session.token; // a property: a token never goes into an HTML attribute or a URL
viewer.tokenProvider = async () => (await fetchSession()).token; // asked again when the gateway answers 401

// 2. Let the user share the open study (a link, its QR code and an access code, valid for days).
viewer.shareTokenProvider = (study) => requestShareGrant(study.studyInstanceUID, session.token);

// 3. Show the study of the record the user picks. The patient's ID goes along: with accession number
//    9998 (images without one) the viewer lists that patient's studies to choose from.
document.querySelector('#radiology-records')!.addEventListener('click', (event) => {
  const record = (event.target as Element).closest<HTMLElement>('tr[data-accession]');
  if (!record) return;
  showInfo(false);
  const patientId = document.querySelector<HTMLElement>('.his-patient')!.dataset.patientId;
  if (patientId) viewer.setAttribute('patient-id', patientId);
  viewer.setAttribute('accession-number', record.dataset.accession!);
});

// 4. Accession number 9999 means an exam on an analog device: nothing digital exists. That is
//    information for the user, not a failure, so the page says it in its own words instead of the
//    viewer's error panel (and its "Try again").
viewer.addEventListener('filmless-error', (event) => {
  if (event.detail.code === 'no-digital-images') showInfo(true);
});

function showInfo(shown: boolean): void {
  info.hidden = !shown;
  viewer.toggleAttribute('data-no-digital-images', shown);
}

// 5. Compare with the patient's previous study: once the images are on screen the viewer finds the
//    patient's other CT/MR studies and says so (filmless-priors, newest first); the button opens the
//    most recent one beside the current images, scrolling in sync.
const compareButton = document.querySelector<HTMLButtonElement>('#compare-prior')!;
let latestPrior: string | undefined;
viewer.addEventListener('filmless-priors', (event) => {
  latestPrior = event.detail.priors[0]?.studyInstanceUID;
  compareButton.hidden = latestPrior === undefined;
});
viewer.addEventListener('filmless-resolved', () => {
  latestPrior = undefined;
  compareButton.hidden = true;
});
compareButton.addEventListener('click', () => {
  if (latestPrior) viewer.comparePrior(latestPrior);
});

// 6. The viewer speaks the HIS screen's language.
viewer.lang = document.documentElement.lang;
document.addEventListener('his-languagechange', (event) => {
  viewer.lang = (event as CustomEvent<string>).detail;
});
