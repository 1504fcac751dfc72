/**
 * `/demo/access`: a patient types the access code from the result sheet; the page asks the server
 * for the share link it stands for (`POST /demo/redeem`) and opens it. The token travels in the
 * link's fragment, never in a request to this server or in the page's address.
 */
import type { DemoRedeemed } from './server/demo-share.js';

const MESSAGES = {
  en: {
    hospital: 'Sample General Hospital',
    title: 'View your images',
    intro: 'Enter the access code printed on your result sheet.',
    codeLabel: 'Access code',
    submit: 'View images',
    privacy: 'The code opens your images for a limited time. Do not share it with people you do not want to see them.',
    language: 'Language',
    opening: 'Opening your images…',
    empty: 'Please enter your access code.',
    notACode: 'An access code has 8 letters and digits, like ABCD-2345. Please check it.',
    unknown: 'This code is not valid. Please check the code on your result sheet.',
    expired: 'This code expired on {date}. Please ask the hospital for a new one.',
    tooMany: 'Too many wrong attempts. Please try again in {seconds} seconds.',
    failed: 'The server could not be reached. Please try again later.',
  },
  tr: {
    hospital: 'Örnek Eğitim ve Araştırma Hastanesi',
    title: 'Görüntülerinize ulaşın',
    intro: 'Sonuç belgenizde yazan erişim kodunu girin.',
    codeLabel: 'Erişim kodu',
    submit: 'Görüntüleri aç',
    privacy: 'Bu kod görüntülerinizi sınırlı bir süre için açar. Görmesini istemediğiniz kişilerle paylaşmayın.',
    language: 'Dil',
    opening: 'Görüntüleriniz açılıyor…',
    empty: 'Lütfen erişim kodunu girin.',
    notACode: 'Erişim kodu 8 harf ve rakamdan oluşur, örneğin ABCD-2345. Lütfen kontrol edin.',
    unknown: 'Bu kod geçerli değil. Lütfen sonuç belgenizdeki kodu kontrol edin.',
    expired: 'Bu kodun süresi {date} tarihinde doldu. Yeni bir kod için hastaneye başvurun.',
    tooMany: 'Çok fazla hatalı deneme yapıldı. Lütfen {seconds} saniye sonra tekrar deneyin.',
    failed: 'Sunucuya ulaşılamadı. Lütfen daha sonra tekrar deneyin.',
  },
  vi: {
    hospital: 'Bệnh viện Đa khoa Mẫu',
    title: 'Xem hình ảnh của bạn',
    intro: 'Nhập mã truy cập được in trên phiếu kết quả của bạn.',
    codeLabel: 'Mã truy cập',
    submit: 'Xem hình ảnh',
    privacy: 'Mã này chỉ mở hình ảnh của bạn trong một thời gian giới hạn. Đừng đưa mã cho người bạn không muốn cho xem.',
    language: 'Ngôn ngữ',
    opening: 'Đang mở hình ảnh…',
    empty: 'Vui lòng nhập mã truy cập.',
    notACode: 'Mã truy cập gồm 8 chữ cái và chữ số, ví dụ ABCD-2345. Vui lòng kiểm tra lại.',
    unknown: 'Mã này không đúng. Vui lòng kiểm tra lại mã trên phiếu kết quả.',
    expired: 'Mã này đã hết hạn vào {date}. Vui lòng liên hệ bệnh viện để được cấp mã mới.',
    tooMany: 'Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.',
    failed: 'Không kết nối được với máy chủ. Vui lòng thử lại sau.',
  },
} as const;

type Language = keyof typeof MESSAGES;
type Key = keyof (typeof MESSAGES)['en'];
const LOCALES: Record<Language, string> = { en: 'en-GB', tr: 'tr-TR', vi: 'vi-VN' };

function pickLanguage(candidates: readonly (string | null)[]): Language {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0];
    if (base && base in MESSAGES) return base as Language;
  }
  return 'en';
}

let language = pickLanguage([new URLSearchParams(location.search).get('lang'), ...navigator.languages]);
const t = (key: Key, values: Record<string, string | number> = {}): string =>
  MESSAGES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));

const form = document.querySelector<HTMLFormElement>('#access-form')!;
const input = document.querySelector<HTMLInputElement>('#code')!;
const button = form.querySelector<HTMLButtonElement>('button')!;
const message = document.querySelector<HTMLElement>('#message')!;
const languageSelect = document.querySelector<HTMLSelectElement>('#language')!;
/** What the message says, so a language change can say it again in the new language. */
let shown: { key: Key; values: Record<string, string | number>; problem: boolean } | undefined;

function applyLanguage(): void {
  document.documentElement.lang = language;
  document.title = t('title');
  languageSelect.value = language;
  languageSelect.setAttribute('aria-label', t('language'));
  for (const element of document.querySelectorAll<HTMLElement>('[data-text]')) element.textContent = t(element.dataset.text as Key);
  if (shown) say(shown.key, shown.values, shown.problem);
}

function say(key: Key, values: Record<string, string | number> = {}, problem = true): void {
  shown = { key, values, problem };
  message.textContent = t(key, values);
  message.className = problem ? 'problem' : '';
  input.setAttribute('aria-invalid', String(problem));
}

async function redeem(code: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch('/demo/redeem', {
      method: 'POST',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
  } catch {
    say('failed');
    return;
  }
  if (response.ok) {
    const { link } = (await response.json()) as DemoRedeemed;
    say('opening', {}, false);
    // The viewer opens in the language chosen here; the token stays in the fragment.
    const target = new URL(link);
    target.searchParams.set('lang', language);
    location.assign(target.href);
    return;
  }
  const body = (await response.json().catch(() => ({}))) as { expiresAt?: string };
  if (response.status === 400) say('notACode');
  else if (response.status === 404) say('unknown');
  else if (response.status === 410) {
    const date = body.expiresAt ? new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long' }).format(new Date(body.expiresAt)) : '';
    say('expired', { date });
  } else if (response.status === 429) say('tooMany', { seconds: Number(response.headers.get('Retry-After')) || 60 });
  else say('failed');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = input.value.trim();
  if (!code) {
    say('empty');
    input.focus();
    return;
  }
  button.disabled = true;
  void redeem(code).finally(() => {
    button.disabled = false;
    if (shown?.problem) input.focus();
  });
});

languageSelect.addEventListener('change', () => {
  language = pickLanguage([languageSelect.value]);
  const address = new URL(location.href);
  address.searchParams.set('lang', language);
  history.replaceState(null, '', address);
  applyLanguage();
});

applyLanguage();
input.focus();
