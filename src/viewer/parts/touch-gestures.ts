/**
 * Turns touch pointers into viewer gestures: one finger drags (scroll or window/level, the host's
 * choice), two fingers pinch to zoom and move to pan, a double tap resets. Pure logic on pointer
 * positions, so it is tested without a touch screen.
 */

export interface GestureHandlers {
  /** One finger moved by (dx, dy) CSS pixels. */
  drag(dx: number, dy: number): void;
  /** Two fingers: the distance between them changed by `factor`; their midpoint moved by (dx, dy). */
  pinch(factor: number, dx: number, dy: number): void;
  doubleTap(): void;
}

export interface PointerSample {
  pointerId: number;
  pointerType: string;
  clientX: number;
  clientY: number;
  timeStamp: number;
}

const TAP_MOVE_TOLERANCE = 10;
const TAP_MAX_MS = 300;
const DOUBLE_TAP_MS = 350;
const DOUBLE_TAP_DISTANCE = 40;

interface Tracked {
  x: number;
  y: number;
  startX: number;
  startY: number;
  startTime: number;
}

export class TouchGestures {
  private readonly pointers = new Map<number, Tracked>();
  private lastTap: { x: number; y: number; time: number } | undefined;
  /** A gesture that used two fingers never ends in a tap. */
  private multiTouch = false;

  constructor(private readonly handlers: GestureHandlers) {}

  /** True while at least one finger is down. */
  get active(): boolean {
    return this.pointers.size > 0;
  }

  down(event: PointerSample): boolean {
    if (event.pointerType !== 'touch') return false;
    this.pointers.set(event.pointerId, {
      x: event.clientX,
      y: event.clientY,
      startX: event.clientX,
      startY: event.clientY,
      startTime: event.timeStamp,
    });
    if (this.pointers.size > 1) this.multiTouch = true;
    return true;
  }

  move(event: PointerSample): boolean {
    const tracked = this.pointers.get(event.pointerId);
    if (!tracked) return false;
    if (this.pointers.size === 1) {
      const dx = event.clientX - tracked.x;
      const dy = event.clientY - tracked.y;
      tracked.x = event.clientX;
      tracked.y = event.clientY;
      if (!this.multiTouch && (dx || dy)) this.handlers.drag(dx, dy);
      return true;
    }
    const [a, b] = [...this.pointers.values()];
    const before = { distance: distance(a!, b!), mid: midpoint(a!, b!) };
    tracked.x = event.clientX;
    tracked.y = event.clientY;
    const after = { distance: distance(a!, b!), mid: midpoint(a!, b!) };
    const factor = before.distance > 0 ? after.distance / before.distance : 1;
    this.handlers.pinch(factor, after.mid.x - before.mid.x, after.mid.y - before.mid.y);
    return true;
  }

  up(event: PointerSample): boolean {
    const tracked = this.pointers.get(event.pointerId);
    if (!tracked) return false;
    this.pointers.delete(event.pointerId);
    const wasTap =
      !this.multiTouch &&
      Math.hypot(event.clientX - tracked.startX, event.clientY - tracked.startY) < TAP_MOVE_TOLERANCE &&
      event.timeStamp - tracked.startTime < TAP_MAX_MS;
    if (this.pointers.size === 0) this.multiTouch = false;
    if (!wasTap) {
      this.lastTap = undefined;
      return true;
    }
    const previous = this.lastTap;
    if (previous && event.timeStamp - previous.time < DOUBLE_TAP_MS && Math.hypot(event.clientX - previous.x, event.clientY - previous.y) < DOUBLE_TAP_DISTANCE) {
      this.lastTap = undefined;
      this.handlers.doubleTap();
    } else {
      this.lastTap = { x: event.clientX, y: event.clientY, time: event.timeStamp };
    }
    return true;
  }

  cancel(event: PointerSample): void {
    this.pointers.delete(event.pointerId);
    if (this.pointers.size === 0) this.multiTouch = false;
  }
}

function distance(a: Tracked, b: Tracked): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function midpoint(a: Tracked, b: Tracked): { x: number; y: number } {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}
