/**
 * The printable result sheet a patient takes home (`result-sheet.html?study=<uid>` or `?accession=`):
 * the hospital, the patient and the exam, then "view your images online": the QR code of a share link,
 * the link itself, a short access code and where to type it, and until when it works.
 *
 * What a hospital's reporting system would do, in three requests: find the study (QIDO-RS through the
 * demo's `/dicom-web` with the session token), ask for a share (`POST /demo/share-token`: a token for
 * `/shared/dicom-web` that opens this study only, an access code and the link), draw the QR code.
 * A language change re-labels the sheet; it does not make a new link.
 */
import { DicomwebClient } from '../src/dicomweb/client.js';
import { type DicomJsonDataset, Tag, stringValue, stringValues } from '../src/dicomweb/dicom-json.js';
import { formatPersonName } from '../src/i18n/person-name.js';
import { fetchDemoSession } from './demo-session-client.js';
import { requestShareGrant, ShareRequestError, type DemoShareGrant } from './demo-share-client.js';

const MESSAGES = {
  en: {
    title: 'Imaging examination result',
    hospital: 'Sample General Hospital',
    department: 'Department of Diagnostic Imaging',
    language: 'Language',
    paper: 'Paper',
    print: 'Print',
    patient: 'Patient',
    patientId: 'Patient ID',
    birthDate: 'Date of birth',
    exam: 'Examination',
    examDate: 'Exam date',
    accession: 'Accession number',
    viewOnline: 'View your images online',
    scan: "Scan the QR code with your phone's camera.",
    visit: 'Or go to {address} and enter this access code:',
    validUntil: 'Valid until {date}.',
    directLink: 'Direct link:',
    privacy: 'Keep this sheet private: anyone with the QR code or the access code can see these images until then.',
    issued: 'Issued {date}',
    demoNote: 'Demo: the images are test data.',
    qrLabel: 'QR code of the link to your images',
    loading: 'Preparing the result sheet…',
    missingStudy: 'Which study? Open this page as result-sheet.html?study=<Study Instance UID> or ?accession=<accession number>.',
    notFound: 'No study found for {what}.',
    several: 'Several studies have accession number {accession}. Open the sheet with ?study=<Study Instance UID> instead.',
    noSession: 'The demo server did not answer. Is it started with npm start?',
    shareFailed: 'The share link could not be made (HTTP {status}).',
    loopback:
      "The QR code points to {origin}, which only this computer can open. To try it with a phone, start the demo with HOST=0.0.0.0 and open this sheet at the computer's network address.",
  },
  tr: {
    title: 'Görüntüleme tetkik sonucu',
    hospital: 'Örnek Eğitim ve Araştırma Hastanesi',
    department: 'Radyoloji Bölümü',
    language: 'Dil',
    paper: 'Kağıt',
    print: 'Yazdır',
    patient: 'Hasta',
    patientId: 'Hasta numarası',
    birthDate: 'Doğum tarihi',
    exam: 'Tetkik',
    examDate: 'Tetkik tarihi',
    accession: 'Erişim numarası',
    viewOnline: 'Görüntülerinizi çevrimiçi görün',
    scan: 'Telefonunuzun kamerasıyla karekodu okutun.',
    visit: 'Ya da {address} adresine gidip bu erişim kodunu girin:',
    validUntil: 'Son geçerlilik: {date}.',
    directLink: 'Doğrudan bağlantı:',
    privacy: 'Bu belgeyi kimseyle paylaşmayın: karekoda veya erişim koduna sahip olan herkes bu görüntüleri o tarihe kadar görebilir.',
    issued: 'Düzenlenme: {date}',
    demoNote: 'Örnek: görüntüler test verisidir.',
    qrLabel: 'Görüntülerinizin bağlantısının karekodu',
    loading: 'Sonuç belgesi hazırlanıyor…',
    missingStudy: 'Hangi tetkik? Sayfayı result-sheet.html?study=<Study Instance UID> ya da ?accession=<erişim numarası> ile açın.',
    notFound: '{what} için tetkik bulunamadı.',
    several: '{accession} erişim numarasına ait birden fazla tetkik var. Belgeyi ?study=<Study Instance UID> ile açın.',
    noSession: 'Demo sunucusu yanıt vermedi. npm start ile başlatıldı mı?',
    shareFailed: 'Paylaşım bağlantısı oluşturulamadı (HTTP {status}).',
    loopback:
      'Karekod yalnızca bu bilgisayarın açabildiği {origin} adresini gösteriyor. Telefonla denemek için demoyu HOST=0.0.0.0 ile başlatın ve bu belgeyi bilgisayarın ağ adresinden açın.',
  },
  vi: {
    title: 'Phiếu kết quả chẩn đoán hình ảnh',
    hospital: 'Bệnh viện Đa khoa Mẫu',
    department: 'Khoa Chẩn đoán hình ảnh',
    language: 'Ngôn ngữ',
    paper: 'Khổ giấy',
    print: 'In phiếu',
    patient: 'Họ tên người bệnh',
    patientId: 'Mã người bệnh',
    birthDate: 'Ngày sinh',
    exam: 'Kỹ thuật chụp',
    examDate: 'Ngày chụp',
    accession: 'Mã số chụp',
    viewOnline: 'Xem hình ảnh trực tuyến',
    scan: 'Quét mã QR bằng camera điện thoại.',
    visit: 'Hoặc truy cập {address} và nhập mã truy cập:',
    validUntil: 'Có hiệu lực đến {date}.',
    directLink: 'Liên kết trực tiếp:',
    privacy: 'Vui lòng giữ kín phiếu này: bất kỳ ai có mã QR hoặc mã truy cập đều xem được hình ảnh cho đến ngày đó.',
    issued: 'Ngày cấp: {date}',
    demoNote: 'Bản minh họa: hình ảnh là dữ liệu thử nghiệm.',
    qrLabel: 'Mã QR của liên kết tới hình ảnh',
    loading: 'Đang chuẩn bị phiếu kết quả…',
    missingStudy: 'Chưa chọn ca chụp. Hãy mở trang với result-sheet.html?study=<Study Instance UID> hoặc ?accession=<mã số chụp>.',
    notFound: 'Không tìm thấy ca chụp {what}.',
    several: 'Có nhiều ca chụp cùng mã số chụp {accession}. Hãy mở phiếu với ?study=<Study Instance UID>.',
    noSession: 'Máy chủ demo không phản hồi. Đã chạy npm start chưa?',
    shareFailed: 'Không tạo được liên kết chia sẻ (HTTP {status}).',
    loopback:
      'Mã QR trỏ tới {origin}, chỉ máy tính này mở được. Để thử bằng điện thoại, hãy chạy demo với HOST=0.0.0.0 và mở phiếu này qua địa chỉ mạng của máy tính.',
  },
} as const;

