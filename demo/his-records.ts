/**
 * Stands in for the HIS's own database and screen: adds a radiology record for each of the demo
 * server's larger CT and MR studies, and highlights the record the user picks. A real HIS renders
 * these rows itself; nothing in this file is needed to embed Filmless (see his-page.ts for that).
 */
import { fetchDemoSession, type DemoSession } from './demo-session-client.js';

type StudySummary = DemoSession['studies'][number];

/**
 * SUT codes from the national notice's list of MR and CT services. Which code names which procedure
 * is not modelled: the pairing below is for show.
 */
const SERVICE_CODES: Record<string, string[]> = {
  CT: ['803870', '803880', '803890', '803900'],
  MR: ['804160', '804170', '804180', '804190'],
};
const MODALITY_NAMES: Record<string, string> = { CT: 'BT', MR: 'MR' };
const RECORD_COUNT = 4;
const DAY_MS = 24 * 60 * 60 * 1000;

const records = document.querySelector<HTMLTableSectionElement>('#radiology-records')!;

records.addEventListener('click', (event) => {
  const picked = (event.target as Element).closest<HTMLTableRowElement>('tr[data-accession]');
  if (!picked) return;
  for (const row of records.rows) {
    if (row === picked) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  }
});

/** The studies a radiology list would hold: CT and MR, the largest (the full series) first. */
function radiologyStudies(studies: readonly StudySummary[]): StudySummary[] {
  return studies
    .filter((study) => study.modalities.some((modality) => modality in MODALITY_NAMES))
    .sort((a, b) => b.instanceCount - a.instanceCount)
    .slice(0, RECORD_COUNT);
}

function recordRow(study: StudySummary, position: number): HTMLTableRowElement {
  const modality = study.modalities.find((m) => m in MODALITY_NAMES)!;
  const date = new Date(Date.now() - (position * 9 + 1) * DAY_MS);
  const row = document.createElement('tr');
  row.dataset.accession = study.accessionNumber;
  const cells = [
    date.toLocaleDateString('tr-TR', { day: '2-digit', month: '2-digit', year: 'numeric' }),
    SERVICE_CODES[modality]![position % RECORD_COUNT]!,
    [MODALITY_NAMES[modality], study.description].filter(Boolean).join(' · '),
  ];
  for (const text of cells) row.insertCell().textContent = text;
  row.insertCell().append(viewButton(study.accessionNumber));
  return row;
}

/** The accession number is the record's button, as in the static rows of his.html. */
function viewButton(accession: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = ' görüntüle';
  button.append(accession, hidden);
  return button;
}

const session = await fetchDemoSession();
records.prepend(...radiologyStudies(session.studies).map(recordRow));
