import { expect } from 'chai';
import { type FilmlessSyncMessage, parseSyncMessage } from '../../src/collab/protocol.js';
import { SyncSession, type SyncSessionHost } from '../../src/collab/session.js';
import { BroadcastChannelTransport, type FilmlessSyncTransport } from '../../src/collab/transport.js';
import type { FilmlessSyncPointer, FilmlessSyncState } from '../../src/collab/view-state.js';
import type { FilmlessViewportState } from '../../src/viewer/events.js';

const STUDY = '1.2.3';
const SERIES = '1.2.3.4';

function viewport(overrides: Partial<FilmlessViewportState> = {}): FilmlessViewportState {
  return { studyInstanceUID: STUDY, seriesInstanceUID: SERIES, imageIndex: 0, imageCount: 20, windowCenter: 40, windowWidth: 400, zoom: 1, pan: [0, 0], rotation: 0, flipH: false, flipV: false, invert: false, ...overrides };
}

function viewState(overrides: Partial<FilmlessSyncState> = {}): FilmlessSyncState {
  return { v: 1, studyInstanceUID: STUDY, layout: '1x1', activeViewport: 0, viewports: [viewport()], measurements: [], ...overrides };
}

/** A bus joining in-memory transports: each delivers to the others, synchronously, in order. */
class Bus {
  readonly log: FilmlessSyncMessage[] = [];
  private readonly members: { handlers: Set<(m: unknown) => void> }[] = [];
  transport(): FilmlessSyncTransport {
    const member = { handlers: new Set<(m: unknown) => void>() };
    this.members.push(member);
    return {
      send: (message) => {
        this.log.push(message);
        const copy = JSON.parse(JSON.stringify(message)) as unknown;
        for (const other of this.members) if (other !== member) for (const handler of other.handlers) handler(copy);
      },
      onMessage: (handler) => {
        member.handlers.add(handler);
        return () => member.handlers.delete(handler);
      },
    };
  }
}

/** A participant: a session and the view it shows. */
function participant(bus: Bus, start?: FilmlessSyncState) {
  const seen = { applied: [] as FilmlessSyncState[], pointers: [] as (FilmlessSyncPointer | null)[], requests: [] as string[], roles: [] as string[], refused: [] as string[] };
  let current = start;
  const host: SyncSessionHost = {
    currentState: () => current,
    applyRemote: (state) => {
      seen.applied.push(state);
      current = state;
    },
    pointer: (p) => seen.pointers.push(p),
    controlRequested: (from) => seen.requests.push(from),
    roleChanged: (role) => seen.roles.push(role),
    refused: (reason) => seen.refused.push(reason),
  };
  const session = new SyncSession(host);
  session.connect(bus.transport());
  return { session, seen, set: (state: FilmlessSyncState) => (current = state), get: () => current };
}

