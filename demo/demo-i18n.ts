/**
 * The demo pages speak the viewer's languages: English, Turkish and Vietnamese. Each page keeps its own
 * small message table; this file picks the language (`?lang=`, then the browser's), fills `{name}`
 * placeholders, writes `lang` on <html> and keeps `?lang=` in the address so a reload keeps it.
 */
export const LANGUAGES = ['en', 'tr', 'vi'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Locales for Intl: day-month-year dates in all three. */
export const LOCALES: Record<Language, string> = { en: 'en-GB', tr: 'tr-TR', vi: 'vi-VN' };

export type Messages<K extends string> = Record<Language, Record<K, string>>;

/** The first of `candidates` the demo speaks (`tr-TR` counts as `tr`), else `fallback`. */
export function pickLanguage(candidates: readonly (string | null | undefined)[], fallback: Language = 'en'): Language {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0];
    if (base && (LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return fallback;
}

/** The language asked for in the address, else the browser's, else `fallback`. */
export function initialLanguage(fallback: Language = 'en', browserLanguages: readonly string[] = navigator.languages): Language {
  return pickLanguage([new URLSearchParams(location.search).get('lang'), ...browserLanguages], fallback);
}

/** `{name}` in `template` replaced by `values.name`. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** Writes `lang` on <html> and `?lang=` in the address (without a new history entry). */
export function announceLanguage(language: Language): void {
  document.documentElement.lang = language;
  const address = new URL(location.href);
  address.searchParams.set('lang', language);
  history.replaceState(history.state, '', address);
}

/** Every element with `data-text="key"` gets that message; `data-label="key"` sets its aria-label. */
export function translateDocument<K extends string>(messages: Record<K, string>): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-text]')) {
    const text = messages[element.dataset.text as K];
    if (text !== undefined) element.textContent = text;
  }
  for (const element of document.querySelectorAll<HTMLElement>('[data-label]')) {
    const text = messages[element.dataset.label as K];
    if (text !== undefined) element.setAttribute('aria-label', text);
  }
}

/** A DICOM date (`20250203`) as the language writes dates; other text as it is. */
export function formatDicomDate(value: string, language: Language, style: 'short' | 'long' = 'short'): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  const options: Intl.DateTimeFormatOptions =
    style === 'long' ? { dateStyle: 'long', timeZone: 'UTC' } : { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(LOCALES[language], options).format(date);
}
