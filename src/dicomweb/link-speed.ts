/**
 * How fast a server's frames reach this page, told from the frames themselves: bytes over the time from
 * asking to the last byte (round trips, preflight and retries included, which is what a slow link costs).
 *
 * A link is called slow when even the fastest frame answer of a useful size came at under
 * `SLOW_LINK_BYTES_PER_SECOND`: a phone on a mobile network (issue 11, P10: 1.6 Mbit/s and 150 ms round
 * trips) moves a 512 × 512 CT slice in seconds, where a hospital network or a loopback test moves it in
 * milliseconds. On such a link the series stream must not compete with what the user needs now (the
 * code of the tools, then the slices next to the one shown): see viewport-load.ts.
 */

/** Answers smaller than this say more about round trips than about the link: they are not measured. */
export const MIN_MEASURED_BYTES = 64 * 1024;

/** 4 Mbit/s: under this, the 150 MB of a CT series would take minutes, and the order of arrival matters. */
export const SLOW_LINK_BYTES_PER_SECOND = 500_000;

export class LinkSpeed {
  private best: number | undefined;

  /** Records one frame answer: its size and the time from asking to its last byte. */
  note(bytes: number, ms: number): void {
    if (bytes < MIN_MEASURED_BYTES || !(ms > 0)) return;
    const rate = (bytes * 1000) / ms;
    this.best = this.best === undefined ? rate : Math.max(this.best, rate);
  }

  /** The fastest rate seen, bytes per second; undefined before a frame of a useful size has come. */
  get bytesPerSecond(): number | undefined {
    return this.best;
  }

  /** Whether every frame measured so far came slowly (false when nothing was measured: assume a good link). */
  get isSlow(): boolean {
    return this.best !== undefined && this.best < SLOW_LINK_BYTES_PER_SECOND;
  }
}
