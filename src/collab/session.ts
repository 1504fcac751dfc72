/**
 * One participant of a consultation: its id and sequence counter, its role, and what it does with each
 * message. A presenter sends its view (a full `state` first and on every `hello`, `patch`es for changed
 * viewport fields after that) and its pointer; a follower asks for the view (`hello`), applies what the
 * presenter sends and may ask for control; `free` sends and receives nothing.
 *
 * The session knows nothing of the element: it is given the current state and told where to apply one.
 */
import {
  type FilmlessSyncMessage,
  type FilmlessSyncRole,
  type SyncViewportPatch,
  SequenceFilter,
  newParticipantId,
  parseSyncMessage,
} from './protocol.js';
import type { FilmlessSyncTransport } from './transport.js';
import { type FilmlessSyncPointer, type FilmlessSyncState, cloneState, parseViewState, viewportChanges } from './view-state.js';

/** What a session asks of the viewer it belongs to. */
export interface SyncSessionHost {
  /** The viewer's state to present, or undefined while it shows nothing. */
  currentState(): FilmlessSyncState | undefined;
  /** Follower: the presenter's state, to show. */
  applyRemote(state: FilmlessSyncState): void;
  /** Follower: the presenter's pointer moved (null: hidden). */
  pointer(pointer: FilmlessSyncPointer | null): void;
  /** Presenter: a follower asks for control. */
  controlRequested(from: string): void;
  /** The role changed through the protocol (control granted to this participant, or handed away). */
  roleChanged(role: FilmlessSyncRole): void;
  /** A message was refused (a debug line; never shown). */
  refused(reason: string): void;
}

type Outgoing = FilmlessSyncMessage extends infer M ? (M extends FilmlessSyncMessage ? Omit<M, 'from' | 'seq'> : never) : never;

/** A follower missing the base for a patch asks again with `hello`, at most this often. */
const HELLO_INTERVAL_MS = 1000;

export class SyncSession {
  readonly id: string;
  private seq = 0;
  private roleNow: FilmlessSyncRole = 'free';
  private transport: FilmlessSyncTransport | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly filter = new SequenceFilter();
  /** Presenter: the state the followers have (the base of the next patch). */
  private sent: FilmlessSyncState | undefined;
  /** Follower: the presenter's state as last received, and who sent it. */
  private received: { from: string; state: FilmlessSyncState } | undefined;
  private lastHello = -Infinity;

  constructor(
    private readonly host: SyncSessionHost,
    id = newParticipantId(),
  ) {
    this.id = id;
  }

  get role(): FilmlessSyncRole {
    return this.roleNow;
  }

  /** The presenter's participant id, as far as this follower knows. */
  get presenterId(): string | undefined {
    return this.received?.from;
  }

  /** Connects to a transport (or none); a follower then asks for the view, a presenter sends it. */
  connect(transport: FilmlessSyncTransport | undefined): void {
    if (transport === this.transport) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.transport = transport;
    this.sent = undefined;
    this.received = undefined;
    if (!transport) return;
    try {
      this.unsubscribe = transport.onMessage((message) => this.receive(message));
    } catch (error) {
      this.host.refused(`the transport refused a handler: ${String(error)}`);
    }
    this.announce();
  }

  /** Changes the role here (the host page's choice, or a granted control). */
  setRole(role: FilmlessSyncRole): void {
    if (role === this.roleNow) return;
    this.roleNow = role;
    this.sent = undefined;
    this.received = undefined;
    this.announce();
  }

  disconnect(): void {
    this.connect(undefined);
  }

  /** Presenter: the view changed by the user; sends what followers do not have yet. */
  publish(): void {
    if (this.roleNow !== 'presenter') return;
    const state = this.host.currentState();
    if (!state) return;
    const base = this.sent;
    if (!base || base.studyInstanceUID !== state.studyInstanceUID || base.layout !== state.layout || JSON.stringify(base.measurements) !== JSON.stringify(state.measurements)) {
      this.sendState(state);
      return;
    }
    const viewports: SyncViewportPatch[] = [];
    state.viewports.forEach((viewport, index) => {
      const changes = viewportChanges(base.viewports[index]!, viewport);
      if (Object.keys(changes).length > 0) viewports.push({ index, changes });
    });
    const activeChanged = base.activeViewport !== state.activeViewport;
    if (viewports.length === 0 && !activeChanged) return;
    this.sent = cloneState(state);
    this.send({ type: 'patch', viewports, ...(activeChanged ? { activeViewport: state.activeViewport } : {}) });
  }

