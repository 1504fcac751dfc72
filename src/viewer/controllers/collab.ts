/**
 * Teleconsultation: the viewer's side of view-state sync (src/collab/ holds the model and protocol).
 * - `applyViewState`: validates a state, opens its study and series through the viewer's own sources and
 *   token if needed, then sets layout, active viewport and every viewport's slice, window, zoom, pan,
 *   rotation, flips and inversion; invalid input becomes a `filmless-error` with code `sync`.
 * - where each `filmless-statechange` came from (`user`, `remote`, `api`): changes made while a state is
 *   being applied are the apply's; the user's own input ends that at once.
 * - roles: a presenter publishes its `user`/`api` changes (never `remote` ones: no echo loops); a follower
 *   applies the presenter's state, its own input is off, and input it tries shows "Take control"; the
 *   presenter sees the request and may give control.
 * - the laser pointer: the presenter's pointer in image coordinates, drawn on the followers' viewports.
 */
import type { ReactiveController } from 'lit';
import { type FilmlessSyncRole, SYNC_ROLES } from '../../collab/protocol.js';
import { SyncSession } from '../../collab/session.js';
import { BroadcastChannelTransport, type FilmlessSyncTransport } from '../../collab/transport.js';
import { type FilmlessSyncMeasurement, type FilmlessSyncPointer, type FilmlessSyncState, parseViewState } from '../../collab/view-state.js';
import type { LazyStack } from '../../imaging/lazy-stack.js';
import type { FilmlessLayout, FilmlessMeasurement, FilmlessMeasurementInput, FilmlessStateOrigin, FilmlessViewState, FilmlessViewportState } from '../events.js';
import type { ViewerStatus } from './viewer-status.js';
import type { ViewportCell, ViewportGrid } from './viewport-grid.js';

/** What the sync controller asks of the element (its public actions and its open study). */
export interface CollabActions {
  viewState(): FilmlessViewState;
  /** The open study's UID and series UIDs, if one is open. */
  openStudy(): { studyInstanceUID: string; series: string[] } | undefined;
  /** Opens another study by its UID (through the viewer's sources and token). */
  loadStudy(studyInstanceUID: string): void;
  showSeries(viewportIndex: number, seriesInstanceUID: string, studyInstanceUID: string): void;
  setLayout(layout: FilmlessLayout): void;
  /** The role changed through the protocol (control given or taken): the element's `syncRole` follows. */
  roleChanged(role: FilmlessSyncRole): void;
  /** The measurement API (`getMeasurements`, `addMeasurement`, `removeMeasurement`). */
  measurements(): FilmlessMeasurement[];
  addMeasurement(input: FilmlessMeasurementInput): FilmlessMeasurement | undefined;
  removeMeasurement(id: string): boolean;
}

/** Optional view tools of the stack (rotation, flips, inversion), used when this build has them. */
type ViewTools = LazyStack & Partial<{ rotate(degrees: number): void; flip(direction: 'horizontal' | 'vertical'): void; setInvert(on?: boolean): void }>;

/** How long after an applied change Cornerstone's events for it are still expected (they come a frame or two later). */
const SETTLE_MS = 600;
/** A follower compares its view with the presenter's this long after a change settles, and corrects it at most this often per state. */
const CHECK_MS = 150;
const MAX_CORRECTIONS = 5;
/** How long the laser pointer stays after its last move. */
export const POINTER_FADE_MS = 2000;
/** Parts whose controls change the view: a follower's clicks there are stopped too (the series panel's thumbnails, priors, the comparison bar). */
const FOLLOWER_BLOCKED_PARTS = new Set(['toolbar', 'series-list', 'priors', 'compare', 'menu']);
/** Input that a follower may not give (it asks for control instead). */
const BLOCKED_INPUT = ['pointerdown', 'mousedown', 'click', 'dblclick', 'wheel', 'keydown', 'touchstart', 'contextmenu', 'dragstart', 'drop'] as const;

export class CollabController implements ReactiveController {
  role: FilmlessSyncRole = 'free';
  /** Follower: its input was refused, so the "Take control" button is shown; `requested`: it was pressed. */
  control: 'none' | 'offered' | 'requested' = 'none';
  /** Presenter: followers that asked for control (participant ids, oldest first). */
  requests: string[] = [];
  /** Presenter: whether moving over the image shows the laser pointer to followers. */
  pointerOn = false;
  /** Follower: the presenter's pointer and when it last moved. */
  pointer: (FilmlessSyncPointer & { at: number }) | undefined;

