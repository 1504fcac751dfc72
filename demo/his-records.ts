/**
 * Stands in for the HIS's own database, screen and languages: shows one patient (the demo data's
 * patient with the most CT and MR studies) with a radiology record for each of their studies, writes
 * the patient's ID where the HIS keeps it (`data-patient-id` on the patient banner), highlights the
 * record the user picks, and switches the screen's language. A real HIS renders all this itself;
 * nothing in this file is needed to embed Filmless (see his-page.ts for that).
 */
import { formatPersonName } from '../src/i18n/person-name.js';
import { announceLanguage, fill, formatDicomDate, pickLanguage, translateDocument, type Language, type Messages } from './demo-i18n.js';
import { fetchDemoSession, type DemoSession } from './demo-session-client.js';

type Key = keyof (typeof MESSAGES)['en'];

const MESSAGES = {
  tr: {
    title: 'HBYS örneği: Radyoloji sonuçları · Filmless',
    product: 'HBYS · Radyoloji',
    hospital: 'Örnek Eğitim ve Araştırma Hastanesi',
    language: 'Dil',
    patientSection: 'Hasta bilgileri',
    patient: 'Hasta',
    patientId: 'Hasta No',
    protocol: 'Protokol No',
    insurer: 'Kurum',
    demoNote: 'Örnek ekran: hasta bilgileri ve görüntüler demo verisidir.',
    recordsTitle: 'Radyoloji hizmetleri',
    date: 'Tarih',
    serviceCode: 'Hizmet kodu',
    procedure: 'İşlem',
    accession: 'Erişim No',
    view: ' görüntüle',
    record9998: 'Beyin BT (dış merkez cihazı erişim numarası üretemedi)',
    record9999: 'Lomber MR (analog cihaz, dijital görüntü yok)',
    imageSection: 'Görüntü',
    noDigitalImages: 'Bu tetkik analog bir cihazda yapılmıştır; dijital görüntüsü yoktur (erişim no 9999).',
    noPatient: 'Demo verisinde BT ya da MR tetkiki yok.',
    comparePrior: 'Önceki tetkikle karşılaştır',
  },
  en: {
    title: 'HIS example: radiology results · Filmless',
    product: 'HIS · Radiology',
    hospital: 'Sample General Hospital',
    language: 'Language',
    patientSection: 'Patient details',
    patient: 'Patient',
    patientId: 'Patient ID',
    protocol: 'Visit no.',
    insurer: 'Insurer',
    demoNote: 'Example screen: the patient and the images are demo data.',
    recordsTitle: 'Radiology services',
    date: 'Date',
    serviceCode: 'Service code',
    procedure: 'Procedure',
    accession: 'Accession',
    view: ' view images',
    record9998: 'Brain CT (the outside centre’s scanner could not give an accession number)',
    record9999: 'Lumbar MR (analog device, no digital images)',
    imageSection: 'Images',
    noDigitalImages: 'This examination was done on an analog device: it has no digital images (accession number 9999).',
    noPatient: 'The demo data has no CT or MR study.',
    comparePrior: 'Compare with prior',
  },
  vi: {
    title: 'Ví dụ HIS: kết quả chẩn đoán hình ảnh · Filmless',
    product: 'HIS · Chẩn đoán hình ảnh',
    hospital: 'Bệnh viện Đa khoa Mẫu',
    language: 'Ngôn ngữ',
    patientSection: 'Thông tin người bệnh',
    patient: 'Người bệnh',
    patientId: 'Mã người bệnh',
    protocol: 'Mã lượt khám',
    insurer: 'Bảo hiểm',
    demoNote: 'Màn hình minh họa: thông tin người bệnh và hình ảnh là dữ liệu mẫu.',
    recordsTitle: 'Dịch vụ chẩn đoán hình ảnh',
    date: 'Ngày',
    serviceCode: 'Mã dịch vụ',
    procedure: 'Kỹ thuật',
    accession: 'Mã số chụp',
    view: ' xem ảnh',
    record9998: 'Chụp CT sọ não (máy của cơ sở bên ngoài không tạo được mã số chụp)',
    record9999: 'Chụp MRI cột sống thắt lưng (máy analog, không có ảnh số)',
    imageSection: 'Hình ảnh',
    noDigitalImages: 'Ca chụp này được thực hiện trên máy analog nên không có ảnh số (mã số chụp 9999).',
    noPatient: 'Dữ liệu mẫu không có ca chụp CT hay MRI nào.',
    comparePrior: 'So sánh với ca chụp trước',
  },
} satisfies Messages<string>;

/** How each language names the modalities in a procedure list. */
const MODALITY_NAMES: Record<Language, Record<string, string>> = {
  tr: { CT: 'BT', MR: 'MR' },
  en: { CT: 'CT', MR: 'MR' },
  vi: { CT: 'Chụp CT', MR: 'Chụp MRI' },
};

/**
 * SUT codes from the national notice's list of MR and CT services. Which code names which procedure
 * is not modelled: the pairing below is for show.
 */
const SERVICE_CODES: Record<string, string[]> = {
  CT: ['803870', '803880', '803890', '803900'],
  MR: ['804160', '804170', '804180', '804190'],
};
const RECORD_COUNT = 4;

/** A radiology record as the HIS database would hold it. */
interface RadiologyRecord {
  accession: string;
  studyDate: string;
  modality: string;
  description: string;
  serviceCode: string;
}

