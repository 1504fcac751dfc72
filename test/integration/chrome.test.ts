import { expect } from 'chai';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, mountViewer, nextEvent, pacsInfo, readyOrError, screenshot, until } from '../support/browser.js';

const SIZES = [
  { width: 1280, height: 900, desktop: true },
  { width: 800, height: 600, desktop: true },
  { width: 360, height: 640, desktop: false },
] as const;
const LANGUAGES = ['en', 'tr', 'vi'] as const;

/** A viewer filling a page of that size, the way a hospital page gives it a box, showing the chrome test's CT. */
async function viewerAt(width: number, height: number, lang: string, props: Record<string, unknown> = {}): Promise<FilmlessViewer> {
  await setViewport({ width, height });
  const pacs = await pacsInfo();
  const viewer = mountViewer(
    { dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.chrome, ...props },
    `position: fixed; left: 0; top: 0; width: ${width}px; height: ${height}px`,
  );
  viewer.setAttribute('lang', lang);
  const outcome = await readyOrError(viewer);
  expect(outcome.type, JSON.stringify(outcome.detail)).to.equal('filmless-ready');
  await settled(viewer);
  return viewer;
}

/** Lets the ResizeObserver measure and the element render what it measured. */
async function settled(viewer: FilmlessViewer): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await viewer.updateComplete;
  }
}

/** The share of the element's area the image area gets, from the rendered layout. */
function imageFraction(viewer: FilmlessViewer): number {
  const element = viewer.getBoundingClientRect();
  const image = viewer.shadowRoot!.querySelector('[part="viewport"]')!.getBoundingClientRect();
  return (image.width * image.height) / (element.width * element.height);
}

const shadow = (viewer: FilmlessViewer) => viewer.shadowRoot!;
const visible = (element: Element) => (element as HTMLElement).offsetParent !== null && getComputedStyle(element).visibility !== 'hidden';
const toolbarButtons = (viewer: FilmlessViewer) => [...shadow(viewer).querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].filter(visible);
const byLabel = (viewer: FilmlessViewer, label: string) => toolbarButtons(viewer).find((b) => b.getAttribute('aria-label') === label || b.textContent!.trim() === label);

/** The toolbar is one row: every visible button in it starts on the same line, and it is no taller than a row. */
function expectOneRow(viewer: FilmlessViewer, what: string): void {
  const toolbar = shadow(viewer).querySelector<HTMLElement>('[part="toolbar"]')!;
  const rows = new Set(
    [...toolbar.querySelectorAll<HTMLElement>(':scope > button, :scope > div > button')]
      .filter(visible)
      .map((b) => Math.round(b.getBoundingClientRect().top)),
  );
  expect(rows.size, `${what}: buttons on ${rows.size} rows`).to.equal(1);
  expect(toolbar.getBoundingClientRect().height, `${what}: toolbar height`).to.be.at.most(56);
  const box = toolbar.getBoundingClientRect();
  for (const button of toolbarButtons(viewer).filter((b) => !b.closest('[role="menu"]'))) {
    const rect = button.getBoundingClientRect();
    expect(rect.right, `${what}: ${button.getAttribute('aria-label')} inside the toolbar`).to.be.at.most(box.right + 0.5);
  }
}