  private readonly session: SyncSession;
  private channelName = '';
  private ownChannel: BroadcastChannelTransport | undefined;
  private hostTransport: FilmlessSyncTransport | undefined;
  /** The state being applied, until every viewport shows it. */
  private target: { state: FilmlessSyncState; origin: 'remote' | 'api'; animate: boolean; requested: Map<number, string>; applied: Set<number> } | undefined;
  private origin: 'remote' | 'api' = 'remote';
  private originUntil = 0;
  /** Cells whose series is on screen with working tools (cell id to series UID). */
  private readonly ready = new Map<number, string>();
  private pointerFrame = 0;
  private pointerTimer: ReturnType<typeof setTimeout> | undefined;
  /** Follower: the presenter's last state, kept to put back what drifts (a resize moves the pan, a scroll may bring the file's window back). */
  private lastRemote: FilmlessSyncState | undefined;
  private corrections = 0;
  private checkTimer: ReturnType<typeof setTimeout> | undefined;
  /** Measurements drawn here for another viewer's (by its id): this viewer's id, and what was drawn. */
  private readonly mirrored = new Map<string, { local: string; shape: string }>();
  private measurementFrame = 0;
  private publishQueued = false;

  constructor(
    private readonly status: ViewerStatus,
    private readonly grid: ViewportGrid,
    private readonly actions: CollabActions,
  ) {
    status.host.addController(this);
    status.stateOrigin = () => this.stateOrigin();
    // A presenter's change goes out at once (in a microtask: one message for what one task changed), not
    // a frame later with the event: a follower then draws it in the same frame as the presenter or the next.
    status.stateQueued = () => {
      if (this.role !== 'presenter' || this.publishQueued || this.stateOrigin() === 'remote') return;
      this.publishQueued = true;
      queueMicrotask(() => {
        this.publishQueued = false;
        this.session.publish();
      });
    };
    this.session = new SyncSession({
      currentState: () => this.currentState(),
      applyRemote: (state) => this.apply(state, 'remote'),
      pointer: (pointer) => this.showPointer(pointer),
      controlRequested: (from) => {
        if (!this.requests.includes(from)) this.requests = [...this.requests, from].slice(-8);
        this.status.host.requestUpdate();
      },
      roleChanged: (role) => {
        this.setRole(role);
        this.actions.roleChanged(role);
      },
      refused: (reason) => this.status.log(`sync: message refused (${reason})`),
    });
  }

  hostConnected(): void {
    for (const type of BLOCKED_INPUT) this.status.host.addEventListener(type, this.guardInput, { capture: true, passive: false });
    this.status.host.addEventListener('pointermove', this.trackPointer);
    this.status.host.addEventListener('pointerleave', this.hidePointer);
    this.status.host.addEventListener('filmless-measurement', this.measurementChanged);
    this.connect();
  }

  hostDisconnected(): void {
    for (const type of BLOCKED_INPUT) this.status.host.removeEventListener(type, this.guardInput, { capture: true });
    this.status.host.removeEventListener('pointermove', this.trackPointer);
    this.status.host.removeEventListener('pointerleave', this.hidePointer);
    this.status.host.removeEventListener('filmless-measurement', this.measurementChanged);
    this.session.disconnect();
    this.ownChannel?.close();
    this.ownChannel = undefined;
  }

  hostUpdated(): void {
    this.pump();
    // Measurements on a series that was not on screen yet are drawn once it is.
    if (this.role === 'follower' && this.lastRemote && !this.target) this.mirrorMeasurements(this.lastRemote.measurements);
    if (this.role === 'follower' && this.lastRemote && !this.target && this.checkTimer === undefined) {
      this.checkTimer = setTimeout(() => {
        this.checkTimer = undefined;
        this.correctDrift();
      }, CHECK_MS);
    }
  }

  /** Follower: where its view has drifted from the presenter's last state, applies that state again (a few times per state). */
  private correctDrift(): void {
    const wanted = this.lastRemote;
    const now = this.currentState();
    if (this.role !== 'follower' || !wanted || !now || this.target || this.corrections >= MAX_CORRECTIONS || sameView(now, wanted)) return;
    this.corrections += 1;
    this.status.log('sync: correcting drift from the presenter\'s view');
    this.startApply(wanted, 'remote', false);
  }

