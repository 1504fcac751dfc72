/**
 * The standalone demo page: type or pick an accession number and see the study. The page talks to
 * the viewer only through its public API: the `dicomweb-url`, `accession-number`, `share-url` and
 * `lang` attributes, the `token` and `shareTokenProvider` properties and the `filmless-*` events.
 * The page's language selector switches the viewer and the page's own text together.
 */
import type { FilmlessViewer } from '../src/index.js';
import { showViewerEvents } from './demo-event-log.js';
import { LOCALES, announceLanguage, fill, initialLanguage, pickLanguage, translateDocument, type Language, type Messages } from './demo-i18n.js';
import { fetchDemoSession, type DemoSession } from './demo-session-client.js';
import { demoShareTokenProvider } from './demo-share-client.js';
import { markOpenStudy, renderStudyList } from './demo-study-list.js';

type Key = keyof (typeof MESSAGES)['en'];

const MESSAGES = {
  en: {
    pageTitle: 'Filmless demo',
    openStudy: 'Open a study',
    accession: 'Accession number',
    show: 'Show',
    language: 'Language',
    studiesTitle: 'Studies on this server',
    loading: 'Loading…',
    pick: 'Pick one, or type an accession number.',
    fromSamples: 'The generated sample studies ({folder}).',
    fromShared: "The project's shared test data ({folder}).",
    fromFolder: 'The folder {folder}.',
    fromOther: 'From {source}.',
    upstream: 'Not listed: the images come from the DICOMweb server at {source}. Type an accession number it knows.',
    none: 'No studies found in {folder}. Add DICOM files there and restart the demo server.',
    noSession: 'The demo server did not answer. Is it started with npm start?',
    unnamed: 'Unnamed patient',
    instanceOne: '1 instance',
    instances: '{count} instances',
    resultSheet: 'Result sheet',
    resultSheetFor: ' for {accession}',
    events: 'Events',
    eventsHintBefore: 'The last',
    eventsHintAfter: 'event of each type, newest first.',
    eventAt: '{type} at {time}',
    lastEvent: '(last: {type})',
  },
  tr: {
    pageTitle: 'Filmless demosu',
    openStudy: 'Tetkik aç',
    accession: 'Erişim numarası',
    show: 'Göster',
    language: 'Dil',
    studiesTitle: 'Bu sunucudaki tetkikler',
    loading: 'Yükleniyor…',
    pick: 'Birini seçin ya da bir erişim numarası yazın.',
    fromSamples: 'Oluşturulan örnek tetkikler ({folder}).',
    fromShared: 'Projenin ortak test verisi ({folder}).',
    fromFolder: '{folder} klasörü.',
    fromOther: 'Kaynak: {source}.',
    upstream: 'Liste yok: görüntüler {source} adresindeki DICOMweb sunucusundan geliyor. Sunucunun bildiği bir erişim numarası yazın.',
    none: '{folder} içinde tetkik bulunamadı. Oraya DICOM dosyaları ekleyip demo sunucusunu yeniden başlatın.',
    noSession: 'Demo sunucusu yanıt vermedi. npm start ile başlatıldı mı?',
    unnamed: 'Adı kayıtlı olmayan hasta',
    instanceOne: '1 DICOM nesnesi',
    instances: '{count} DICOM nesnesi',
    resultSheet: 'Sonuç belgesi',
    resultSheetFor: ' ({accession})',
    events: 'Olaylar',
    eventsHintBefore: 'Her türün en son',
    eventsHintAfter: 'olayı; en yenisi en üstte.',
    eventAt: '{type}, saat {time}',
    lastEvent: '(son: {type})',
  },
  vi: {
    pageTitle: 'Bản minh họa Filmless',
    openStudy: 'Mở ca chụp',
    accession: 'Mã số chụp',
    show: 'Xem',
    language: 'Ngôn ngữ',
    studiesTitle: 'Các ca chụp trên máy chủ này',
    loading: 'Đang tải…',
    pick: 'Chọn một ca, hoặc nhập mã số chụp.',
    fromSamples: 'Các ca chụp mẫu được tạo sẵn ({folder}).',
    fromShared: 'Dữ liệu thử nghiệm dùng chung của dự án ({folder}).',
    fromFolder: 'Thư mục {folder}.',
    fromOther: 'Nguồn: {source}.',
    upstream: 'Không có danh sách: hình ảnh lấy từ máy chủ DICOMweb tại {source}. Hãy nhập mã số chụp mà máy chủ đó có.',
    none: 'Không tìm thấy ca chụp nào trong {folder}. Hãy thêm tệp DICOM vào đó rồi khởi động lại máy chủ demo.',
    noSession: 'Máy chủ demo không phản hồi. Đã chạy npm start chưa?',
    unnamed: 'Người bệnh chưa có tên',
    instanceOne: '1 đối tượng DICOM',
    instances: '{count} đối tượng DICOM',
    resultSheet: 'Phiếu kết quả',
    resultSheetFor: ' của ca {accession}',
    events: 'Sự kiện',
    eventsHintBefore: 'Sự kiện',
    eventsHintAfter: 'gần nhất của mỗi loại, mới nhất ở trên cùng.',
    eventAt: '{type} lúc {time}',
    lastEvent: '(gần nhất: {type})',
  },
} satisfies Messages<string>;

