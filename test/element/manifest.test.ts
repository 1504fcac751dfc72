/**
 * dist/custom-elements.json (built by `npm run build`, before the browser tests in `npm test`) against the
 * element's real public surface, in both directions: nothing public is missing from the manifest, and
 * nothing in it is not real. "Public" is what TypeScript users see in the shipped declaration file
 * (dist/types): a member marked private or protected there is not API, whatever JavaScript exposes.
 */
import { expect } from 'chai';
import { LitElement } from 'lit';
import { FILMLESS_EVENTS } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { cleanup, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';
import { ENGINE } from '../support/engines.js';

interface Named {
  name: string;
  description?: string;
  type?: { text: string };
}
interface Member extends Named {
  kind: 'field' | 'method';
  static?: boolean;
  readonly?: boolean;
  privacy?: string;
  attribute?: string;
  parameters?: (Named & { optional?: boolean; default?: string })[];
}
interface Attribute extends Named {
  fieldName?: string;
  readonly?: boolean;
}
interface ElementDeclaration extends Named {
  kind: 'class';
  customElement?: boolean;
  tagName?: string;
  attributes?: Attribute[];
  members?: Member[];
  events?: Named[];
  cssProperties?: Named[];
  cssParts?: Named[];
  slots?: Named[];
}
interface Manifest {
  modules: {
    path: string;
    declarations?: ElementDeclaration[];
    exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[];
  }[];
}

type ViewerClass = typeof FilmlessViewer;

let manifest: Manifest;
let element: ElementDeclaration;
/** Member names the shipped declaration file marks private or protected. */
let hidden: Set<string>;
let viewerClass: ViewerClass;

/** A file of dist/ as it is on disk (`?raw`: Vite would otherwise compile a `.d.ts` into an empty module). */
async function text(path: string): Promise<string> {
  try {
    return ((await import(/* @vite-ignore */ `${path}?raw`)) as { default: string }).default;
  } catch (error) {
    throw new Error(`${path} could not be read (run \`npm run build\` first)`, { cause: error });
  }
}

/** The private and protected members of `class FilmlessViewer` in a declaration file tsc wrote. */
function nonPublicMembers(declarations: string): Set<string> {
  const body = declarations.match(/export declare class FilmlessViewer\b[^{]*\{([\s\S]*?)\n\}/)?.[1];
  if (!body) throw new Error('class FilmlessViewer not found in its declaration file');
  const names = new Set<string>();
  for (const line of body.split('\n')) {
    const member = line.match(/^ {4}(private|protected)\s+(?:static\s+)?(?:readonly\s+)?(?:get\s+|set\s+)?([\w$]+)/);
    if (member) names.add(member[2]!);
    if (/^ {4}#private;/.test(line)) names.add('#private');
  }
  return names;
}

const names = (list: Named[] | undefined) => (list ?? []).map((item) => item.name).sort();
const publicMembers = () => (element.members ?? []).filter((m) => !m.privacy || m.privacy === 'public');

/** Own members of the class or its prototype that are neither hidden nor overrides of what the superclass has. */
function ownPublic(target: object, superTarget: object, kind: 'accessor' | 'method' | 'any'): string[] {
  return Object.getOwnPropertyNames(target)
    .filter((name) => !['constructor', 'prototype', 'name', 'length'].includes(name) && !hidden.has(name) && !(name in superTarget))
    .filter((name) => {
      const descriptor = Object.getOwnPropertyDescriptor(target, name)!;
      if (kind === 'accessor') return Boolean(descriptor.get || descriptor.set);
      if (kind === 'method') return typeof descriptor.value === 'function';
      return true;
    })
    .sort();
}

/** Own public members of every link of the element's class chain below LitElement (src/viewer/api/: a link per feature). */
function chainPublic(kind: 'accessor' | 'method'): string[] {
  const found = new Set<string>();
  for (let link = viewerClass.prototype as object; link !== LitElement.prototype; link = Object.getPrototypeOf(link) as object) {
    for (const name of ownPublic(link, LitElement.prototype, kind)) found.add(name);
  }
  return [...found].sort();
}

/** Creates a viewer that records every event it dispatches and every part and slot its shadow DOM ever shows. */
function recordedViewer(props: Record<string, unknown>) {
  const viewer = document.createElement('filmless-viewer');
  viewer.setAttribute('style', 'display:block; width: 1280px; height: 560px');
  const events: string[] = [];
  const parts = new Set<string>();
  const slots = new Set<string>();
  const dispatch = viewer.dispatchEvent.bind(viewer);
  viewer.dispatchEvent = (event: Event) => {
    events.push(event.type);
    return dispatch(event);
  };
  const collect = (root: ParentNode) => {
    for (const node of root.querySelectorAll('[part]')) for (const part of node.getAttribute('part')!.split(/\s+/)) if (part) parts.add(part);
    for (const slot of root.querySelectorAll('slot')) slots.add(slot.name || '(default)');
  };
  const observer = new MutationObserver(() => collect(viewer.shadowRoot!));
  Object.assign(viewer, props);
  document.body.append(viewer);
  observer.observe(viewer.shadowRoot!, { subtree: true, childList: true, attributes: true, attributeFilter: ['part'] });
  collect(viewer.shadowRoot!);
  return {
    viewer,
    events,
    parts,
    slots,
    stop: () => {
      collect(viewer.shadowRoot!);
      observer.disconnect();
    },
  };
}

/** A value for an attribute of that type, and the property value it must become. */
function sampleFor(type: string): [string | null, unknown] {
  if (type === 'boolean') return ['', true];
  if (type === 'number') return ['7', 7];
  const literal = type.match(/'([^']+)'/);
  if (literal) return [literal[1]!, literal[1]];
  return ['sample-value', 'sample-value'];
}

before(async () => {
  manifest = JSON.parse(await text('/dist/custom-elements.json')) as Manifest;
  const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement);
  expect(elements.map((d) => d.tagName)).to.deep.equal(['filmless-viewer']);
  element = elements[0]!;
  const index = await text('/dist/types/index.d.ts');
  const from = index.match(/export \{[^}]*\bFilmlessViewer\b[^}]*\} from '([^']+)'/)?.[1];
  if (!from) throw new Error('dist/types/index.d.ts does not export FilmlessViewer');
  hidden = nonPublicMembers(await text(new URL(from.replace(/\.js$/, '.d.ts'), new URL('/dist/types/index.d.ts', location.href)).pathname));
  viewerClass = customElements.get('filmless-viewer') as ViewerClass;
});