  /** The element's `syncRole`, `syncChannel` and `syncTransport` (a host's transport wins over the channel). */
  configure(role: string, channel: string, transport: FilmlessSyncTransport | undefined): void {
    this.setRole(SYNC_ROLES.includes(role as FilmlessSyncRole) ? (role as FilmlessSyncRole) : 'free');
    this.hostTransport = transport && typeof transport.send === 'function' && typeof transport.onMessage === 'function' ? transport : undefined;
    if (channel !== this.channelName) {
      this.ownChannel?.close();
      this.ownChannel = undefined;
      this.channelName = channel;
    }
    if (this.status.host.isConnected) this.connect();
  }

  private setRole(role: FilmlessSyncRole): void {
    if (role === this.role) return;
    this.role = role;
    this.control = 'none';
    this.requests = [];
    this.pointer = undefined;
    this.pointerOn = false;
    this.lastRemote = undefined;
    this.session.setRole(role);
    this.status.host.requestUpdate();
  }

  private connect(): void {
    if (!this.hostTransport && this.channelName && !this.ownChannel && typeof BroadcastChannel === 'function') {
      this.ownChannel = new BroadcastChannelTransport(this.channelName);
    }
    this.session.connect(this.hostTransport ?? this.ownChannel);
  }

  /** The participant id of this viewer in the consultation. */
  get participantId(): string {
    return this.session.id;
  }

  /** The sync state of this viewer (the view state, versioned, without the repeated active-viewport fields). */
  currentState(): FilmlessSyncState | undefined {
    const view = this.actions.viewState();
    if (!view.studyInstanceUID) return undefined;
    // Copies of another viewer's measurements go out under that viewer's ids, so control can pass back and forth.
    const original = new Map([...this.mirrored].map(([remote, { local }]) => [local, remote]));
    const measurements = this.actions.measurements().map((m) => ({ ...syncedMeasurement(m), id: original.get(m.id) ?? m.id }));
    const parsed = parseViewState({ v: 1, studyInstanceUID: view.studyInstanceUID, layout: view.layout, activeViewport: view.activeViewport, viewports: view.viewports.map(syncedFields), measurements });
    return parsed.ok ? parsed.value : undefined;
  }

  /** Brings the viewer to a state (from the host page or a presenter); invalid input is a `sync` error. */
  apply(input: unknown, origin: 'remote' | 'api', animate = false): void {
    const parsed = parseViewState(input);
    if (!parsed.ok) {
      this.refuse(parsed.reason);
      return;
    }
    if (origin === 'remote') {
      this.lastRemote = parsed.value;
      this.corrections = 0;
    }
    this.startApply(parsed.value, origin, animate);
  }

  private startApply(state: FilmlessSyncState, origin: 'remote' | 'api', animate: boolean): void {
    this.target = { state, origin, animate, requested: new Map(), applied: new Set() };
    this.markOrigin(origin);
    this.pump();
  }

  /** A series is on screen in this cell with working tools. */
  seriesShown(cell: ViewportCell): void {
    if (cell.load.series) this.ready.set(cell.id, cell.load.series.seriesInstanceUID);
    this.pump();
  }

  /** Follower: asks the presenter for control. */
  requestControl(): void {
    this.session.requestControl();
    this.control = 'requested';
    this.status.host.requestUpdate();
  }

  /** Presenter: gives control to the participant that asked first (or the one named). */
  grantControl(to = this.requests[0]): void {
    if (to) this.session.grantControl(to);
  }

  dismissRequests(): void {
    this.requests = [];
    this.status.host.requestUpdate();
  }

  togglePointer(): void {
    this.pointerOn = !this.pointerOn;
    if (!this.pointerOn) this.session.sendPointer(null);
    this.status.host.requestUpdate();
  }

  private refuse(reason: string): void {
    this.status.log(`sync: state refused (${reason})`);
    this.status.emit('filmless-error', { code: 'sync', message: this.status.localize.term('error.sync'), fatal: false });
  }

  private markOrigin(origin: 'remote' | 'api'): void {
    this.origin = origin;
    this.originUntil = performance.now() + SETTLE_MS;
  }

