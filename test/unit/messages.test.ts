import { expect } from 'chai';
import { en, tables } from '../../src/i18n/messages.js';
import { matchLanguage } from '../../src/i18n/localize-controller.js';
import { formatPersonName } from '../../src/i18n/person-name.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message tables', () => {
  for (const language of ['tr', 'vi']) {
    it(`has every key in ${language}, non-empty, with the same placeholders as English`, () => {
      const table = tables[language]!;
      for (const key of Object.keys(en) as (keyof typeof en)[]) {
        expect(table[key], `${language}.${key}`).to.be.a('string').and.not.equal('');
        expect(placeholders(table[key]), `${language}.${key} placeholders`).to.deep.equal(placeholders(en[key]));
      }
    });

    it(`leaves no English sentence untranslated in ${language}`, () => {
      const table = tables[language]!;
      // Identical strings are allowed only where the term is the same in both languages (symbols, "Zoom"…).
      const allowed = new Set(['toolZoom', 'mprSagittal', 'mprSlabMm', 'cursorPosition']);
      const untranslated = (Object.keys(en) as (keyof typeof en)[]).filter((key) => table[key] === en[key] && en[key].length > 3 && !allowed.has(key));
      expect(untranslated).to.deep.equal([]);
    });
  }
});

describe('choosing the language', () => {
  it('takes the first supported language, by its base tag', () => {
    expect(matchLanguage([null, 'tr-TR', 'en'])).to.equal('tr');
    expect(matchLanguage(['de-DE', 'vi-VN'])).to.equal('vi');
    expect(matchLanguage(['de', 'fr'])).to.equal('en');
  });
});

describe('patient names', () => {
  it('reads family first with a comma in English', () => {
    expect(formatPersonName('DOE^JANE^Q', 'en')).to.equal('DOE, JANE Q');
  });
  it('reads given name first in Turkish', () => {
    expect(formatPersonName('ŞAHİN^GÜLŞEN', 'tr')).to.equal('GÜLŞEN ŞAHİN');
  });
  it('reads family, middle, given in Vietnamese, without a comma', () => {
    expect(formatPersonName('NGUYỄN^THỊ ĐỨC', 'vi')).to.equal('NGUYỄN THỊ ĐỨC');
    expect(formatPersonName('NGUYEN^DUC^THI', 'vi')).to.equal('NGUYEN THI DUC');
  });
  it('ignores empty components and the ideographic group', () => {
    expect(formatPersonName('YAMADA^TARO^^^=山田^太郎', 'en')).to.equal('YAMADA, TARO');
    expect(formatPersonName('PHANTOM', 'tr')).to.equal('PHANTOM');
  });
});
