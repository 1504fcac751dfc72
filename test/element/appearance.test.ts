import { expect } from 'chai';
import type { FilmlessProgressDetail } from '../../src/index.js';
import { cleanup, emulatePreferences, mountViewer, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';
import { ENGINE, skipOn } from '../support/engines.js';

/** User preferences are emulated through the DevTools protocol: Chromium's alone. */
const EMULATION = 'forced colours and reduced motion are emulated through the DevTools protocol, which only Chromium has';

const ready = async (props: Record<string, unknown> = {}) => {
  const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ studies: [{ uid: '1.2.3', images: 8 }] }), ...props });
  await nextEvent(viewer, 'filmless-ready');
  await viewer.updateComplete;
  return viewer;
};

describe('appearance: themes, system settings, progress', () => {
  afterEach(async () => {
    cleanup();
    if (ENGINE === 'chromium') await emulatePreferences({ 'forced-colors': 'none', 'prefers-reduced-motion': 'no-preference' });
  });

  it('uses light panels with theme="light" and follows --filmless-* custom properties', async () => {
    const viewer = await ready();
    const toolbar = viewer.shadowRoot!.querySelector<HTMLElement>('[part="toolbar"]')!;
    expect(getComputedStyle(toolbar).backgroundColor).to.equal('rgb(27, 31, 36)');
    viewer.setAttribute('theme', 'light');
    expect(getComputedStyle(toolbar).backgroundColor).to.equal('rgb(241, 243, 245)');
    viewer.style.setProperty('--filmless-color-panel', 'rgb(10, 80, 40)');
    expect(getComputedStyle(toolbar).backgroundColor).to.equal('rgb(10, 80, 40)');
  });

  skipOn(['firefox', 'webkit'], EMULATION).it('uses system colours in forced-colors mode', async () => {
    await emulatePreferences({ 'forced-colors': 'active' });
    expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
    const viewer = await ready();
    const pressed = viewer.shadowRoot!.querySelector<HTMLElement>('[part="toolbar"] button[aria-pressed="true"]')!;
    const highlight = document.createElement('span');
    highlight.style.color = 'Highlight';
    document.body.append(highlight);
    expect(getComputedStyle(pressed).backgroundColor).to.equal(getComputedStyle(highlight).color);
    highlight.remove();
  });

  skipOn(['firefox', 'webkit'], EMULATION).it('drops transitions when the user prefers reduced motion', async () => {
    await emulatePreferences({ 'prefers-reduced-motion': 'reduce' });
    expect(matchMedia('(prefers-reduced-motion: reduce)').matches).to.equal(true);
    const viewer = await ready();
    const series = viewer.shadowRoot!.querySelector<HTMLElement>('[part="series-list"]')!;
    expect(getComputedStyle(series).transitionDuration).to.equal('0s');
  });

  it('shows a progress bar while the series loads, and reports progress up to every image', async () => {
    const loaded: number[] = [];
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ studies: [{ uid: '1.2.3', images: 8 }] }) });
    let sawBar = false;
    viewer.addEventListener('filmless-progress', (e) => {
      loaded.push((e as CustomEvent<FilmlessProgressDetail>).detail.loaded);
      sawBar ||= viewer.shadowRoot!.querySelector('[part="progress"] progress') !== null;
    });
    await nextEvent(viewer, 'filmless-ready');
    await until(() => loaded.at(-1) === 8, 'every image decoded');
    expect(loaded).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sawBar, 'the bar is on screen while images load').to.equal(true);
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector('[part="progress"]'), 'the bar goes when all are in').to.equal(null);
  });
});
