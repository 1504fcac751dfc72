/**
 * The viewer's say in the page's image cache budget (src/imaging/memory-budget.ts): while connected, its
 * `cacheSize` (or the device default) is one of the requests the page's budget is the largest of.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { requestCacheSize, withdrawCacheSize } from '../../imaging/memory-budget.js';

export class CacheBudget implements ReactiveController {
  private stated: number | undefined;

  constructor(private readonly host: ReactiveControllerHost & { cacheSize: number; readonly isConnected: boolean }) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stated = this.host.cacheSize;
    requestCacheSize(this, this.stated);
  }

  hostUpdate(): void {
    // Lit also updates a viewer that left the page: it counts again only when it is back (hostConnected).
    if (!this.host.isConnected || this.host.cacheSize === this.stated) return;
    this.stated = this.host.cacheSize;
    requestCacheSize(this, this.stated);
  }

  hostDisconnected(): void {
    withdrawCacheSize(this);
  }
}