type Language = keyof typeof MESSAGES;
type Key = keyof (typeof MESSAGES)['en'];
const LOCALES: Record<Language, string> = { en: 'en-GB', tr: 'tr-TR', vi: 'vi-VN' };
/** How Turkish radiology names the modalities (BT for CT); others keep the DICOM code. */
const MODALITY_NAMES: Partial<Record<Language, Record<string, string>>> = { tr: { CT: 'BT' } };

interface SheetStudy {
  studyInstanceUID: string;
  accessionNumber: string;
  patientName: string;
  patientID: string;
  birthDate: string;
  studyDate: string;
  modalities: string[];
  description: string;
}

/** A problem shown instead of the sheet. */
class SheetProblem extends Error {
  constructor(
    readonly key: Key,
    readonly values: Record<string, string | number> = {},
  ) {
    super(key);
  }
}

function pickLanguage(candidates: readonly (string | null)[]): Language {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0];
    if (base && base in MESSAGES) return base as Language;
  }
  return 'en';
}

const params = new URLSearchParams(location.search);
let language = pickLanguage([params.get('lang'), ...navigator.languages]);
const t = (key: Key, values: Record<string, string | number> = {}): string =>
  MESSAGES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));

const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const sheet = $('.sheet');
const status = $('#status');
const printButton = $<HTMLButtonElement>('#print');
const languageSelect = $<HTMLSelectElement>('#language');
const paperSelect = $<HTMLSelectElement>('#paper');

let study: SheetStudy | undefined;
let grant: DemoShareGrant | undefined;
let problem: SheetProblem | undefined;
const issuedAt = new Date();

function toStudy(dataset: DicomJsonDataset): SheetStudy {
  return {
    studyInstanceUID: stringValue(dataset, Tag.StudyInstanceUID),
    accessionNumber: stringValue(dataset, Tag.AccessionNumber),
    patientName: stringValue(dataset, Tag.PatientName),
    patientID: stringValue(dataset, Tag.PatientID),
    birthDate: stringValue(dataset, Tag.PatientBirthDate),
    studyDate: stringValue(dataset, Tag.StudyDate),
    modalities: stringValues(dataset, Tag.ModalitiesInStudy),
    description: stringValue(dataset, Tag.StudyDescription),
  };
}

/** DICOM DA (`20260412`) in the sheet's language; the text as it is when it is not a date. */
function dicomDate(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

function dateTime(value: Date): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeStyle: 'short' }).format(value);
}

/** Finds the study through the demo's gateway, as a reporting system would query its PACS. */
async function findStudy(dicomwebUrl: string, token: string): Promise<SheetStudy> {
  const uid = params.get('study')?.trim();
  const accession = params.get('accession')?.trim();
  if (!uid && !accession) throw new SheetProblem('missingStudy');
  // The viewer's own DICOMweb client: bearer header, timeout, errors mapped the same way.
  const client = new DicomwebClient({ baseUrl: dicomwebUrl, getToken: () => token });
  const filter: Record<string, string> = uid ? { [Tag.StudyInstanceUID]: uid } : { [Tag.AccessionNumber]: accession! };
  const results = await client.searchStudies(filter, new AbortController().signal).catch(() => {
    throw new SheetProblem('notFound', { what: uid ?? accession! });
  });
  // Exact matches only: a server may match more loosely than asked.
  const found = results.map(toStudy).filter((s) => (uid ? s.studyInstanceUID === uid : s.accessionNumber === accession));
  if (found.length === 0) throw new SheetProblem('notFound', { what: uid ?? accession! });
  if (found.length > 1) throw new SheetProblem('several', { accession: accession! });
  return found[0]!;
}

