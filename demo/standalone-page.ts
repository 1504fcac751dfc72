/**
 * The standalone demo page: type or pick an accession number and see the study. The page talks to
 * the viewer only through its public API: the `dicomweb-url`, `accession-number`, `share-url` and
 * `lang` attributes, the `token` and `shareTokenProvider` properties and the `filmless-*` events.
 */
import type { FilmlessViewer } from '../src/index.js';
import { showViewerEvents } from './demo-event-log.js';
import { fetchDemoSession, type DemoSession } from './demo-session-client.js';
import { demoShareTokenProvider } from './demo-share-client.js';
import { markOpenStudy, renderStudyList } from './demo-study-list.js';

const viewer = document.querySelector<FilmlessViewer>('#viewer')!;
const form = document.querySelector<HTMLFormElement>('.open-form')!;
const accessionInput = document.querySelector<HTMLInputElement>('#accession')!;
const languageSelect = document.querySelector<HTMLSelectElement>('#language')!;
const studyList = document.querySelector<HTMLElement>('#study-list')!;
const studiesSource = document.querySelector<HTMLElement>('#studies-source')!;

// Listen before anything is opened, so the log shows the first events too.
showViewerEvents(viewer, document.querySelector('#event-list')!, document.querySelector('#last-event-type')!);

function openStudy(accession: string): void {
  accessionInput.value = accession;
  viewer.setAttribute('accession-number', accession);
  markOpenStudy(studyList, accession);
  // The address names the open study, so a reload or a shared link shows it again. It names only
  // the study: the token stays in memory.
  const address = new URL(location.href);
  address.searchParams.set('accession', accession);
  history.replaceState(null, '', address);
}

function describeStudies(session: DemoSession): string {
  if (session.studies.length > 0) return `From ${session.source}. Pick one, or type an accession number.`;
  if (session.sourceKind === 'upstream') return `Not listed: the images come from ${session.source}. Type an accession number it knows.`;
  return `None found in ${session.source}. Add DICOM files there and restart the demo server.`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const accession = accessionInput.value.trim();
  if (accession) openStudy(accession);
});

languageSelect.addEventListener('change', () => {
  viewer.lang = languageSelect.value;
});

try {
  const session = await fetchDemoSession();
  viewer.setAttribute('dicomweb-url', session.dicomwebUrl);
  // A property, never an attribute: a token in the DOM is visible to every inspector and script.
  viewer.token = session.token;
  // The Share button: a study-scoped link for /shared/dicom-web, its QR code and an access code.
  viewer.shareTokenProvider = demoShareTokenProvider(() => session.token);
  renderStudyList(studyList, session.studies, openStudy);
  studiesSource.textContent = describeStudies(session);
  const requested = new URLSearchParams(location.search).get('accession')?.trim();
  if (requested) openStudy(requested);
} catch (error) {
  studiesSource.textContent = error instanceof Error ? error.message : String(error);
  studiesSource.setAttribute('role', 'alert');
}