  private stateOrigin(): FilmlessStateOrigin {
    // A follower's input is off: whatever changes there (its loads too) is the presenter's doing.
    if (this.role === 'follower' && this.lastRemote) return 'remote';
    return this.target || performance.now() < this.originUntil ? this.origin : 'user';
  }

  /** Moves the viewer one step closer to the target state; called again on every update until done. */
  private pump(): void {
    const target = this.target;
    if (!target) return;
    const { state } = target;
    if (this.status.status === 'error' && state.studyInstanceUID !== this.actions.openStudy()?.studyInstanceUID) {
      this.target = undefined; // the study cannot be opened here (e.g. forbidden): shown as such, the session goes on
      return;
    }
    const open = this.actions.openStudy();
    if (state.studyInstanceUID && open?.studyInstanceUID !== state.studyInstanceUID) {
      if (!target.requested.has(-1)) {
        target.requested.set(-1, state.studyInstanceUID);
        this.markOrigin(target.origin);
        this.actions.loadStudy(state.studyInstanceUID);
      }
      return;
    }
    const unknown = state.viewports.find((v) => v.studyInstanceUID === open?.studyInstanceUID && v.seriesInstanceUID && !open.series.includes(v.seriesInstanceUID));
    if (unknown) {
      this.target = undefined;
      this.refuse(`unknown series ${unknown.seriesInstanceUID}`);
      return;
    }
    if (this.grid.layout !== state.layout) {
      this.markOrigin(target.origin);
      this.actions.setLayout(state.layout);
      return;
    }
    let waiting = false;
    state.viewports.forEach((viewport, index) => {
      const cell = this.grid.cells[index];
      if (!cell || !viewport.seriesInstanceUID || target.applied.has(index)) return;
      const series = cell.load.series;
      if (series?.seriesInstanceUID !== viewport.seriesInstanceUID || series.study.studyInstanceUID !== viewport.studyInstanceUID) {
        if (target.requested.get(index) !== viewport.seriesInstanceUID) {
          target.requested.set(index, viewport.seriesInstanceUID);
          this.ready.delete(cell.id);
          this.markOrigin(target.origin);
          this.actions.showSeries(index, viewport.seriesInstanceUID, viewport.studyInstanceUID);
        }
        waiting = true;
        return;
      }
      if (this.ready.get(cell.id) !== viewport.seriesInstanceUID) {
        waiting = true;
        return;
      }
      target.applied.add(index);
      this.markOrigin(target.origin);
      applyDisplay(cell.load.stack as ViewTools, cell.load.display, viewport, target.animate);
    });
    if (this.grid.activeIndex !== state.activeViewport) {
      this.markOrigin(target.origin);
      this.grid.activate(state.activeViewport);
    }
    this.mirrorMeasurements(state.measurements);
    if (!waiting) this.target = undefined;
  }

  /**
   * Draws another viewer's measurements here (on series shown and ready), redraws the ones whose shape
   * changed, and removes those it no longer has. Idempotent: called on every apply and update.
   */
  private mirrorMeasurements(wanted: FilmlessSyncMeasurement[]): void {
    const ids = new Set(wanted.map((m) => m.id));
    for (const [remote, { local }] of this.mirrored) {
      if (ids.has(remote)) continue;
      this.mirrored.delete(remote);
      this.actions.removeMeasurement(local);
    }
    const own = new Set(this.actions.measurements().map((m) => m.id));
    const shown = new Set(this.grid.cells.filter((cell) => this.ready.get(cell.id) === cell.load.series?.seriesInstanceUID).map((cell) => cell.load.series?.seriesInstanceUID));
    for (const measurement of wanted) {
      const { id, kind, seriesInstanceUID, sopInstanceUID, frame, imagePoints, label } = measurement;
      const shape = JSON.stringify([kind, seriesInstanceUID, sopInstanceUID, frame, imagePoints, label ?? '']);
      const known = this.mirrored.get(id);
      if (known?.shape === shape) continue;
      if (!known && own.has(id)) {
        this.mirrored.set(id, { local: id, shape }); // this viewer's own, coming back from the one it gave control to
        continue;
      }
      if (!shown.has(seriesInstanceUID)) continue;
      if (known) {
        this.mirrored.delete(id);
        this.actions.removeMeasurement(known.local);
      }
      const added = this.actions.addMeasurement({ kind, seriesInstanceUID, sopInstanceUID, frame, imagePoints, ...(label ? { label } : {}) });
      if (added) this.mirrored.set(id, { local: added.id, shape });
    }
  }