describe('chrome: the image gets the space', function () {
  this.timeout(600_000);
  after(() => setViewport({ width: 800, height: 600 }));
  afterEach(cleanup);

  const measured: string[] = [];
  after(() => console.log(`Image area / element area (1×1, series panel collapsed):\n${measured.join('\n')}`));

  for (const { width, height, desktop } of SIZES) {
    for (const lang of LANGUAGES) {
      it(`gives the image ${desktop ? 'at least 85 %' : 'the most it can'} of a ${width}×${height} element in ${lang}, with one toolbar row`, async () => {
        const viewer = await viewerAt(width, height, lang);
        const fraction = imageFraction(viewer);
        measured.push(`  ${width}×${height} ${lang}: ${fraction.toFixed(3)}`);
        await screenshot(`chrome-${width}x${height}-${lang}-clinician`);
        expectOneRow(viewer, `${width}×${height} ${lang}`);
        expect(shadow(viewer).querySelector('[part="series-list"]')!.classList.contains('open'), 'the series panel starts collapsed').to.equal(false);
        if (desktop) expect(fraction).to.be.at.least(0.85);
        else {
          // On a phone only the toolbar row is not image: the series drawer and tools menu open over it.
          const toolbar = shadow(viewer).querySelector('[part="toolbar"]')!.getBoundingClientRect();
          expect(fraction).to.be.closeTo((height - toolbar.height) / height, 0.002);
        }
      });
    }
  }

  for (const { width, height } of SIZES) {
    for (const lang of LANGUAGES) {
      it(`shows patient mode in one row at ${width}×${height} in ${lang}`, async () => {
        const viewer = await viewerAt(width, height, lang, { mode: 'patient' });
        viewer.insertAdjacentHTML('beforeend', '<span slot="branding" style="font-size: 16px">Şehir Hastanesi · Bệnh viện</span>');
        await settled(viewer);
        measured.push(`  ${width}×${height} ${lang} (patient mode): ${imageFraction(viewer).toFixed(3)}`);
        await screenshot(`chrome-${width}x${height}-${lang}-patient`);
        expectOneRow(viewer, `patient ${width}×${height} ${lang}`);
        if (width >= 1280) {
          const folded = [...shadow(viewer).querySelectorAll<HTMLElement>('.bar-items > [data-item]')].filter((b) => !visible(b));
          expect(folded.map((b) => b.dataset.item), 'everything fits at this width').to.deep.equal([]);
        }
      });
    }
  }

  it('opens the series panel beside the image in elements wider than 1400 px', async () => {
    const viewer = await viewerAt(1600, 900, 'en');
    const panel = shadow(viewer).querySelector<HTMLElement>('[part="series-list"]')!;
    expect(panel.classList.contains('open')).to.equal(true);
    const image = shadow(viewer).querySelector('[part="viewport"]')!.getBoundingClientRect();
    expect(panel.getBoundingClientRect().right, 'the panel is beside the image, not over it').to.be.at.most(image.left + 1);
    const active = panel.querySelector('button[aria-pressed="true"]')!;
    expect(active.textContent).to.contain((await pacsInfo()).data.ct.main.description);
    await screenshot('chrome-1600x900-en-series-panel');
  });

  it('folds what does not fit into the "more" menu, and the series into a drawer over the image on a phone', async () => {
    const viewer = await viewerAt(360, 640, 'tr');
    const more = shadow(viewer).querySelector<HTMLButtonElement>('.more-button')!;
    expect(visible(more), 'the more button').to.equal(true);
    const folded = [...shadow(viewer).querySelectorAll<HTMLElement>('.bar-items > [data-item]')].filter((b) => !visible(b));
    expect(folded.length).to.be.greaterThan(0);
    more.click();
    await settled(viewer);
    const menu = shadow(viewer).querySelector<HTMLElement>('[part="menu"]')!;
    const labels = [...menu.querySelectorAll('[role^="menuitem"]')].filter(visible).map((item) => item.textContent!.trim());
    expect(labels).to.include('Klavye kısayolları');
    const menuBox = menu.getBoundingClientRect();
    expect(menuBox.left).to.be.at.least(0);
    expect(menuBox.right).to.be.at.most(360);
    await screenshot('chrome-360x640-tr-more-menu');
    await sendKeys({ press: 'Escape' });
    await settled(viewer);
    expect(shadow(viewer).querySelector('[part="menu"]'), 'Escape closes the menu').to.equal(null);
    expect(shadow(viewer).activeElement, 'focus back on the more button').to.equal(more);

    const toggle = shadow(viewer).querySelector<HTMLButtonElement>('[aria-controls="series"]')!;
    toggle.click();
    await settled(viewer);
    const drawer = shadow(viewer).querySelector<HTMLElement>('[part="series-list"]')!;
    expect(getComputedStyle(drawer).position, 'a drawer over the image').to.equal('absolute');
    expect(imageFraction(viewer), 'the image keeps its size under the drawer').to.be.greaterThan(0.9);
    await screenshot('chrome-360x640-tr-series-drawer');
    drawer.querySelector<HTMLButtonElement>('button:not([aria-pressed="true"])')!.click();
    await settled(viewer);
    expect(drawer.classList.contains('open'), 'picking a series closes the drawer').to.equal(false);
  });
});

