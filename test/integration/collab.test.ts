// Teleconsultation: two viewers on one page share a `sync-channel`; the presenter's view (scroll, window,
// zoom and pan, layout, series) appears at the follower, which opens the study itself with its own token
// and sends nothing but hello while following. Bad states and messages give `sync` or are ignored.
import { expect } from 'chai';
import type { FilmlessErrorDetail, FilmlessResolvedDetail, FilmlessViewState } from '../../src/index.js';
import type { FilmlessStateChangeDetail } from '../../src/viewer/events.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import { cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, until } from '../support/browser.js';

const CHANNEL = `collab-test-${Math.random().toString(36).slice(2)}`;
/** Each participant's own token (the test gateway accepts any `test-token-…` and logs it). */
const PRESENTER_TOKEN = 'test-token-collab-presenter';
const FOLLOWER_TOKEN = 'test-token-collab-follower';

/** The fields a consultation shares, per viewport, rounded where renderers differ in the last digits. */
function synced(state: FilmlessViewState) {
  return {
    studyInstanceUID: state.studyInstanceUID,
    layout: state.layout,
    activeViewport: state.activeViewport,
    viewports: state.viewports.map((v) => ({
      series: v.seriesInstanceUID,
      imageIndex: v.imageIndex,
      window: [Math.round(v.windowCenter * 100) / 100, Math.round(v.windowWidth * 100) / 100],
      zoom: Math.round(v.zoom * 1000) / 1000,
      pan: v.pan.map((p) => Math.round(p * 1000) / 1000),
      rotation: v.rotation,
      flips: [v.flipH, v.flipV, v.invert],
    })),
  };
}

function key(viewer: FilmlessViewer, key: string, shiftKey = false): void {
  const viewport = viewer.shadowRoot!.querySelector<HTMLElement>('.cell.active [part="viewport"], [part="viewport"]')!;
  viewport.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, composed: true, cancelable: true }));
}