  /** Presenter: the laser pointer moved (null: hidden). */
  sendPointer(pointer: FilmlessSyncPointer | null): void {
    if (this.roleNow === 'presenter') this.send({ type: 'pointer', pointer });
  }

  /** Follower: asks the presenter for control. */
  requestControl(): void {
    if (this.roleNow === 'follower') this.send({ type: 'control-request' });
  }

  /** Presenter: hands control to a participant; this one follows from then on. */
  grantControl(to: string): void {
    if (this.roleNow !== 'presenter' || to === this.id) return;
    this.send({ type: 'control-grant', to });
    this.setRole('follower');
    this.host.roleChanged('follower');
  }

  /** Handles one incoming message (untrusted). */
  receive(raw: unknown): void {
    if (this.roleNow === 'free') return;
    const parsed = parseSyncMessage(raw);
    if (!parsed.ok) {
      this.host.refused(parsed.reason);
      return;
    }
    const message = parsed.value;
    if (message.from === this.id || !this.filter.accept(message.from, message.seq)) return;
    switch (message.type) {
      case 'hello':
        if (this.roleNow === 'presenter') {
          const state = this.host.currentState();
          if (state) this.sendState(state);
        }
        return;
      case 'state':
        if (this.roleNow !== 'follower') return;
        this.received = { from: message.from, state: message.state };
        this.host.applyRemote(cloneState(message.state));
        return;
      case 'patch':
        if (this.roleNow !== 'follower') return;
        if (this.received?.from !== message.from) return this.askAgain();
        return this.applyPatch(this.received.state, message);
      case 'pointer':
        if (this.roleNow === 'follower') this.host.pointer(message.pointer);
        return;
      case 'control-request':
        if (this.roleNow === 'presenter') this.host.controlRequested(message.from);
        return;
      case 'control-grant':
        if (message.to !== this.id || this.roleNow !== 'follower') return;
        this.setRole('presenter');
        this.host.roleChanged('presenter');
        return;
    }
  }

  private applyPatch(base: FilmlessSyncState, patch: Extract<FilmlessSyncMessage, { type: 'patch' }>): void {
    const next = cloneState(base);
    for (const { index, changes } of patch.viewports) {
      const viewport = next.viewports[index];
      if (!viewport) return this.askAgain();
      Object.assign(viewport, changes);
    }
    if (patch.activeViewport !== undefined) next.activeViewport = patch.activeViewport;
    // The merged state must be valid as a whole (a slice past the series' end, an index past the grid).
    const checked = parseViewState(next);
    if (!checked.ok) {
      this.host.refused(checked.reason);
      return this.askAgain();
    }
    this.received = { from: patch.from, state: checked.value };
    this.host.applyRemote(cloneState(checked.value));
  }

  /** Says who this is (follower) or shows the view (presenter), after joining or a role change. */
  private announce(): void {
    if (!this.transport || this.roleNow === 'free') return;
    if (this.roleNow === 'follower') {
      this.lastHello = performance.now();
      this.send({ type: 'hello', role: this.roleNow });
      return;
    }
    const state = this.host.currentState();
    if (state) this.sendState(state);
    else this.send({ type: 'hello', role: this.roleNow });
  }

  private askAgain(): void {
    if (performance.now() - this.lastHello < HELLO_INTERVAL_MS) return;
    this.lastHello = performance.now();
    this.send({ type: 'hello', role: this.roleNow });
  }

  private sendState(state: FilmlessSyncState): void {
    this.sent = cloneState(state);
    const message = cloneState(this.sent);
    delete message.pointer; // the pointer travels in its own messages
    this.send({ type: 'state', state: message });
  }

  private send(message: Outgoing): void {
    if (!this.transport || this.roleNow === 'free') return;
    this.seq += 1;
    const full = { ...message, from: this.id, seq: this.seq } as FilmlessSyncMessage;
    try {
      this.transport.send(full);
    } catch (error) {
      this.host.refused(`the transport failed to send: ${String(error)}`);
    }
  }
}