describe('chrome: icons, busy tools, overlay', function () {
  this.timeout(120_000);
  after(() => setViewport({ width: 800, height: 600 }));
  afterEach(cleanup);

  for (const width of [1280, 360]) {
    it(`draws every toolbar and menu button with an SVG icon, none with a lone symbol character, at ${width} px`, async () => {
      const viewer = await viewerAt(width, 640, 'en');
      const seen = new Set<string>();
      const check = () => {
        for (const button of toolbarButtons(viewer)) {
          const name = button.getAttribute('aria-label') ?? button.textContent!.trim();
          seen.add(name);
          expect(button.querySelector('svg'), `${name} has an SVG icon`).to.not.equal(null);
          expect(button.getAttribute('aria-label') ?? button.textContent!.trim(), 'a name').to.not.equal('');
          expect(button.getAttribute('title'), `${name} has a tooltip`).to.be.a('string').and.not.equal('');
          expect(/^[^\p{L}\p{N}\s]{1,2}$/u.test(button.textContent!.trim()), `${name}'s text is a lone symbol: ${button.textContent}`).to.equal(false);
        }
      };
      check();
      // Every menu: the "more" menu and each dropdown, opened in turn.
      for (const trigger of toolbarButtons(viewer).filter((b) => b.hasAttribute('aria-haspopup'))) {
        trigger.click();
        await settled(viewer);
        expect(shadow(viewer).querySelector('[part="menu"]'), `${trigger.getAttribute('aria-label')} opens a menu`).to.not.equal(null);
        check();
        trigger.click();
        await settled(viewer);
      }
      expect(seen.size).to.be.greaterThan(10);
    });
  }

  it('shows the tools that need the full viewer as busy from the first image until filmless-ready', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.chrome });
    const states: Record<string, string | null>[] = [];
    const record = () => {
      const disabled = (item: string) => {
        const button = shadow(viewer).querySelector(`[data-item="${item}"]`);
        return button ? button.getAttribute('aria-disabled') : 'missing';
      };
      states.push({ zoomIn: disabled('zoom-in'), pan: disabled('tool-pan'), scroll: disabled('tool-scroll'), windowLevel: disabled('tool-windowLevel') });
    };
    const ready = nextEvent(viewer, 'filmless-ready');
    await nextEvent(viewer, 'filmless-first-image');
    await viewer.updateComplete;
    record();
    await ready;
    await viewer.updateComplete;
    record();
    expect(states[0], 'at the first image').to.deep.equal({ zoomIn: 'true', pan: 'true', scroll: null, windowLevel: null });
    expect(states[1], 'when ready').to.deep.equal({ zoomIn: null, pan: null, scroll: null, windowLevel: null });
  });

  it('hides and shows the overlay text with the I key and with its toolbar button', async () => {
    // Wide enough for the button to be in the row (at 800 px it is in the "more" menu, tested above).
    const viewer = await viewerAt(1280, 900, 'en');
    const corners = () => [...shadow(viewer).querySelectorAll('[part="overlay"] .corner')].filter(visible).length;
    expect(corners()).to.equal(4);
    shadow(viewer).querySelector<HTMLElement>('[part="viewport"]')!.focus();
    await sendKeys({ press: 'i' });
    await viewer.updateComplete;
    expect(corners(), 'I hides the text').to.equal(0);
    await sendKeys({ press: 'I' });
    await viewer.updateComplete;
    expect(corners(), 'I again shows it').to.equal(4);
    const button = byLabel(viewer, 'Show text over the image')!;
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    button.click();
    await viewer.updateComplete;
    expect(corners(), 'the button hides it').to.equal(0);
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    button.click();
    await viewer.updateComplete;
    expect(corners(), 'and shows it').to.equal(4);
    await sendKeys({ press: '?' });
    await until(() => shadow(viewer).querySelector('[part="help"]') !== null, 'the help');
    expect(shadow(viewer).querySelector('[part="help"]')!.textContent).to.contain('Show or hide the text over the image');
  });

  it('keeps the overlay legible at 360 px: no corner overlaps another, each line fits its corner', async () => {
    const viewer = await viewerAt(360, 640, 'vi');
    const corners = [...shadow(viewer).querySelectorAll<HTMLElement>('[part="overlay"] .corner')];
    expect(corners.length).to.equal(4);
    const boxes = corners.map((c) => c.getBoundingClientRect());
    const overlaps = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i]!, boxes[j]!), `corners ${i} and ${j}`).to.equal(false);
    for (const corner of corners) {
      expect(parseFloat(getComputedStyle(corner).fontSize)).to.be.at.least(12);
      for (const line of corner.querySelectorAll<HTMLElement>(':scope > div')) expect(line.getBoundingClientRect().width).to.be.at.most(180);
    }
  });
});
