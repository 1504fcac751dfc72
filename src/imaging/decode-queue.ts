/**
 * Decodes the images of a series in the background, a few at a time, nearest to the slice on screen
 * first, and holding back while the user interacts: every decoded image costs the main thread a few
 * milliseconds (Cornerstone's worker round trip and cache insertion), and scrolling through a series
 * that is still streaming must get its frames drawn on time (bench P4) before the rest is decoded.
 */
/**
 * Images decoded at the same time in the background: two per decoder (one per core, decode-router.ts),
 * so that each decoder has its next frame waiting when it hands back the last one, instead of idling
 * while the main thread caches that image and sends the next (native frames decode on the main thread,
 * where the number only interleaves them).
 */
export function backgroundDecodes(): number {
  return 2 * Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

export interface DecodeQueueOptions {
  /** Loads (fetches if needed, decodes and caches) the image at an index. */
  decode: (index: number) => Promise<void>;
  /** The index on screen now, to decode its neighbours first. */
  current: () => number;
  /** Images decoded at the same time (see backgroundDecodes). */
  concurrency: number;
  /** How long after the last interaction decoding stays held back, ms. */
  quietMs?: number;
}

export class DecodeQueue {
  private readonly waiting = new Set<number>();
  private running = 0;
  private lastInteraction = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly quietMs: number;

  constructor(private readonly options: DecodeQueueOptions) {
    this.quietMs = options.quietMs ?? 250;
  }

  /** An image whose bytes are in: decode it when its turn comes. */
  add(index: number): void {
    if (this.stopped) return;
    this.waiting.add(index);
    this.pump();
  }

  /** The user scrolled, dragged or pressed a key: hold background decoding back for a moment. */
  interacted(): void {
    this.lastInteraction = performance.now();
  }

  stop(): void {
    this.stopped = true;
    this.waiting.clear();
    clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.stopped) return;
    const quietFor = performance.now() - this.lastInteraction;
    if (quietFor < this.quietMs) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), this.quietMs - quietFor);
      return;
    }
    while (this.running < this.options.concurrency && this.waiting.size > 0) {
      const index = this.nearest();
      this.waiting.delete(index);
      this.running += 1;
      void this.options
        .decode(index)
        .catch(() => undefined) // the caller reports failures itself
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }

  private nearest(): number {
    const current = this.options.current();
    let best = -1;
    for (const index of this.waiting) if (best < 0 || Math.abs(index - current) < Math.abs(best - current)) best = index;
    return best;
  }
}
