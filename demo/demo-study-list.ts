/** The demo page's list of studies the server can show, one button per study. */
import type { DemoSession } from './demo-session-client.js';

type StudySummary = DemoSession['studies'][number];

/** The list's words, in the page's language. */
export interface StudyListText {
  unnamed: string;
  /** `{count}` is replaced. */
  instances: (count: number) => string;
  resultSheet: string;
  /** Read after "Result sheet" by screen readers; `{accession}` is replaced. */
  resultSheetFor: string;
  /** The language the result sheet opens in. */
  language: string;
}

/**
 * Fills `list` with a button per study, largest first: the full CT and MR series are what a newcomer
 * should try first, the one-image robustness cases after them.
 */
export function renderStudyList(list: HTMLElement, studies: readonly StudySummary[], open: (accession: string) => void, text: StudyListText): void {
  const sorted = [...studies].sort((a, b) => b.instanceCount - a.instanceCount);
  list.replaceChildren(...sorted.map((study) => studyItem(study, open, text)));
}

/** Marks the entry of the open study, for sighted users and screen readers alike. */
export function markOpenStudy(list: HTMLElement, accession: string): void {
  for (const button of list.querySelectorAll<HTMLButtonElement>('button[data-accession]')) {
    if (button.dataset.accession === accession) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

function studyItem(study: StudySummary, open: (accession: string) => void, text: StudyListText): HTMLLIElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.accession = study.accessionNumber;
  button.append(
    line('study-accession', study.accessionNumber),
    line('study-patient', readableName(study.patientName) || text.unnamed),
    line('study-facts', [study.modalities.join('/'), study.description, text.instances(study.instanceCount)].filter(Boolean).join(' · ')),
    line('study-folder', study.folderHint),
  );
  button.addEventListener('click', () => open(study.accessionNumber));
  const item = document.createElement('li');
  item.append(button, resultSheetLink(study, text));
  return item;
}

/** The printable sheet a patient takes home: exam, QR code of a share link, access code. */
function resultSheetLink(study: StudySummary, text: StudyListText): HTMLAnchorElement {
  const link = document.createElement('a');
  link.className = 'study-sheet';
  link.href = `result-sheet.html?study=${encodeURIComponent(study.studyInstanceUID)}&lang=${text.language}`;
  link.target = '_blank';
  link.textContent = text.resultSheet;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = text.resultSheetFor.replace('{accession}', study.accessionNumber);
  link.append(hidden);
  return link;
}

function line(className: string, text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

/** DICOM person names separate their parts with `^` (`SAMPLE^CT^PHANTOM`). */
function readableName(personName: string): string {
  return personName.split('=')[0]!.split('^').filter(Boolean).join(' ');
}
