/**
 * The standalone viewer page (`viewer.html`), opened from an IHE IID link, a share link or a QR code.
 * It reads the launch parameters, takes the token from the URL fragment and removes it from the address
 * bar at once, states plainly what it cannot honour, and hands the rest to <filmless-viewer>, which
 * talks only to the DICOMweb sources the deployment allows (deployment-sources.ts).
 */
import { defineFilmlessViewer } from '../define.js';
import { formatMessage, matchLanguage } from '../i18n/localize-controller.js';
import type { MessageKey } from '../i18n/messages.js';
import type { FilmlessViewer } from '../viewer/filmless-viewer.component.js';
import { setDefaultViewerUrl } from '../share/default-viewer-url.js';
import { deploymentSources } from './deployment-sources.js';
import { parseLaunch, viewerModeFor } from './iid-params.js';

// Share links made here point back to this very page.
setDefaultViewerUrl(new URL(location.pathname, location.href).href);
defineFilmlessViewer();

const { launch, problems, notices } = parseLaunch(location.search, location.hash);

// The token must not stay in the address bar, the history, a bookmark or a screenshot of the page.
if (location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}`);

const language = matchLanguage([new URLSearchParams(location.search).get('lang'), ...navigator.languages]);
document.documentElement.lang = language;
const t = (key: MessageKey, values: Record<string, string | number> = {}) => formatMessage(language, key, values);
document.title = t('iidTitle');

const messages = document.querySelector<HTMLElement>('#messages')!;
const studies = document.querySelector<HTMLElement>('#studies')!;
const viewer = document.querySelector<FilmlessViewer>('filmless-viewer')!;

function say(text: string, kind: 'problem' | 'notice'): void {
  const item = document.createElement('p');
  item.className = kind;
  item.textContent = text;
  messages.append(item);
}

if (problems.length > 0) {
  say(t('iidCannotOpen'), 'problem');
  for (const problem of problems) say(t(problem.key, { parameter: problem.parameter }), 'problem');
  viewer.remove();
} else {
  for (const notice of notices) say(t(notice.key, { value: notice.value }), 'notice');
  // Only the sources this deployment allows (its meta, its viewer.config.json, else its own origin): a
  // link naming another server is refused by the viewer, with its message, before any request.
  const deployment = await deploymentSources(document, location.href);
  if (deployment.invalid) say(t('iidConfigInvalid'), 'problem');
  viewer.allowedSources = deployment.sources;
  viewer.dicomwebUrl = launch.dicomweb;
  // A patient's link (token purpose `patient`) opens patient mode; a `mode` parameter decides otherwise.
  viewer.mode = viewerModeFor(launch);
  if (launch.token) viewer.token = launch.token;
  if (launch.requestType === 'PATIENT') {
    viewer.patientId = launch.patientID;
    viewer.studyDate = launch.studyDateRange;
    viewer.modality = launch.modalitiesInStudy.join(',');
    viewer.mostRecent = launch.mostRecentResults ?? 0;
  } else {
    const requested = [
      ...launch.studyUIDs.map((uid) => ({ label: uid, open: () => ((viewer.accessionNumber = ''), (viewer.studyUid = uid)) })),
      ...launch.accessionNumbers.map((accession) => ({ label: accession, open: () => ((viewer.studyUid = ''), (viewer.accessionNumber = accession)) })),
    ];
    if (requested.length > 1) {
      // Several studies asked for: one at a time, never mixed in one view; the list switches between them.
      studies.hidden = false;
      studies.setAttribute('aria-label', t('iidStudies'));
      for (const [index, study] of requested.entries()) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = study.label;
        button.setAttribute('aria-pressed', String(index === 0));
        button.addEventListener('click', () => {
          for (const other of studies.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
          study.open();
        });
        studies.append(button);
      }
    }
    requested[0]?.open();
  }
}
