import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import { cleanup, mountViewer, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';
import { skipOn } from '../support/engines.js';

/** The element focused inside the viewer's shadow root, if any. */
const focused = (viewer: HTMLElement) => viewer.shadowRoot!.activeElement as HTMLElement | null;

describe('using the viewer with the keyboard only', () => {
  afterEach(cleanup);

  it('reaches every control with Tab, with a visible focus ring', async () => {
    const before = document.createElement('button');
    before.textContent = 'host page button';
    document.body.prepend(before);
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() });
    await nextEvent(viewer, 'filmless-ready');
    await viewer.updateComplete;
    const controls = [...viewer.shadowRoot!.querySelectorAll<HTMLElement>('button, [tabindex="0"]')].filter((el) => el.offsetParent !== null);
    before.focus();
    const reached = new Set<HTMLElement>();
    for (let i = 0; i < controls.length + 2; i++) {
      await sendKeys({ press: 'Tab' });
      const element = focused(viewer);
      if (!element) break;
      reached.add(element);
      const style = getComputedStyle(element);
      expect(style.outlineStyle, `focus ring on ${element.textContent || element.getAttribute('part')}`).to.not.equal('none');
    }
    expect(controls.filter((c) => !reached.has(c)).map((c) => c.textContent || c.getAttribute('part'))).to.deep.equal([]);
    before.remove();
  });

  // Firefox: after the slice, zoom and window keys, Enter on the focused Pan button does not select it under
  // WebDriver BiDi's key input (Enter on the same button, focused the same way, selects it in a page alone).
  skipOn('firefox', 'Enter on the Pan button after the earlier keys is not taken under WebDriver BiDi input, to be investigated').it('operates every tool from the keyboard, and keys act only while the viewer has focus', async () => {
    // Wide enough that no tool is folded into the "more" menu in any engine (fonts, and so widths, differ).
    const viewer = mountViewer(
      { dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ studies: [{ uid: '1.2.3', images: 12 }] }) },
      'width: 1100px; height: 560px',
    );
    await nextEvent(viewer, 'filmless-ready');
    const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!;

    // Keys typed on the host page do nothing to the viewer.
    document.body.focus();
    await sendKeys({ press: 'ArrowDown' });
    expect(viewer.getViewState().imageIndex).to.equal(5);

    viewport.focus();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'End' });
    await until(() => viewer.getViewState().imageIndex === 11, 'End to reach the last slice');
    await sendKeys({ press: 'Home' });
    await until(() => viewer.getViewState().imageIndex === 0, 'Home to reach the first slice');

    await sendKeys({ press: '+' });
    await until(() => viewer.getViewState().zoom > 1.2, '+ to zoom in');
    await sendKeys({ press: ']' });
    await until(() => viewer.getViewState().windowWidth === 2020, '] to widen the window');
    await sendKeys({ press: '.' });
    await until(() => viewer.getViewState().windowCenter === 1010, '. to raise the level');
    await sendKeys({ press: '4' });
    await until(() => viewer.getViewState().windowCenter === -600 && viewer.getViewState().windowWidth === 1500, '4 for the lung preset');
    await sendKeys({ press: 'r' });
    await until(() => viewer.getViewState().zoom === 1 && viewer.getViewState().windowWidth === 2000, 'R to reset');

    // The tool buttons work with Enter and Space.
    const panButton = [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].find((b) => b.title === 'Pan')!;
    panButton.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => panButton.getAttribute('aria-pressed') === 'true', 'Enter to select the pan tool');
    // The CT window presets are a menu: Enter opens it on its first item, arrow keys and End move, Space picks.
    const presets = [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].find((b) => b.title === 'Window presets')!;
    presets.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => focused(viewer)?.getAttribute('role') === 'menuitem', 'Enter to open the presets menu');
    await sendKeys({ press: 'End' });
    expect(focused(viewer)?.textContent).to.equal('Bone');
    await sendKeys({ press: 'ArrowDown' });
    expect(focused(viewer)?.textContent, 'the arrows wrap around').to.equal('Brain');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'Space' });
    await until(() => viewer.getViewState().windowWidth === 1800, 'Space on the bone preset');
    await until(() => focused(viewer) === presets, 'the menu closed, focus back on its button');
    expect(viewer.shadowRoot!.querySelector('[role="menu"]')).to.equal(null);

    // ? opens the shortcut help with focus on its Close button; Escape closes it and returns focus.
    viewport.focus();
    await sendKeys({ press: '?' });
    await until(() => viewer.shadowRoot!.querySelector('[role="dialog"]') !== null, '? to open the help');
    const dialog = viewer.shadowRoot!.querySelector('[role="dialog"]')!;
    expect(dialog.textContent).to.contain('Next slice').and.to.contain('PageDown').and.to.contain('Shift + Left');
    expect(focused(viewer)?.textContent).to.equal('Close');
    await sendKeys({ press: 'Escape' });
    await until(() => viewer.shadowRoot!.querySelector('[role="dialog"]') === null, 'Escape to close the help');
    expect(focused(viewer)).to.equal(viewport);
  });
});