const viewer = document.querySelector<FilmlessViewer>('#viewer')!;
const form = document.querySelector<HTMLFormElement>('.open-form')!;
const accessionInput = document.querySelector<HTMLInputElement>('#accession')!;
const languageSelect = document.querySelector<HTMLSelectElement>('#language')!;
const studyList = document.querySelector<HTMLElement>('#study-list')!;
const studiesSource = document.querySelector<HTMLElement>('#studies-source')!;
const lastEventType = document.querySelector<HTMLElement>('#last-event-type')!;

let language: Language = initialLanguage();
let session: DemoSession | undefined;
let sessionFailed = false;
const t = (key: Key, values?: Record<string, string | number>): string => fill(MESSAGES[language][key], values);

// Listen before anything is opened, so the log shows the first events too.
showViewerEvents(viewer, document.querySelector('#event-list')!, lastEventType, () => ({
  locale: LOCALES[language],
  heading: MESSAGES[language].eventAt,
  last: MESSAGES[language].lastEvent,
}));

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

/** Where the studies come from, from the server's English description of its source. */
function describeSource(source: string): string {
  const samples = /^the generated sample studies in (.+)$/.exec(source);
  if (samples) return t('fromSamples', { folder: samples[1]! });
  const shared = /^the project's shared test data in (.+)$/.exec(source);
  if (shared) return t('fromShared', { folder: shared[1]! });
  const folder = /^folder (.+?)(?: \(from .+\))?$/.exec(source);
  if (folder) return t('fromFolder', { folder: folder[1]! });
  return t('fromOther', { source });
}

function describeStudies(current: DemoSession): string {
  if (current.sourceKind === 'upstream') return t('upstream', { source: current.source.replace(/^the DICOMweb server at /, '') });
  if (current.studies.length > 0) return `${describeSource(current.source)} ${t('pick')}`;
  return t('none', { folder: current.source.replace(/^(the generated sample studies in |the project's shared test data in |folder )/, '') });
}

/** Writes the page's own text in the current language; the viewer follows its `lang`. */
function render(): void {
  announceLanguage(language);
  languageSelect.value = language;
  viewer.lang = language;
  document.title = t('pageTitle');
  translateDocument(MESSAGES[language]);
  if (lastEventType.dataset.type) lastEventType.textContent = t('lastEvent', { type: lastEventType.dataset.type });
  if (sessionFailed) studiesSource.textContent = t('noSession');
  else if (!session) studiesSource.textContent = t('loading');
  else {
    studiesSource.textContent = describeStudies(session);
    renderStudyList(studyList, session.studies, openStudy, {
      unnamed: t('unnamed'),
      instances: (count) => (count === 1 ? t('instanceOne') : t('instances', { count: count.toLocaleString(LOCALES[language]) })),
      resultSheet: t('resultSheet'),
      resultSheetFor: MESSAGES[language].resultSheetFor,
      language,
    });
    const open = viewer.getAttribute('accession-number');
    if (open) markOpenStudy(studyList, open);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const accession = accessionInput.value.trim();
  if (accession) openStudy(accession);
});

languageSelect.addEventListener('change', () => {
  language = pickLanguage([languageSelect.value]);
  render();
});

render();
try {
  session = await fetchDemoSession();
  viewer.setAttribute('dicomweb-url', session.dicomwebUrl);
  // A property, never an attribute: a token in the DOM is visible to every inspector and script.
  viewer.token = session.token;
  // The Share button: a study-scoped link for /shared/dicom-web, its QR code and an access code.
  const current = session;
  viewer.shareTokenProvider = demoShareTokenProvider(() => current.token);
  render();
  const requested = new URLSearchParams(location.search).get('accession')?.trim();
  if (requested) openStudy(requested);
} catch (error) {
  console.error(error);
  sessionFailed = true;
  studiesSource.setAttribute('role', 'alert');
  render();
}