describe('the sync protocol', () => {
  it('a follower joining late says hello and gets the full state', () => {
    const bus = new Bus();
    const presenter = participant(bus, viewState({ viewports: [viewport({ imageIndex: 7 })] }));
    presenter.session.setRole('presenter');
    const follower = participant(bus);
    follower.session.setRole('follower');
    expect(bus.log.map((m) => m.type)).to.deep.equal(['state', 'hello', 'state']);
    expect(follower.seen.applied.at(-1)?.viewports[0]?.imageIndex).to.equal(7);
  });

  it('after the first state the presenter sends only the changed viewport fields', () => {
    const bus = new Bus();
    const presenter = participant(bus, viewState());
    const follower = participant(bus);
    follower.session.setRole('follower');
    presenter.session.setRole('presenter');
    presenter.set(viewState({ viewports: [viewport({ imageIndex: 5, windowWidth: 80 })] }));
    presenter.session.publish();
    const patch = bus.log.at(-1);
    expect(patch?.type).to.equal('patch');
    expect(patch?.type === 'patch' && patch.viewports).to.deep.equal([{ index: 0, changes: { imageIndex: 5, windowWidth: 80 } }]);
    expect(follower.get()?.viewports[0]).to.deep.equal(viewport({ imageIndex: 5, windowWidth: 80 }));
    presenter.session.publish();
    expect(bus.log.at(-1)).to.equal(patch, 'nothing sent when nothing changed');
  });

  it('a layout change goes out as a full state', () => {
    const bus = new Bus();
    const presenter = participant(bus, viewState());
    presenter.session.setRole('presenter');
    presenter.set(viewState({ layout: '1x2', viewports: [viewport(), viewport({ imageIndex: 2 })], activeViewport: 1 }));
    presenter.session.publish();
    expect(bus.log.at(-1)?.type).to.equal('state');
  });

  it('ignores duplicates and messages older than the newest one from the same sender', () => {
    const follower = participant(new Bus());
    follower.session.setRole('follower');
    const state = (seq: number, imageIndex: number) => ({ type: 'state', from: 'presenter-1', seq, state: viewState({ viewports: [viewport({ imageIndex })] }) });
    follower.session.receive(state(2, 2));
    follower.session.receive(state(2, 9));
    follower.session.receive(state(1, 1));
    follower.session.receive(state(3, 3));
    expect(follower.seen.applied.map((s) => s.viewports[0]!.imageIndex)).to.deep.equal([2, 3]);
  });

  it('a patch without a state from its sender is not applied and the follower says hello again', () => {
    const bus = new Bus();
    const follower = participant(bus);
    follower.session.setRole('follower');
    follower.session.receive({ type: 'patch', from: 'p', seq: 1, viewports: [{ index: 0, changes: { imageIndex: 3 } }] });
    expect(follower.seen.applied).to.deep.equal([]);
    expect(bus.log.map((m) => m.type)).to.deep.equal(['hello']);
  });

  it('a patch that would leave a viewport past its series’ end or the grid is refused', () => {
    const follower = participant(new Bus());
    follower.session.setRole('follower');
    follower.session.receive({ type: 'state', from: 'p', seq: 1, state: viewState() });
    follower.session.receive({ type: 'patch', from: 'p', seq: 2, viewports: [{ index: 0, changes: { imageIndex: 50 } }] });
    follower.session.receive({ type: 'patch', from: 'p', seq: 3, viewports: [{ index: 2, changes: { imageIndex: 1 } }] });
    expect(follower.seen.applied).to.have.length(1);
  });

  it('a follower sends nothing but hello and control requests; free sends and receives nothing', () => {
    const bus = new Bus();
    const follower = participant(bus, viewState());
    const free = participant(bus, viewState());
    follower.session.setRole('follower');
    follower.session.publish();
    follower.session.sendPointer({ viewport: 0, x: 1, y: 1 });
    free.session.publish();
    free.session.receive({ type: 'state', from: 'p', seq: 1, state: viewState() });
    follower.session.requestControl();
    expect(bus.log.map((m) => `${m.type}:${m.from === follower.session.id ? 'follower' : 'other'}`)).to.deep.equal(['hello:follower', 'control-request:follower']);
    expect(free.seen.applied).to.deep.equal([]);
  });

  it('control passes from the presenter to the follower that asked', () => {
    const bus = new Bus();
    const a = participant(bus, viewState());
    const b = participant(bus, viewState());
    a.session.setRole('presenter');
    b.session.setRole('follower');
    b.session.requestControl();
    expect(a.seen.requests).to.deep.equal([b.session.id]);
    a.session.grantControl(b.session.id);
    expect([a.session.role, b.session.role]).to.deep.equal(['follower', 'presenter']);
    expect(b.seen.roles).to.deep.equal(['presenter']);
    b.set(viewState({ viewports: [viewport({ imageIndex: 11 })] }));
    b.session.publish();
    expect(a.seen.applied.at(-1)?.viewports[0]?.imageIndex).to.equal(11);
  });

  it('pointer messages reach followers only', () => {
    const bus = new Bus();
    const presenter = participant(bus, viewState());
    const follower = participant(bus);
    presenter.session.setRole('presenter');
    follower.session.setRole('follower');
    presenter.session.sendPointer({ viewport: 0, x: 10, y: 20 });
    presenter.session.sendPointer(null);
    expect(follower.seen.pointers).to.deep.equal([{ viewport: 0, x: 10, y: 20 }, null]);
  });

  it('refuses malformed messages and never throws', () => {
    const follower = participant(new Bus());
    follower.session.setRole('follower');
    const bad: unknown[] = [
      undefined, null, 42, 'not json', '{"type":"state"', [], {},
      { type: 'state', from: 'p', seq: 0, state: viewState() },
      { type: 'state', from: 'p', seq: -1, state: viewState() },
      { type: 'state', from: 'p', seq: Number.NaN, state: viewState() },
      { type: 'state', from: 'a b', seq: 1, state: viewState() },
      { type: 'state', from: 'p', seq: 1, state: { ...viewState(), v: 9 } },
      { type: 'state', from: 'p', seq: 1, state: viewState(), token: 'secret' },
      { type: 'teleport', from: 'p', seq: 1 },
      { type: 'pointer', from: 'p', seq: 1, pointer: { viewport: -1, x: 0, y: 0 } },
      { type: 'pointer', from: 'p', seq: 1, pointer: { viewport: 0, x: Number.POSITIVE_INFINITY, y: 0 } },
      { type: 'patch', from: 'p', seq: 1, viewports: [{ index: 0, changes: {} }] },
      { type: 'patch', from: 'p', seq: 1, viewports: [{ index: 0, changes: { imageIndex: 1 } }, { index: 0, changes: { imageIndex: 2 } }] },
      JSON.parse('{"type":"hello","from":"p","seq":1,"role":"follower","__proto__":{"x":1}}'),
      'x'.repeat(300_000),
    ];
    for (const message of bad) {
      expect(parseSyncMessage(message).ok, JSON.stringify(message)?.slice(0, 80)).to.equal(false);
      follower.session.receive(message);
    }
    expect(follower.seen.applied).to.deep.equal([]);
    expect(follower.seen.pointers).to.deep.equal([]);
    expect(follower.seen.refused).to.have.length(bad.length);
  });

  it('reads messages given as JSON text', () => {
    const parsed = parseSyncMessage(JSON.stringify({ type: 'control-grant', from: 'p', seq: 4, to: 'f' }));
    expect(parsed).to.deep.equal({ ok: true, value: { type: 'control-grant', from: 'p', seq: 4, to: 'f' } });
  });

  it('the BroadcastChannel transport carries messages between two sessions of one page', async () => {
    const name = `test-${Math.random()}`;
    const one = new BroadcastChannelTransport(name);
    const two = new BroadcastChannelTransport(name);
    const received = new Promise<unknown>((resolve) => two.onMessage(resolve));
    one.send({ type: 'hello', from: 'one', seq: 1, role: 'follower' });
    expect(await received).to.deep.equal({ type: 'hello', from: 'one', seq: 1, role: 'follower' });
    one.close();
    two.close();
  });
});
