import { expect } from 'chai';
import axe from 'axe-core';
import { en } from '../../src/i18n/messages.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, mountViewer, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';

type State = 'idle' | 'loading' | 'ready' | 'chooser' | 'error';

/** Puts a viewer in a state, in a language, the way a host page would get there. */
async function viewerIn(state: State, lang: string): Promise<FilmlessViewer> {
  const base = { dicomwebUrl: 'https://pacs.example/dicom-web' };
  const viewer =
    state === 'idle'
      ? mountViewer()
      : state === 'loading'
        ? mountViewer({ ...base, accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ holdMetadata: true }) })
        : state === 'ready'
          ? mountViewer({ ...base, accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() })
          : state === 'chooser'
            ? mountViewer({ ...base, accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ studies: [{ uid: '1.1' }, { uid: '2.2', modality: 'MR' }] }) })
            : mountViewer({ ...base, accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ studies: [] }) });
  viewer.setAttribute('lang', lang);
  if (state === 'ready') await nextEvent(viewer, 'filmless-ready');
  else if (state === 'chooser') await nextEvent(viewer, 'filmless-candidates');
  else if (state === 'error') await nextEvent(viewer, 'filmless-error');
  else if (state === 'loading') await until(() => viewer.status === 'loading', 'loading');
  await viewer.updateComplete;
  return viewer;
}

/** All text a person or a screen reader gets from the viewer: visible text, labels, titles. */
function perceivableText(viewer: FilmlessViewer): string {
  const root = viewer.shadowRoot!;
  const parts = [root.textContent ?? ''];
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of ['aria-label', 'title', 'alt', 'aria-roledescription']) {
      const value = element.getAttribute(attribute);
      if (value) parts.push(value);
    }
  }
  return parts.join(' \n ');
}

/** Fixed English fragments of every message (the text between placeholders), long enough to mean something. */
const englishFragments = Object.values(en)
  .flatMap((text) => text.split(/\{\w+\}/))
  .map((fragment) => fragment.trim().replace(/[:.,]$/, ''))
  .filter((fragment) => fragment.length >= 6);

const STATES: State[] = ['idle', 'loading', 'ready', 'chooser', 'error'];

describe('languages and accessibility of every state', () => {
  afterEach(cleanup);

  for (const lang of ['tr', 'vi']) {
    for (const state of STATES) {
      it(`shows no English in the ${state} state in ${lang}`, async () => {
        const viewer = await viewerIn(state, lang);
        const text = perceivableText(viewer);
        const leftovers = englishFragments.filter((fragment) => text.includes(fragment));
        expect(leftovers).to.deep.equal([]);
      });
    }
  }

  for (const lang of ['en', 'tr', 'vi']) {
    for (const state of STATES) {
      it(`has no serious or critical axe violations in the ${state} state in ${lang}`, async () => {
        const viewer = await viewerIn(state, lang);
        const results = await axe.run(viewer, { resultTypes: ['violations'] });
        const serious = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(serious).to.deep.equal([]);
      });
    }
  }

  it('announces status changes through a polite live region', async () => {
    const viewer = await viewerIn('ready', 'tr');
    const live = viewer.shadowRoot!.querySelector('[aria-live="polite"]')!;
    await until(() => live.textContent!.includes('Görüntüler hazır'), 'the ready announcement');
  });

  it('describes what the image shows in words', async () => {
    const viewer = await viewerIn('ready', 'en');
    const label = viewer.shadowRoot!.querySelector('[part="viewport"]')!.getAttribute('aria-label');
    expect(label).to.equal('CT, Axial, image 2 of 3, window 1,000 / 2,000');
  });

  it('follows the nearest [lang] ancestor, then changes with it at run time', async () => {
    const holder = document.createElement('div');
    holder.lang = 'vi';
    document.body.append(holder);
    const viewer = document.createElement('filmless-viewer');
    holder.append(viewer);
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.textContent).to.contain('Nhập mã số chụp');
    holder.lang = 'tr';
    await until(() => viewer.shadowRoot!.textContent!.includes('erişim numarasını'), 'Turkish after the ancestor changed');
    holder.remove();
  });
});