  /** Presenter: a measurement was added, changed or removed here; followers get it (once per frame). */
  private readonly measurementChanged = (): void => {
    if (this.role !== 'presenter' || this.measurementFrame) return;
    this.measurementFrame = requestAnimationFrame(() => {
      this.measurementFrame = 0;
      this.session.publish();
    });
  };

  /** Capture-phase guard: a follower's input never reaches the image; trying shows "Take control". */
  private readonly guardInput = (event: Event): void => {
    if (this.role !== 'follower') {
      if (event.type !== 'click') this.originUntil = 0; // the user acts: what changes next is theirs
      return;
    }
    const path = event.composedPath();
    if (path.some((node) => node instanceof HTMLElement && node.dataset['syncAllow'] !== undefined)) return;
    if (event instanceof KeyboardEvent && (event.key === 'Tab' || event.key === 'Escape')) return;
    const inImage = path.some((node) => node instanceof HTMLElement && (node.classList.contains('cell') || FOLLOWER_BLOCKED_PARTS.has(node.getAttribute('part') ?? '')));
    if (!inImage) return;
    event.stopPropagation();
    if (event.cancelable && event.type !== 'keydown') event.preventDefault();
    if (this.control === 'none' && event.type !== 'click') {
      this.control = 'offered';
      this.status.host.requestUpdate();
    }
  };

  /** Presenter with the pointer on: the pointer's image position, once per frame. */
  private readonly trackPointer = (event: PointerEvent): void => {
    if (this.role !== 'presenter' || !this.pointerOn || event.buttons) return;
    const path = event.composedPath();
    const index = this.grid.cells.findIndex((cell) => path.some((node) => node instanceof HTMLElement && node.dataset['cell'] === String(cell.id)));
    const cell = this.grid.cells[index];
    const viewport = cell && this.viewportElement(cell);
    if (!cell || !viewport) return;
    const rect = viewport.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (this.pointerFrame) return;
    this.pointerFrame = requestAnimationFrame(() => {
      this.pointerFrame = 0;
      const point = cell.load.stack.canvasToImage(x, y);
      if (point) this.session.sendPointer({ viewport: index, x: point[0], y: point[1] });
    });
  };

  private readonly hidePointer = (): void => {
    if (this.role === 'presenter' && this.pointerOn) this.session.sendPointer(null);
  };

  private showPointer(pointer: FilmlessSyncPointer | null): void {
    this.pointer = pointer ? { ...pointer, at: performance.now() } : undefined;
    clearTimeout(this.pointerTimer);
    if (pointer) {
      this.pointerTimer = setTimeout(() => {
        this.pointer = undefined;
        this.status.host.requestUpdate();
      }, POINTER_FADE_MS);
    }
    this.status.host.requestUpdate();
  }

  /** Follower: where to draw the presenter's pointer, in CSS pixels of the image area (for the template). */
  pointerPosition(): { left: number; top: number; at: number } | undefined {
    const pointer = this.pointer;
    const cell = pointer && this.grid.cells[pointer.viewport];
    const viewport = cell && this.viewportElement(cell);
    const stage = this.status.host.renderRoot.querySelector<HTMLElement>('.stage')?.getBoundingClientRect();
    if (!pointer || !cell || !viewport || !stage) return undefined;
    const at = cell.load.stack.imageToCanvas(pointer.x, pointer.y);
    if (!at) return undefined;
    const rect = viewport.getBoundingClientRect();
    return { left: rect.left - stage.left + at[0], top: rect.top - stage.top + at[1], at: pointer.at };
  }

  private viewportElement(cell: ViewportCell): HTMLElement | null {
    return this.status.host.renderRoot.querySelector<HTMLElement>(`[data-cell="${cell.id}"] .viewport`);
  }
}

