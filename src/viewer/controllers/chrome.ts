/**
 * The chrome around the images: how wide the element is (a ResizeObserver), which toolbar items fit in
 * its one row and which go into the "more" menu (measured, never guessed: the widths are read from the
 * rendered buttons), which menu is open and its keyboard (arrows, Home/End, Escape, Tab), whether the
 * series panel is open (collapsed by default, open in elements wider than 1400 px), and whether the
 * pointer is coarse (touch-only controls).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Below this width the series panel is a drawer over the image instead of a column beside it. */
export const NARROW_WIDTH = 520;
/** Above this width the series panel starts open. */
export const WIDE_WIDTH = 1400;

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

export class ChromeController implements ReactiveController {
  /** The element's width in CSS pixels (0 before the first measurement). */
  width = 0;
  /** Ids of toolbar items that do not fit in the row: they are shown in the "more" menu instead. */
  overflow: ReadonlySet<string> = new Set();
  /** The open menu's id (`more` or a dropdown item's id), if any. */
  openMenu: string | undefined;
  /** Where the open menu hangs: its trigger's left edge, in the toolbar's coordinates. */
  menuLeft = 0;
  /** A touch screen is the primary pointer: touch-only controls are offered. */
  coarse = false;

  private seriesChoice: boolean | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private coarseQuery: MediaQueryList | undefined;
  private measuredSignature = '';
  private observedRow: HTMLElement | undefined;
  private frame = 0;
  private readonly widths = new Map<string, number>();

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    // The element (its width decides the series panel), and the toolbar's row (branding may take room).
    // Measured in the next frame: changing the layout inside the observer's callback would loop.
    this.resizeObserver = new ResizeObserver(() => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        const width = Math.round(this.host.getBoundingClientRect().width);
        const changed = width !== this.width;
        this.width = width;
        this.measure();
        if (changed) this.host.requestUpdate();
      });
    });
    this.resizeObserver.observe(this.host);
    this.coarseQuery = matchMedia('(pointer: coarse)');
    this.coarse = this.coarseQuery.matches;
    this.coarseQuery.addEventListener('change', this.pointerChanged);
    window.addEventListener('pointerdown', this.pointerDownAnywhere, true);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizeObserver?.disconnect();
    this.observedRow = undefined;
    this.coarseQuery?.removeEventListener('change', this.pointerChanged);
    window.removeEventListener('pointerdown', this.pointerDownAnywhere, true);
  }

  hostUpdated(): void {
    const toolbar = this.toolbar();
    const row = toolbar?.querySelector<HTMLElement>('.bar-items') ?? undefined;
    if (row !== this.observedRow) {
      if (this.observedRow) this.resizeObserver?.unobserve(this.observedRow);
      if (row) this.resizeObserver?.observe(row);
      this.observedRow = row;
    }
    // The items (mode, language, a CT series with presets, sharing) and the button size (narrow or not).
    const signature = toolbar ? `${toolbar.dataset.signature ?? ''}|${this.narrow ? 'narrow' : 'wide'}` : '';
    if (signature !== this.measuredSignature) {
      const sizes = (key: string) => `${key.split('|')[0]}|${key.split('|').at(-1)}`;
      const resized = sizes(signature) !== sizes(this.measuredSignature);
      this.measuredSignature = signature;
      if (resized) {
        this.widths.clear();
        if (this.overflow.size > 0) {
          // Hidden items cannot be measured: show them all once (the row clips, it never wraps), then fit.
          this.overflow = new Set();
          this.measuredSignature = '';
          this.host.requestUpdate();
          return;
        }
      }
      this.measure();
    }
  }

  get narrow(): boolean {
    return this.width > 0 && this.width < NARROW_WIDTH;
  }

  /** Whether the series panel (or, on narrow elements, the drawer) is open. */
  get seriesOpen(): boolean {
    return this.seriesChoice ?? this.width > WIDE_WIDTH;
  }

  /** Whether the "more" button is shown: something overflows, or a touch-only control lives there. */
  get moreVisible(): boolean {
    return this.overflow.size > 0 || this.coarse;
  }

  toggleSeries(): void {
    this.seriesChoice = !this.seriesOpen;
    this.openMenu = undefined;
    this.host.requestUpdate();
  }

  /** A series was picked: the drawer (narrow elements) gives the image back; a side panel stays. */
  seriesPicked(): void {
    if (this.narrow && this.seriesOpen) {
      this.seriesChoice = false;
      this.host.requestUpdate();
    }
  }

  /** Closes the drawer (Escape inside it) and returns focus to its toggle. */
  closeSeriesDrawer(): void {
    if (!this.narrow || !this.seriesOpen) return;
    this.seriesChoice = false;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => this.root().querySelector<HTMLElement>('[aria-controls="series"]')?.focus());
  }

  /** Opens a menu under its trigger (focus on its first item), or closes it when it is open. */
  async toggleMenu(id: string, trigger: HTMLElement): Promise<void> {
    if (this.openMenu === id) {
      this.closeMenu(true);
      return;
    }
    const toolbar = this.toolbar();
    this.menuLeft = toolbar ? trigger.getBoundingClientRect().left - toolbar.getBoundingClientRect().left : 0;
    this.openMenu = id;
    this.host.requestUpdate();
    await this.host.updateComplete;
    this.items()[0]?.focus();
  }

  closeMenu(focusTrigger: boolean): void {
    const id = this.openMenu;
    if (id === undefined) return;
    this.openMenu = undefined;
    this.host.requestUpdate();
    if (focusTrigger) void this.host.updateComplete.then(() => this.trigger(id)?.focus());
  }

  /** Arrow keys, Home and End move between a menu's items; Escape closes it; Tab leaves it. */
  readonly menuKeydown = (event: KeyboardEvent): void => {
    const items = this.items();
    const current = items.indexOf((this.root() as ShadowRoot).activeElement as HTMLElement);
    const move = (index: number) => {
      event.preventDefault();
      items[(index + items.length) % items.length]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(current + 1);
      case 'ArrowUp':
        return move(current - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(items.length - 1);
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        return this.closeMenu(true);
      case 'Tab':
        return this.closeMenu(false);
    }
  };

  /**
   * Which items fit in the row. Widths are read from the rendered items (cached while an item is folded
   * away); the "more" button's room is kept only when something has to go into it.
   */
  measure(): void {
    const toolbar = this.toolbar();
    const row = toolbar?.querySelector<HTMLElement>('.bar-items');
    if (!toolbar || !row) return;
    const items = [...row.querySelectorAll<HTMLElement>(':scope > [data-item]')];
    for (const item of items) {
      if (item.hidden) continue;
      const style = getComputedStyle(item);
      if (style.display === 'none') continue;
      // An item pushed to the row's end has an automatic margin: only its fixed margins take room.
      const margins = item.classList.contains('group-end') ? 0 : parseFloat(style.marginLeft) + parseFloat(style.marginRight);
      this.widths.set(item.dataset.item!, item.getBoundingClientRect().width + margins);
    }
    const more = toolbar.querySelector<HTMLElement>('.more-button');
    const gap = parseFloat(getComputedStyle(row).columnGap) || 0;
    // The room of the "more" button: its own width, or a toolbar button's (the same size) while hidden.
    const buttonWidth = more && !more.hidden ? more.getBoundingClientRect().width : (toolbar.querySelector<HTMLElement>('.bar-fixed button')?.getBoundingClientRect().width ?? 0);
    const moreRoom = buttonWidth + gap;
    const rowWidth = row.clientWidth + (more && !more.hidden ? moreRoom : 0);
    const ids = items.map((item) => item.dataset.item!);
    const widthOf = (id: string) => this.widths.get(id) ?? buttonWidth;
    const total = ids.reduce((sum, id, index) => sum + widthOf(id) + (index > 0 ? gap : 0), 0);
    const room = total <= rowWidth - (this.coarse ? moreRoom : 0) ? rowWidth : rowWidth - moreRoom;
    const overflow = new Set<string>();
    let used = 0;
    for (const [index, id] of ids.entries()) {
      used += widthOf(id) + (index > 0 ? gap : 0);
      if (used > room + 0.5 || overflow.size > 0) overflow.add(id);
    }
    if (!sameSet(overflow, this.overflow)) {
      this.overflow = overflow;
      if (this.openMenu && overflow.has(this.openMenu)) this.openMenu = undefined;
      this.host.requestUpdate();
    }
  }

  private readonly pointerChanged = (event: MediaQueryListEvent): void => {
    this.coarse = event.matches;
    this.measure();
    this.host.requestUpdate();
  };

  /** A press outside the open menu and its trigger closes it. */
  private readonly pointerDownAnywhere = (event: PointerEvent): void => {
    const id = this.openMenu;
    if (id === undefined) return;
    const path = event.composedPath();
    const menu = this.root().querySelector(`[data-menu="${id}"]`);
    const trigger = this.trigger(id);
    if ((menu && path.includes(menu)) || (trigger && path.includes(trigger))) return;
    this.closeMenu(false);
  };

  private root(): ShadowRoot | HTMLElement {
    return this.host.renderRoot as ShadowRoot | HTMLElement;
  }

  private toolbar(): HTMLElement | null {
    return this.root().querySelector<HTMLElement>('.toolbar');
  }

  private trigger(id: string): HTMLElement | null {
    return this.root().querySelector<HTMLElement>(`[data-menu-trigger="${id}"]`);
  }

  private items(): HTMLElement[] {
    const menu = this.openMenu === undefined ? null : this.root().querySelector(`[data-menu="${this.openMenu}"]`);
    if (!menu) return [];
    return [...menu.querySelectorAll<HTMLElement>('[role^="menuitem"]')].filter((item) => item.offsetParent !== null);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}