/** Modules (squares) across the QR code, to size it in whole device pixels. */
let qrModules = 0;

async function drawQrCode(link: string): Promise<void> {
  // Loaded only here: the QR library is not needed before a sheet is shown.
  const { default: QRCode } = await import('qrcode');
  const options = { errorCorrectionLevel: 'M', margin: 0 } as const;
  qrModules = QRCode.create(link, options).modules.size;
  const svg = await QRCode.toString(link, { ...options, type: 'svg' });
  const image = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  $('#qr').replaceChildren(document.importNode(image, true));
  sizeQrCode();
}

/**
 * On screen every module gets the same whole number of device pixels: a code whose squares alternate
 * between 2 and 3 pixels is one that phone cameras (and decoders) misread. Paper sizes it in mm (CSS).
 */
function sizeQrCode(): void {
  const svg = document.querySelector<SVGElement>('#qr svg');
  if (!svg || qrModules === 0) return;
  const target = matchMedia('(max-width: 560px)').matches ? Math.min(272, innerWidth * 0.72) : 220;
  const ratio = devicePixelRatio || 1;
  const pixelsPerModule = Math.max(1, Math.floor((target * ratio) / qrModules));
  const size = `${(pixelsPerModule * qrModules) / ratio}px`;
  svg.style.setProperty('--qr-size', size);
}

function fill(selector: string, value: string): void {
  $(selector).textContent = value;
}

/** Writes every label and value in the current language. */
function render(): void {
  document.documentElement.lang = language;
  languageSelect.value = language;
  for (const element of document.querySelectorAll<HTMLElement>('[data-text]')) element.textContent = t(element.dataset.text as Key);
  document.title = study ? `${t('title')} · ${study.accessionNumber}` : t('title');

  if (problem) {
    status.textContent = t(problem.key, problem.values);
    status.className = 'notice problem';
  } else if (!study || !grant) {
    status.textContent = t('loading');
  } else {
    status.textContent = '';
    status.className = 'notice';
  }
  if (!study || !grant) return;

  const names = MODALITY_NAMES[language] ?? {};
  fill('#patient-name', formatPersonName(study.patientName, language) || '—');
  fill('#patient-id', study.patientID || '—');
  $('#birth-row').hidden = !study.birthDate;
  fill('#birth-date', dicomDate(study.birthDate));
  fill('#exam', [study.modalities.map((m) => names[m] ?? m).join('/'), study.description].filter(Boolean).join(' · ') || '—');
  fill('#exam-date', dicomDate(study.studyDate) || '—');
  fill('#accession', study.accessionNumber || '—');

  const accessAddress = `${location.origin}/demo/access`;
  const visit = $('#visit');
  const [before, after = ''] = MESSAGES[language].visit.split('{address}');
  const address = document.createElement('span');
  address.className = 'address';
  address.textContent = accessAddress;
  visit.replaceChildren(before ?? '', address, after);
  fill('#access-code', grant.accessCode);
  fill('#expiry', t('validUntil', { date: dateTime(new Date(grant.expiresAt)) }));
  fill('#link', grant.link);
  fill('#issued', t('issued', { date: dateTime(issuedAt) }));
  $('#qr').setAttribute('aria-label', t('qrLabel'));

  const linkOrigin = new URL(grant.link).origin;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(new URL(grant.link).hostname);
  fill('#loopback-hint', loopback ? t('loopback', { origin: linkOrigin }) : '');
}

function setPaper(paper: string): void {
  const size = paper === 'A5' ? 'A5' : 'A4';
  document.documentElement.dataset.paper = size;
  paperSelect.value = size;
  $('#page-size').textContent = `@page { size: ${size} portrait; margin: ${size === 'A5' ? 10 : 14}mm; }`;
}

languageSelect.addEventListener('change', () => {
  language = pickLanguage([languageSelect.value]);
  const address = new URL(location.href);
  address.searchParams.set('lang', language);
  history.replaceState(null, '', address);
  render();
});
paperSelect.addEventListener('change', () => setPaper(paperSelect.value));
addEventListener('resize', sizeQrCode);
printButton.addEventListener('click', () => window.print());

setPaper(params.get('paper') ?? 'A4');
render();

try {
  const session = await fetchDemoSession().catch(() => {
    throw new SheetProblem('noSession');
  });
  study = await findStudy(session.dicomwebUrl, session.token);
  grant = await requestShareGrant(study.studyInstanceUID, session.token).catch((error: unknown) => {
    throw new SheetProblem('shareFailed', { status: error instanceof ShareRequestError ? error.status : 0 });
  });
  await drawQrCode(grant.link);
  sheet.hidden = false;
  printButton.disabled = false;
  render();
  document.body.dataset.state = 'ready';
} catch (error) {
  problem = error instanceof SheetProblem ? error : new SheetProblem('noSession');
  if (!(error instanceof SheetProblem)) console.error(error);
  render();
  document.body.dataset.state = 'error';
}