async function inSync(presenter: FilmlessViewer, follower: FilmlessViewer, what: string): Promise<void> {
  await until(() => JSON.stringify(synced(follower.getViewState())) === JSON.stringify(synced(presenter.getViewState())), what, 45_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\npresenter ${JSON.stringify(synced(presenter.getViewState()))}\nfollower  ${JSON.stringify(synced(follower.getViewState()))}`);
  });
}

describe('two viewers in a consultation over a sync-channel', function () {
  this.timeout(180_000);
  let presenter: FilmlessViewer;
  let follower: FilmlessViewer;
  let series: string[] = [];
  /** Every message on the channel, as a third participant sees it. */
  const heard: { type: string; from: string; role?: string }[] = [];
  /** The same messages as JSON text, to look for what must never travel. */
  const texts: string[] = [];
  let patientName = '';
  let spy: BroadcastChannel;
  const pageErrors: unknown[] = [];
  const onError = (event: ErrorEvent) => pageErrors.push(event.error ?? event.message);
  const followerOrigins: string[] = [];

  before(async () => {
    window.addEventListener('error', onError);
    spy = new BroadcastChannel(`filmless-sync:${CHANNEL}`);
    spy.onmessage = (event: MessageEvent<{ type: string; from: string; role?: string }>) => {
      heard.push({ type: event.data.type, from: event.data.from, role: event.data.role });
      texts.push(JSON.stringify(event.data));
    };
    const pacs = await pacsInfo();
    presenter = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: PRESENTER_TOKEN, accessionNumber: pacs.accessions.fourSeries, syncRole: 'presenter', syncChannel: CHANNEL }, 'width: 560px; height: 460px');
    const resolved = await nextEvent<FilmlessResolvedDetail>(presenter, 'filmless-resolved', 60_000);
    series = resolved.detail.series.map((s) => s.seriesInstanceUID);
    patientName = resolved.detail.patientName;
    await nextEvent(presenter, 'filmless-ready', 90_000);
    // The follower is given no study: it opens the presenter's, with its own source and token.
    follower = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: FOLLOWER_TOKEN, syncRole: 'follower', syncChannel: CHANNEL }, 'width: 420px; height: 380px');
    follower.addEventListener('filmless-statechange', (event) => followerOrigins.push((event as CustomEvent<FilmlessStateChangeDetail>).detail.origin));
    await inSync(presenter, follower, 'the follower joins and shows the presenter’s study and series');
  });

  after(() => {
    window.removeEventListener('error', onError);
    spy.close();
    cleanup();
  });

  it('a late joiner says hello and opens the presenter’s study, series and slice itself', () => {
    expect(follower.getViewState().studyInstanceUID).to.equal(presenter.getViewState().studyInstanceUID);
    expect(heard.some((m) => m.type === 'hello'), 'hello').to.equal(true);
    expect(heard.some((m) => m.type === 'state'), 'a full state answered').to.equal(true);
  });

  it('messages carry no token, patient name or pixels, and the follower loads the images with its own token', async () => {
    expect(texts.length).to.be.greaterThan(0);
    for (const text of texts) {
      expect(text).not.to.include('test-token');
      if (patientName) expect(text).not.to.include(patientName);
      expect(text.length, 'no pixel data').to.be.below(20_000);
    }
    const study = follower.getViewState().studyInstanceUID;
    // CORS preflights carry no credentials by design; every real request carries a participant's own token.
    const requests = (await gatewayRequests()).filter((r) => r.url.includes(study) && r.method !== 'OPTIONS');
    const followerRequests = requests.filter((r) => r.authorization === `Bearer ${FOLLOWER_TOKEN}`);
    expect(followerRequests.some((r) => r.url.includes('/series/')), 'the follower fetched the series itself').to.equal(true);
    const others = requests.filter((r) => r.authorization !== `Bearer ${FOLLOWER_TOKEN}` && r.authorization !== `Bearer ${PRESENTER_TOKEN}`);
    expect(others.map((r) => `${r.authorization} ${r.method} ${r.url}`).slice(0, 5), 'requests for the study by anyone else').to.deep.equal([]);
  });

  it('scrolling, window/level, zoom and pan at the presenter appear at the follower', async () => {
    key(presenter, 'PageDown');
    key(presenter, 'ArrowDown');
    await until(() => follower.getViewState().viewports[0]!.imageIndex === presenter.getViewState().viewports[0]!.imageIndex && presenter.getViewState().viewports[0]!.imageIndex > 0, 'scroll followed');
    key(presenter, ']');
    key(presenter, '.');
    key(presenter, '+');
    key(presenter, 'ArrowRight', true);
    key(presenter, 'ArrowDown', true);
    await inSync(presenter, follower, 'window, zoom and pan followed');
    expect(followerOrigins.length, 'the follower sent filmless-statechange').to.be.greaterThan(0);
    expect(new Set(followerOrigins), 'the follower’s changes are the presenter’s').to.deep.equal(new Set(['remote']));
    const [view] = presenter.getViewState().viewports;
    expect(view!.zoom).to.be.greaterThan(1.1);
    expect(Math.abs(view!.pan[0]) + Math.abs(view!.pan[1]), 'the presenter panned').to.be.greaterThan(0.001);
  });

  it('a layout and a series change at the presenter appear at the follower', async () => {
    presenter.setLayout('1x2');
    await inSync(presenter, follower, 'layout followed');
    const shown = presenter.getViewState().viewports.map((v) => v.seriesInstanceUID);
    const other = series.find((uid) => !shown.includes(uid))!;
    presenter.showSeries(1, other);
    await until(() => presenter.getViewState().viewports[1]!.seriesInstanceUID === other, 'the presenter shows the other series');
    await inSync(presenter, follower, 'series followed');
    expect(follower.getViewState().viewports[1]!.seriesInstanceUID).to.equal(other);
  });

  it('a measurement made at the presenter appears at the follower and goes when the presenter removes it', async () => {
    const viewport = presenter.getViewState().viewports[0]!;
    const made = presenter.addMeasurement({ kind: 'length', seriesInstanceUID: viewport.seriesInstanceUID, imageIndex: viewport.imageIndex, imagePoints: [[20, 30], [60, 70]], label: 'sync' });
    expect(made, 'the presenter measured').to.not.equal(undefined);
    await until(() => follower.getMeasurements().length === 1, 'the follower shows the measurement');
    const [copy] = follower.getMeasurements();
    expect([copy!.kind, copy!.sopInstanceUID, copy!.frame, copy!.imagePoints, copy!.label]).to.deep.equal([made!.kind, made!.sopInstanceUID, made!.frame, made!.imagePoints, made!.label]);
    expect(copy!.value, 'the follower measures on its own pixels').to.be.closeTo(made!.value ?? Number.NaN, 1e-6);
    presenter.removeMeasurement(made!.id);
    await until(() => follower.getMeasurements().length === 0, 'the follower removes it too');
  });

  it('the presenter’s laser pointer shows on the follower’s image and fades', async () => {
    presenter.shadowRoot!.querySelector<HTMLButtonElement>('.sync-pointer-toggle')!.click();
    const area = presenter.shadowRoot!.querySelector<HTMLElement>('.cell [part="viewport"]')!.getBoundingClientRect();
    const move = () => presenter.shadowRoot!.querySelector('.cell [part="viewport"]')!.dispatchEvent(new PointerEvent('pointermove', { clientX: area.left + area.width / 2, clientY: area.top + area.height / 3, bubbles: true, composed: true }));
    move();
    await until(() => follower.shadowRoot!.querySelector('[part="sync-pointer"]') !== null, 'the pointer is drawn at the follower', 5000).catch(async () => {
      move();
      await until(() => follower.shadowRoot!.querySelector('[part="sync-pointer"]') !== null, 'the pointer is drawn at the follower');
    });
    const dot = follower.shadowRoot!.querySelector<HTMLElement>('[part="sync-pointer"]')!.getBoundingClientRect();
    const cell = follower.shadowRoot!.querySelector<HTMLElement>('.cell [part="viewport"]')!.getBoundingClientRect();
    expect(dot.left + dot.width / 2).to.be.within(cell.left, cell.right);
    expect(dot.top + dot.height / 2).to.be.within(cell.top, cell.bottom);
    await until(() => follower.shadowRoot!.querySelector('[part="sync-pointer"]') === null, 'the pointer fades', 6000);
    presenter.shadowRoot!.querySelector<HTMLButtonElement>('.sync-pointer-toggle')!.click();
  });

  it('the follower sends nothing but hello while following, and its own input is off', async () => {
    const followerIds = new Set(heard.filter((m) => m.type === 'hello' && m.role === 'follower').map((m) => m.from));
    expect(followerIds.size).to.equal(1);
    expect(heard.filter((m) => followerIds.has(m.from) && m.type !== 'hello')).to.deep.equal([]);
    const before = follower.getViewState().viewports[0]!.imageIndex;
    key(follower, 'PageDown');
    follower.shadowRoot!.querySelector('[part="viewport"]')!.dispatchEvent(new WheelEvent('wheel', { deltaY: 300, bubbles: true, composed: true, cancelable: true }));
    await follower.updateComplete;
    expect(follower.getViewState().viewports[0]!.imageIndex).to.equal(before);
    expect(follower.shadowRoot!.querySelector('.sync-take'), 'Take control is offered').to.not.equal(null);
  });

  it('bad states given to applyViewState give a sync error each, change nothing and leave the viewer usable', async () => {
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const good = presenter.getViewState();
    const bad: unknown[] = [
      { ...good, v: 2 },
      { ...good, extra: true },
      { ...good, activeViewport: -1 },
      { ...good, activeViewport: 7 },
      { ...good, viewports: good.viewports.map((v) => ({ ...v, imageIndex: Number.NaN })) },
      { ...good, viewports: new Array(100_000).fill(good.viewports[0]) },
      { ...good, viewports: good.viewports.map((v) => ({ ...v, seriesInstanceUID: '1.2.3.4.5.6.7.8.9' })) },
      JSON.parse(`{"__proto__": {"polluted": true}, "v": 1}`),
      JSON.parse(JSON.stringify(good).replace('"layout"', '"constructor":{"prototype":{"polluted":true}},"layout"')),
      'not a state',
      null,
    ];
    const codes: string[] = [];
    const listener = (event: Event) => codes.push((event as CustomEvent<FilmlessErrorDetail>).detail.code);
    presenter.addEventListener('filmless-error', listener);
    const before = JSON.stringify(synced(presenter.getViewState()));
    for (const state of bad) expect(() => presenter.applyViewState(state)).not.to.throw();
    await until(() => codes.length === bad.length, `${bad.length} sync errors (got ${codes.length})`);
    presenter.removeEventListener('filmless-error', listener);
    expect(new Set(codes)).to.deep.equal(new Set(['sync']));
    expect(JSON.stringify(synced(presenter.getViewState()))).to.equal(before);
    expect(presenter.status).to.equal('ready');
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(protoKeys);
    const index = presenter.getViewState().viewports[presenter.getViewState().activeViewport]!.imageIndex;
    key(presenter, 'ArrowUp');
    await until(() => presenter.getViewState().viewports[presenter.getViewState().activeViewport]!.imageIndex === index - 1, 'the presenter still scrolls');
    await inSync(presenter, follower, 'and the follower still follows');
  });

  it('bad messages over the channel are ignored by the follower', async () => {
    const before = JSON.stringify(synced(follower.getViewState()));
    const good = presenter.getViewState();
    for (const message of [
      'garbage',
      { type: 'state', from: 'intruder', seq: 1, state: { ...good, v: 9 } },
      { type: 'state', from: 'intruder', seq: 2, state: good, token: 'secret' },
      { type: 'patch', from: 'intruder', seq: 3, viewports: [{ index: 0, changes: { imageIndex: -4 } }] },
      { type: 'pointer', from: 'intruder', seq: 4, pointer: { viewport: 0, x: Number.NaN, y: 0 } },
      JSON.parse('{"type":"hello","from":"intruder","seq":5,"role":"follower","__proto__":{"polluted":true}}'),
    ]) spy.postMessage(message);
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
    expect(JSON.stringify(synced(follower.getViewState()))).to.equal(before);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(pageErrors).to.deep.equal([]);
  });

  it('a follower whose token cannot open the study shows the refusal, stays in the session and catches up once it can', async () => {
    const pacs = await pacsInfo();
    const third = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: 'not-a-test-token', syncRole: 'follower', syncChannel: CHANNEL }, 'width: 360px; height: 400px');
    const refused = await nextEvent<FilmlessErrorDetail>(third, 'filmless-error', 60_000);
    expect(['unauthorized', 'forbidden']).to.include(refused.detail.code);
    expect(third.syncRole).to.equal('follower');
    key(presenter, 'ArrowDown');
    await until(() => follower.getViewState().viewports[0]!.imageIndex === presenter.getViewState().viewports[0]!.imageIndex, 'the other follower still follows');
    third.token = 'test-token-collab-third';
    third.retry();
    await inSync(presenter, third, 'the third participant catches up');
  });

  it('the follower that takes control presents, and the former presenter follows', async () => {
    const granted = nextEvent(follower, 'filmless-syncrole');
    follower.shadowRoot!.querySelector<HTMLButtonElement>('.sync-take')!.click();
    await until(() => presenter.shadowRoot!.querySelector('.sync-grant') !== null, 'the presenter sees the request');
    presenter.shadowRoot!.querySelector<HTMLButtonElement>('.sync-grant')!.click();
    await granted;
    expect([presenter.syncRole, follower.syncRole]).to.deep.equal(['follower', 'presenter']);
    key(follower, 'ArrowDown');
    await inSync(follower, presenter, 'the former presenter follows');
  });
});
