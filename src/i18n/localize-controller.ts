import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type MessageKey, SUPPORTED_LANGUAGES, tables } from './messages.js';

/**
 * Intl formatters by language: creating one costs about as much as a whole render of the element, and
 * the overlay formats a date and numbers on every render (many per second while a series loads).
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function cached<T>(cache: Map<string, T>, language: string, create: () => T): T {
  let value = cache.get(language);
  if (!value) {
    value = create();
    cache.set(language, value);
  }
  return value;
}

const numberFormat = (language: string) => cached(numberFormats, language, () => new Intl.NumberFormat(language));

/** A message in a given language with `{name}` placeholders filled (for pages outside the element). */
export function formatMessage(language: string, key: MessageKey, values: Record<string, string | number> = {}): string {
  const table = tables[language] ?? tables.en!;
  const template = table[key] || tables.en![key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === 'number' ? numberFormat(language).format(value) : value;
  });
}

/** Picks the first supported language from a list of BCP 47 tags (`tr-TR` gives `tr`). */
export function matchLanguage(candidates: readonly (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const base = candidate.toLowerCase().split(/[-_]/)[0]!;
    if (SUPPORTED_LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/**
 * Per-element localization, with no page-global configuration (a host page may run its own i18n).
 * The language comes from the element's `lang`, the nearest `[lang]` ancestor, the document, then the
 * browser's languages. Changes of any of those re-render the element.
 */
export class LocalizeController implements ReactiveController {
  private observer: MutationObserver | undefined;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    // `lang` may change on the element or any ancestor; one observer on the document sees both.
    this.observer = new MutationObserver(() => this.host.requestUpdate());
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
  }

  /** The active language: `en`, `tr` or `vi`. */
  get language(): string {
    const ancestor = this.host.closest('[lang]')?.getAttribute('lang');
    return matchLanguage([this.host.getAttribute('lang'), ancestor, document.documentElement.lang, ...navigator.languages]);
  }

  /** The message for `key` in the active language, with `{name}` placeholders filled. */
  term(key: MessageKey, values: Record<string, string | number> = {}): string {
    return formatMessage(this.language, key, values);
  }

  /** A count with the right plural form: `key` for "other", `${key}One` where the language says "one". */
  count(key: MessageKey, count: number): string {
    const oneKey = `${key}One` as MessageKey;
    const language = this.language;
    const one = cached(pluralRules, language, () => new Intl.PluralRules(language)).select(count) === 'one';
    return one && oneKey in tables.en! ? this.term(oneKey, { count }) : this.term(key, { count });
  }

  /** Numbers in the active locale's notation. */
  format(value: string | number): string {
    return typeof value === 'number' ? numberFormat(this.language).format(value) : value;
  }

  /** A DICOM date (YYYYMMDD) in the active locale, e.g. 6 Şubat 2015; unparsable dates are shown as sent. */
  date(dicomDate: string): string {
    const match = /^(\d{4})(\d{2})(\d{2})$/.exec(dicomDate.trim());
    if (!match) return dicomDate;
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    const language = this.language;
    return cached(dateFormats, language, () => new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' })).format(date);
  }
}