/** Whether two states show the same (series and slice exactly; window, zoom and pan to the last visible digit). */
function sameView(a: FilmlessSyncState, b: FilmlessSyncState): boolean {
  if (a.layout !== b.layout || a.activeViewport !== b.activeViewport || a.viewports.length !== b.viewports.length) return false;
  return a.viewports.every((x, i) => {
    const y = b.viewports[i]!;
    if (!y.seriesInstanceUID) return true;
    const near = (p: number, q: number, tolerance: number) => Math.abs(p - q) <= tolerance;
    return x.seriesInstanceUID === y.seriesInstanceUID && x.imageIndex === y.imageIndex && near(x.windowCenter, y.windowCenter, 0.05) && near(x.windowWidth, y.windowWidth, 0.05) &&
      near(x.zoom, y.zoom, 1e-3) && near(x.pan[0], y.pan[0], 1e-3) && near(x.pan[1], y.pan[1], 1e-3) && x.rotation === y.rotation && x.flipH === y.flipH && x.flipV === y.flipV && x.invert === y.invert;
  });
}

/** A measurement as a consultation shares it: what draws it again, without its values. */
function syncedMeasurement(m: FilmlessMeasurement): FilmlessSyncMeasurement {
  return {
    id: m.id, kind: m.kind, studyInstanceUID: m.studyInstanceUID, seriesInstanceUID: m.seriesInstanceUID, sopInstanceUID: m.sopInstanceUID, frame: m.frame,
    imagePoints: m.imagePoints.map(([column, row]) => [column, row] as [number, number]),
    ...(m.label ? { label: m.label } : {}),
  };
}

/** The fields of a viewport a consultation shares (all of them, in the model's shape). */
function syncedFields(viewport: FilmlessViewportState): FilmlessViewportState {
  const { studyInstanceUID, seriesInstanceUID, imageIndex, imageCount, windowCenter, windowWidth, zoom, pan, rotation, flipH, flipV, invert } = viewport;
  return { studyInstanceUID, seriesInstanceUID, imageIndex, imageCount, windowCenter, windowWidth, zoom, pan: [pan[0], pan[1]], rotation, flipH, flipV, invert };
}

/** Sets a viewport's slice, window, zoom, pan, rotation, flips and inversion where they differ. */
function applyDisplay(stack: ViewTools, now: FilmlessViewportState | Omit<FilmlessViewportState, 'studyInstanceUID' | 'seriesInstanceUID'> | undefined, target: FilmlessViewportState, animate: boolean): void {
  const current = now ?? stack.state();
  if (current.imageIndex !== target.imageIndex && target.imageIndex < Math.max(1, current.imageCount)) {
    if (animate && Math.abs(target.imageIndex - current.imageIndex) > 1) stepTo(stack, current.imageIndex, target.imageIndex);
    else stack.setImageIndex(target.imageIndex);
  }
  if (target.windowWidth > 0 && (Math.abs(current.windowCenter - target.windowCenter) > 1e-3 || Math.abs(current.windowWidth - target.windowWidth) > 1e-3)) {
    stack.setWindow(target.windowCenter, target.windowWidth);
  }
  const rotation = (((target.rotation - current.rotation) % 360) + 360) % 360;
  if (current.flipH !== target.flipH || current.flipV !== target.flipV) {
    // Flips are of the image before its rotation: take the rotation off, flip, put it back.
    if (stack.rotate && stack.flip) {
      if (current.rotation % 360 !== 0) stack.rotate(-current.rotation);
      if (current.flipH !== target.flipH) stack.flip('horizontal');
      if (current.flipV !== target.flipV) stack.flip('vertical');
      if (target.rotation % 360 !== 0) stack.rotate(target.rotation);
    }
  } else if (rotation !== 0) stack.rotate?.(rotation);
  if (current.invert !== target.invert) stack.setInvert?.(target.invert);
  if (current.zoom > 0 && Math.abs(current.zoom - target.zoom) > 1e-4) stack.zoomBy(target.zoom / current.zoom);
  if (Math.abs(current.pan[0] - target.pan[0]) > 1e-4 || Math.abs(current.pan[1] - target.pan[1]) > 1e-4) stack.setViewPan(target.pan);
}

/** Scrolls image by image to a slice, one per animation frame (`applyViewState(…, {animate: true})`). */
function stepTo(stack: LazyStack, from: number, to: number): void {
  const step = Math.sign(to - from);
  const steps = Math.min(Math.abs(to - from), 20);
  let done = 0;
  const next = () => {
    done += 1;
    if (done >= steps) stack.setImageIndex(to);
    else {
      stack.setImageIndex(from + Math.round(((to - from) * done) / steps) || from + step);
      requestAnimationFrame(next);
    }
  };
  requestAnimationFrame(next);
}