afterEach(cleanup);

describe('custom-elements.json against the element', () => {
  it('names the class the page registers, in the module a script tag loads, and is made of files the package ships', () => {
    expect(element.name).to.equal(viewerClass.name);
    const definitions = manifest.modules.flatMap((m) => (m.exports ?? []).filter((e) => e.kind === 'custom-element-definition').map((e) => ({ module: m.path, ...e })));
    expect(definitions).to.deep.equal([{ module: 'dist/filmless-viewer.js', kind: 'custom-element-definition', name: 'filmless-viewer', declaration: { name: 'FilmlessViewer', module: 'dist/index.js' } }]);
    for (const module of manifest.modules) expect(module.path).to.match(/^dist\/[\w-]+\.js$/);
  });

  it('lists every observed and self-set attribute, and each one feeds the property it names', async () => {
    const { viewer, stop } = recordedViewer({});
    await viewer.updateComplete;
    stop();
    // Attributes the element reacts to, plus the ones it writes on itself (reflected state).
    const real = new Set([...viewerClass.observedAttributes, ...viewer.getAttributeNames().filter((a) => a !== 'style')]);
    expect(names(element.attributes)).to.deep.equal([...real].sort());

    for (const attribute of element.attributes ?? []) {
      if (attribute.readonly) {
        expect(viewer.getAttribute(attribute.name), attribute.name).to.equal(String(viewer[attribute.fieldName as keyof FilmlessViewer]));
        continue;
      }
      if (!attribute.fieldName) continue;
      expect(publicMembers().find((m) => m.name === attribute.fieldName)?.attribute, `${attribute.name} in the property's entry`).to.equal(attribute.name);
      // A fresh element that is not in the page: attributes set properties without starting a load.
      const fresh = document.createElement('filmless-viewer');
      const [value, expected] = sampleFor(attribute.type?.text ?? '');
      fresh.setAttribute(attribute.name, value!);
      expect(fresh[attribute.fieldName as keyof FilmlessViewer], `${attribute.name} → ${attribute.fieldName}`).to.deep.equal(expected);
    }
  });

  it('has a type for every attribute, property and method parameter', () => {
    for (const item of [...(element.attributes ?? []), ...publicMembers().filter((m) => m.kind === 'field')]) {
      expect(item.type?.text, item.name).to.be.a('string').and.not.equal('');
    }
    for (const method of publicMembers().filter((m) => m.kind === 'method')) {
      for (const parameter of method.parameters ?? []) expect(parameter.type?.text, `${method.name}(${parameter.name})`).to.be.a('string');
    }
  });

  it('lists exactly the public properties: reactive ones, accessors, and static ones', () => {
    const reactive = [...viewerClass.elementProperties].filter(([, options]) => !options.state).map(([name]) => String(name));
    const accessors = chainPublic('accessor');
    expect(reactive.filter((name) => hidden.has(name)), 'reactive properties hidden by TypeScript').to.deep.equal([]);
    const fields = publicMembers().filter((m) => m.kind === 'field');
    expect(names(fields.filter((m) => !m.static))).to.deep.equal([...new Set([...reactive, ...accessors])].sort());

    // Static: what the class adds that LitElement does not already have (`styles` is Lit's input, not API).
    const statics = ownPublic(viewerClass, LitElement, 'any').filter((name) => name !== 'styles' && !name.startsWith('_'));
    expect(names(publicMembers().filter((m) => m.static))).to.deep.equal(statics);
    const readonly = fields.filter((m) => m.readonly).map((m) => m.name);
    for (const name of readonly) expect(Object.getOwnPropertyDescriptor(viewerClass.prototype, name)?.set, `${name} is read-only`).to.equal(undefined);
  });

  it('lists exactly the public methods, with their number of parameters', () => {
    const methods = publicMembers().filter((m) => m.kind === 'method' && !m.static);
    expect(names(methods)).to.deep.equal(chainPublic('method'));
    for (const method of methods) {
      const required = (method.parameters ?? []).filter((p) => !p.optional && p.default === undefined).length;
      const implementation = (viewerClass.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[method.name]!;
      expect(implementation.length, `${method.name}'s parameters`).to.equal(required);
    }
  });

  it('lists exactly the custom properties the styles read from the page', () => {
    const cssText = viewerClass.elementStyles.map((style) => ('cssText' in style ? style.cssText : [...style.cssRules].map((r) => r.cssText).join('\n'))).join('\n');
    const read = new Set([...cssText.matchAll(/var\(\s*(--filmless-[\w-]+)/g)].map((m) => m[1]!));
    const setInside = new Set([...cssText.matchAll(/(--filmless-[\w-]+)\s*:/g)].map((m) => m[1]!));
    // A property the element sets itself is internal; the ones it only reads are the page's to set.
    const inputs = [...read].filter((name) => !setInside.has(name)).sort();
    expect(inputs.length).to.be.greaterThan(0);
    expect(names(element.cssProperties)).to.deep.equal(inputs);
  });

  it('lists exactly the events the element dispatches, each with its detail type, and the parts and slots it renders', async () => {
    expect(names(element.events)).to.deep.equal([...FILMLESS_EVENTS].sort());
    for (const event of element.events ?? []) expect(event.type?.text, event.name).to.match(/^CustomEvent<Filmless\w+Detail>$/);

    const seen = { events: new Set<string>(), parts: new Set<string>(), slots: new Set<string>() };
    const keep = (run: ReturnType<typeof recordedViewer>) => {
      run.stop();
      for (const e of run.events) seen.events.add(e);
      for (const p of run.parts) seen.parts.add(p);
      for (const s of run.slots) seen.slots.add(s);
    };

    // Idle, then a setup error.
    const idle = recordedViewer({});
    await idle.viewer.updateComplete;
    const failing = recordedViewer({ accessionNumber: 'A-1' });
    await nextEvent(failing.viewer, 'filmless-error');
    await failing.viewer.updateComplete;
    keep(idle);
    keep(failing);

    // Two studies share the accession number: the chooser; picking one loads it; the user reads and shares it.
    const run = recordedViewer({
      dicomwebUrl: 'https://pacs.example/dicom-web',
      accessionNumber: 'SCRIPTED-1',
      fetch: scriptedDicomweb({ studies: [{ uid: '1.2.3', images: 6 }, { uid: '2.3.4', modality: 'MR' }] }),
      shareTokenProvider: async () => 'share-token',
    });
    const { viewer } = run;
    await nextEvent(viewer, 'filmless-candidates');
    await viewer.updateComplete;
    const ready = nextEvent(viewer, 'filmless-ready');
    viewer.selectStudy('1.2.3');
    await ready;
    await until(() => viewer.shadowRoot!.querySelector('.share-button') !== null, 'the Share button');
    const changed = nextEvent(viewer, 'filmless-statechange');
    viewer.scrollImages(1);
    await changed;
    // A measurement through the API: filmless-measurement, and the measurement list's part.
    const measured = nextEvent(viewer, 'filmless-measurement');
    viewer.addMeasurement({ kind: 'length', imageIndex: 1, imagePoints: [[2, 2], [12, 12]] });
    await measured;
    await viewer.updateComplete;
    // An arrow drawn with the mouse asks for its label (part measurement-label); Escape leaves it out.
    const root = viewer.shadowRoot!;
    root.querySelector<HTMLButtonElement>('[data-menu-trigger="measure"]')!.click();
    await until(() => root.querySelector('[data-entry="tool-arrow"]') !== null, 'the measure menu');
    root.querySelector<HTMLButtonElement>('[data-entry="tool-arrow"]')!.click();
    // WebKit's WebDriver launcher takes pointer positions on the unscrolled page (engine-launchers.ts), and
    // focus moving into the menu may have scrolled it there; Chromium's and Firefox's take them in the window.
    if (ENGINE === 'webkit') window.scrollTo(0, 0);
    const area = root.querySelector<HTMLElement>('[part="viewport"]')!.getBoundingClientRect();
    const at = (fx: number, fy: number): [number, number] => [Math.round(area.left + area.width * fx), Math.round(area.top + area.height * fy)];
    await sendMouse({ type: 'move', position: at(0.5, 0.5) });
    await sendMouse({ type: 'down' });
    for (const f of [0.52, 0.55, 0.58, 0.6]) await sendMouse({ type: 'move', position: at(f, 1 - f) });
    await sendMouse({ type: 'up' });
    await until(() => root.querySelector('[part="measurement-label"]') !== null, 'the arrow label field');
    await sendKeys({ press: 'Escape' });
    root.querySelector<HTMLElement>('[data-item="tool-windowLevel"]')!.click();
    // MPR on the scripted volume (6 slices 5 mm apart): part mpr.
    viewer.mpr = true;
    await until(() => root.querySelector('[part~="mpr"]') !== null, 'the MPR views', 60_000);
    viewer.mpr = false;
    await viewer.updateComplete;
    const shared = nextEvent(viewer, 'filmless-shared');
    viewer.shadowRoot!.querySelector<HTMLButtonElement>('.share-button')!.click();
    await shared;
    await viewer.updateComplete;
    const toolbarButton = (label: string) => [...viewer.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="toolbar"] button')].find((b) => b.getAttribute('aria-label') === label)!;
    toolbarButton('Layout').click();
    await until(() => viewer.shadowRoot!.querySelector('[part="menu"]') !== null, 'the layout menu to open');
    toolbarButton('Layout').click();
    toolbarButton('Keyboard shortcuts').click();
    await until(() => viewer.shadowRoot!.querySelector('[part="help"]') !== null, 'the help to open');
    // The other scripted study is the same patient's: a prior (filmless-priors, the list); compare with it.
    await until(() => viewer.shadowRoot!.querySelector('[part="priors"] li') !== null, 'the priors list');
    viewer.comparePrior('2.3.4');
    await until(() => viewer.shadowRoot!.querySelectorAll('[part="study-badge"]').length === 2 && viewer.shadowRoot!.querySelector('[part="compare"]') !== null, 'the comparison');
    keep(run);

    // A consultation on one page: the follower tries to scroll, asks for control, the presenter (with its
    // laser pointer on) gives it: filmless-syncrole, the sync bar and the follower's pointer.
    const channel = `manifest-${Math.random().toString(36).slice(2)}`;
    const scripted = { dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() };
    const presenting = recordedViewer({ ...scripted, syncRole: 'presenter', syncChannel: channel });
    await nextEvent(presenting.viewer, 'filmless-ready');
    const following = recordedViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', fetch: scriptedDicomweb(), syncRole: 'follower', syncChannel: channel });
    await nextEvent(following.viewer, 'filmless-ready');
    following.viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true, composed: true }));
    await until(() => following.viewer.shadowRoot!.querySelector('.sync-take') !== null, 'Take control to be offered');
    presenting.viewer.shadowRoot!.querySelector<HTMLButtonElement>('.sync-pointer-toggle')!.click();
    const box = presenting.viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.getBoundingClientRect();
    presenting.viewer.shadowRoot!.querySelector<HTMLElement>('[part="viewport"]')!.dispatchEvent(
      new PointerEvent('pointermove', { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2, bubbles: true, composed: true }),
    );
    await until(() => following.viewer.shadowRoot!.querySelector('[part="sync-pointer"]') !== null, "the presenter's pointer at the follower");
    const roleChanged = nextEvent(following.viewer, 'filmless-syncrole');
    following.viewer.shadowRoot!.querySelector<HTMLButtonElement>('.sync-take')!.click();
    await until(() => presenting.viewer.shadowRoot!.querySelector('.sync-grant') !== null, 'the request at the presenter');
    presenting.viewer.shadowRoot!.querySelector<HTMLButtonElement>('.sync-grant')!.click();
    await roleChanged;
    keep(presenting);
    keep(following);

    // A damaged image (its frame cut short): the tile in its place (part image-error).
    const damaged = recordedViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ damaged: [2] }) });
    await until(() => damaged.viewer.shadowRoot!.querySelector('[part~="image-error"]') !== null, 'the damaged image tile', 60_000);
    keep(damaged);

    // A slow link: the frames take 1.5 s, the server's rendering of the middle image is shown meanwhile
    // (filmless-preview, part preview-label) until the image itself replaces it.
    const slow = recordedViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ frameDelayMs: 1500 }) });
    const slowFirstImage = nextEvent(slow.viewer, 'filmless-first-image');
    await nextEvent(slow.viewer, 'filmless-preview');
    await until(() => slow.viewer.shadowRoot!.querySelector('[part="preview-label"]') !== null, 'the preview label');
    await slowFirstImage;
    keep(slow);

    // Patient mode: the hospital's branding.
    const patient = recordedViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb(), mode: 'patient' });
    await nextEvent(patient.viewer, 'filmless-ready');
    await patient.viewer.updateComplete;
    keep(patient);

    const manifestEvents = names(element.events);
    expect([...seen.events].filter((e) => !manifestEvents.includes(e)), 'dispatched but not in the manifest').to.deep.equal([]);
    expect(manifestEvents.filter((e) => !seen.events.has(e)), 'in the manifest but never dispatched').to.deep.equal([]);
    expect(names(element.cssParts)).to.deep.equal([...seen.parts].sort());
    expect(names(element.slots)).to.deep.equal([...seen.slots].sort());
  });
});
