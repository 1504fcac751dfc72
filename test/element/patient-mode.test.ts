import { expect } from 'chai';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, mountViewer, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';

/** The named windows as the README documents them (Hounsfield units). */
const NAMED_WINDOWS = [
  { name: 'Brain', center: 40, width: 80 },
  { name: 'Soft tissue', center: 40, width: 400 },
  { name: 'Lung', center: -600, width: 1500 },
  { name: 'Bone', center: 400, width: 1800 },
];

async function patientViewer(style?: string): Promise<FilmlessViewer> {
  const viewer = mountViewer(
    {
      dicomwebUrl: 'https://pacs.example/dicom-web',
      accessionNumber: 'SCRIPTED-1',
      fetch: scriptedDicomweb({ studies: [{ uid: '1.2.3', images: 8 }] }),
      // A host that could share: patient mode still offers no sharing.
      shareTokenProvider: async () => 'share-token',
    },
    style,
  );
  viewer.setAttribute('mode', 'patient');
  viewer.insertAdjacentHTML('beforeend', '<span slot="branding" id="brand">City Hospital</span>');
  await nextEvent(viewer, 'filmless-ready');
  await viewer.updateComplete;
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await viewer.updateComplete;
  return viewer;
}

const visibleButtons = (viewer: FilmlessViewer) =>
  [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].filter((b) => b.offsetParent !== null);
const labels = (viewer: FilmlessViewer) => visibleButtons(viewer).map((b) => b.getAttribute('aria-label') ?? b.textContent!.trim());

describe('patient mode', () => {
  afterEach(cleanup);

  it('is the mode attribute and property, clinician by default', async () => {
    const viewer = mountViewer();
    expect(viewer.mode).to.equal('clinician');
    viewer.setAttribute('mode', 'patient');
    expect(viewer.mode).to.equal('patient');
    viewer.mode = 'clinician';
    await viewer.updateComplete;
    expect(viewer.getAttribute('mode')).to.equal('clinician');
  });

  it('offers scrolling, zoom and named windows, and no window/level, pan, layout, share or measuring tools', async () => {
    const viewer = await patientViewer();
    const offered = labels(viewer);
    expect(offered).to.include.members(['Scroll through slices', 'Zoom', 'Zoom in', 'Zoom out', 'Tissue views']);
    for (const absent of ['Window/level', 'Pan', 'Layout', 'Share']) expect(offered, absent).to.not.include(absent);
    expect(viewer.shadowRoot!.querySelector('.share-button')).to.equal(null);
    expect(offered.filter((label) => /measure|length|angle|ruler/i.test(label))).to.deep.equal([]);
    // The left mouse button scrolls: the scroll tool is the selected one.
    const scroll = visibleButtons(viewer).find((b) => b.getAttribute('aria-label') === 'Scroll through slices')!;
    expect(scroll.getAttribute('aria-pressed')).to.equal('true');
  });

  it('changes the window to the documented values with each named window', async () => {
    const viewer = await patientViewer();
    for (const { name, center, width } of NAMED_WINDOWS) {
      visibleButtons(viewer).find((b) => b.getAttribute('aria-label') === 'Tissue views')!.click();
      await until(() => viewer.shadowRoot!.querySelector('[part="menu"]') !== null, 'the named windows menu');
      const item = [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="menu"] [role="menuitem"]')].find((b) => b.textContent!.trim() === name)!;
      expect(item, name).to.not.equal(undefined);
      item.click();
      await until(() => viewer.getViewState().windowCenter === center && viewer.getViewState().windowWidth === width, `${name}: ${center} / ${width}`);
    }
  });

  it('shows the branding slot in the toolbar, and large touch targets', async () => {
    const viewer = await patientViewer('width: 360px; height: 640px');
    const slot = viewer.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="branding"]')!;
    expect(slot.assignedElements().map((e) => e.id)).to.deep.equal(['brand']);
    const brand = document.getElementById('brand')!.getBoundingClientRect();
    const toolbar = viewer.shadowRoot!.querySelector('[part="toolbar"]')!.getBoundingClientRect();
    expect(brand.width).to.be.greaterThan(20);
    expect(brand.top).to.be.at.least(toolbar.top);
    expect(brand.bottom).to.be.at.most(toolbar.bottom);
    for (const button of visibleButtons(viewer)) {
      const box = button.getBoundingClientRect();
      expect(Math.min(box.width, box.height), `${button.getAttribute('aria-label')} is at least 44 px`).to.be.at.least(44);
    }
  });

  it('shows no branding slot to clinicians', async () => {
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() });
    await nextEvent(viewer, 'filmless-ready');
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector('slot[name="branding"]')).to.equal(null);
  });
});