interface HisPatient {
  name: string;
  id: string;
  records: RadiologyRecord[];
}

const records = document.querySelector<HTMLTableSectionElement>('#radiology-records')!;
const banner = document.querySelector<HTMLElement>('.his-patient')!;
const languageSelect = document.querySelector<HTMLSelectElement>('#language')!;
// The HIS's screen is Turkish unless the address or the user asks for another language.
let language: Language = pickLanguage([new URLSearchParams(location.search).get('lang')], 'tr');
let patient: HisPatient | undefined;
let patientMissing = false;

records.addEventListener('click', (event) => {
  const picked = (event.target as Element).closest<HTMLTableRowElement>('tr[data-accession]');
  if (!picked) return;
  for (const row of records.rows) {
    if (row === picked) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  }
});

languageSelect.addEventListener('change', () => {
  language = pickLanguage([languageSelect.value], 'tr');
  render();
});

/** Strings of a QIDO-RS study result (DICOM JSON). */
function value(dataset: Record<string, { Value?: unknown[] }>, tag: string): string {
  const first = dataset[tag]?.Value?.[0];
  if (first && typeof first === 'object' && 'Alphabetic' in first) return String((first as { Alphabetic: string }).Alphabetic);
  return first === undefined ? '' : String(first);
}

/**
 * The HIS's patient: the demo data's patient with the most CT and MR studies (a patient with a prior
 * study comes first), with a record for each of them, newest first. Asked of the PACS through the
 * demo's gateway (QIDO-RS), since the demo's list of studies does not name patients.
 */
async function loadPatient(session: DemoSession): Promise<HisPatient | undefined> {
  const response = await fetch(`${session.dicomwebUrl}/studies?includefield=00081030`, {
    headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/dicom+json' },
  });
  if (!response.ok) throw new Error(`QIDO-RS answered HTTP ${response.status}`);
  const found = ((await response.json()) as Record<string, { Value?: unknown[] }>[]).map((study) => ({
    patientId: value(study, '00100020'),
    patientName: value(study, '00100010'),
    record: {
      accession: value(study, '00080050'),
      studyDate: value(study, '00080020'),
      modality: (study['00080061']?.Value ?? []).map(String).find((m) => m in SERVICE_CODES) ?? '',
      description: value(study, '00081030'),
      serviceCode: '',
    },
    instances: session.studies.find((s) => s.studyInstanceUID === value(study, '0020000D'))?.instanceCount ?? 0,
  }));
  const byPatient = new Map<string, typeof found>();
  for (const study of found) {
    if (!study.patientId || !study.record.modality || !study.record.accession) continue;
    byPatient.set(study.patientId, [...(byPatient.get(study.patientId) ?? []), study]);
  }
  const size = (studies: typeof found) => studies.reduce((sum, study) => sum + study.instances, 0);
  const [chosen] = [...byPatient.values()].sort((a, b) => b.length - a.length || size(b) - size(a));
  if (!chosen) return undefined;
  const newestFirst = [...chosen].sort((a, b) => b.record.studyDate.localeCompare(a.record.studyDate)).slice(0, RECORD_COUNT);
  return {
    name: chosen[0]!.patientName,
    id: chosen[0]!.patientId,
    records: newestFirst.map((study, position) => ({ ...study.record, serviceCode: SERVICE_CODES[study.record.modality]![position % RECORD_COUNT]! })),
  };
}

function recordRow(record: RadiologyRecord): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset.accession = record.accession;
  row.dataset.date = record.studyDate;
  row.dataset.modality = record.modality;
  row.dataset.description = record.description;
  row.insertCell().className = 'record-date';
  row.insertCell().textContent = record.serviceCode;
  row.insertCell().className = 'record-procedure';
  row.insertCell().append(viewButton(record.accession));
  return row;
}

/** The accession number is the record's button, as in the static rows of his.html. */
function viewButton(accession: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.dataset.text = 'view';
  button.append(accession, hidden);
  return button;
}

/** The screen in the current language; tells the integration (his-page.ts) with `his-languagechange`. */
function render(): void {
  const t = (key: Key) => fill(MESSAGES[language][key]);
  announceLanguage(language);
  languageSelect.value = language;
  document.title = t('title');
  translateDocument(MESSAGES[language]);
  for (const row of records.rows) {
    const date = row.querySelector('.record-date');
    if (date) date.textContent = formatDicomDate(row.dataset.date ?? '', language);
    const procedure = row.querySelector('.record-procedure');
    if (procedure) procedure.textContent = [MODALITY_NAMES[language][row.dataset.modality ?? ''], row.dataset.description].filter(Boolean).join(' · ');
  }
  document.querySelector('#patient-name')!.textContent = patient ? formatPersonName(patient.name, language) || '—' : patientMissing ? t('noPatient') : '…';
  document.querySelector('#patient-id')!.textContent = patient?.id ?? (patientMissing ? '—' : '…');
  document.dispatchEvent(new CustomEvent('his-languagechange', { detail: language }));
}

render();
try {
  patient = await loadPatient(await fetchDemoSession());
} catch (error) {
  console.error(error);
}
patientMissing = !patient;
if (patient) {
  banner.dataset.patientId = patient.id;
  records.prepend(...patient.records.map(recordRow));
}
render();
