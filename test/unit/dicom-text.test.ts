import { expect } from 'chai';
import { html, render } from 'lit';
import { formatPersonName, personNameParts } from '../../src/i18n/person-name.js';
import { isolatedText, personName } from '../../src/viewer/parts/dicom-text.js';

describe('DICOM text, isolated', () => {
  const names = ['DOE^JANE^Q^Dr^Jr', 'ŞAHİN^GÜLŞEN', 'NGUYỄN^ĐỨC^THỊ', 'ALONE', '^Given', 'FAM^^^^', '\u202EEVIL^Ali^^Dr'];

  it('splits a person name into components and separators that join into the formatted name', () => {
    for (const language of ['en', 'tr', 'vi', 'de']) {
      for (const name of names) {
        const parts = personNameParts(name, language);
        expect(parts.join(''), `${name} in ${language}`).to.equal(formatPersonName(name, language));
        // Components at even indexes, our separators (', ' or ' ') between them.
        parts.forEach((part, index) => (index % 2 === 1 ? expect([', ', ' ']).to.include(part) : expect(part.trim()).to.equal(part)));
      }
    }
  });

  it('renders each component of a name in its own <bdi>, its text unchanged', () => {
    const holder = document.createElement('div');
    render(html`${personName('\u202EEVIL^Ali^^Dr', 'tr')}`, holder);
    expect([...holder.querySelectorAll('bdi')].map((b) => b.textContent)).to.deep.equal(['Dr', 'Ali', '\u202EEVIL']);
    expect(holder.textContent).to.equal(formatPersonName('\u202EEVIL^Ali^^Dr', 'tr'));
  });

  it('wraps attribute text between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE', () => {
    expect(isolatedText('\u202EHEAD')).to.equal('\u2068\u202EHEAD\u2069');
  });
});
