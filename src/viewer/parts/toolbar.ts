/**
 * The tool bar: one row of icon buttons (SVG icons; each with a localized `aria-label` and tooltip),
 * whatever the language. What does not fit at the element's width goes into the "more" menu (the
 * ChromeController measures); presets and layouts are small dropdown menus. Tools that need the full
 * viewer (everything but scrolling and window/level, which the first image already honours) are shown
 * busy (`aria-disabled`) until the series is ready. In patient mode: large targets, scroll, zoom and
 * named windows, the hospital's branding, no radiologist, layout or share tools.
 */
import { html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { MessageKey } from '../../i18n/messages.js';
import type { PrimaryTool } from '../../imaging/stack-controller.js';
import type { FilmlessLayout } from '../events.js';
import { cssomStyle } from './cssom-style.js';
import { type IconName, icon } from './icons.js';
import { MEASURE_TOOLS, measureIcon } from './measurement-list.js';
import { CINE_RATES } from '../controllers/cine.js';
import { CT_PRESETS, type FileWindow, PATIENT_PRESETS } from './window-presets.js';

export type ViewerMode = 'clinician' | 'patient';

export interface ToolbarState {
  mode: ViewerMode;
  tool: PrimaryTool;
  /** The active viewport's modality: CT gets window presets. */
  modality: string;
  /** Before `filmless-ready`: tools that need the full viewer do not act yet. */
  busy: boolean;
  layout: FilmlessLayout;
  overlayShown: boolean;
  seriesOpen: boolean;
  touchMode: 'scroll' | 'windowLevel';
  canShare: boolean;
  /** Items that do not fit in the row (shown in the "more" menu). */
  overflow: ReadonlySet<string>;
  moreVisible: boolean;
  openMenu: string | undefined;
  menuLeft: number;
  /** MPR: open, or why it cannot open for the active series (`loading`: not yet). */
  mpr: { open: boolean; unavailable?: string; loading?: boolean };
  /** Reference lines are drawn (offered when the grid has several viewports). */
  referenceLines?: boolean;
  /** The cursor readout toggle's state (absent: no toggle). */
  cursorInfo?: boolean;
  /** The windows the displayed image's file carries (listed in the windows menu). */
  fileWindows: FileWindow[];
  /** The active viewport's greys are inverted. */
  inverted: boolean;
  /** Cine of the active viewport: playing, the rate a play uses, the user's choice, the series' own rate. */
  cine: {
    playing: boolean;
    fps: number;
    chosenFps?: number;
    seriesFps?: number;
    /** The stack has more than one image (a single image cannot play). */
    playable?: boolean;
  };
}

export interface ToolbarActions {
  selectTool(tool: PrimaryTool): void;
  zoom(factor: number): void;
  preset(index: number): void;
  setWindow(center: number, width: number): void;
  rotate(degrees: number): void;
  flip(direction: 'horizontal' | 'vertical'): void;
  invert(): void;
  zoomFit(): void;
  zoomActualSize(): void;
  toggleCine(): void;
  /** undefined: the series' own rate. */
  setCineRate(fps: number | undefined): void;
  reset(): void;
  setLayout(layout: FilmlessLayout): void;
  toggleOverlay(): void;
  toggleSeries(): void;
  toggleTouchMode(): void;
  deleteAllMeasurements(): void;
  toggleMpr(): void;
  toggleReferenceLines(): void;
  /** Shows or hides the cursor's patient position and value (key C). */
  toggleCursorInfo?(): void;
  share(): void;
  help(): void;
  toggleMenu(id: string, trigger: HTMLElement): void;
  closeMenu(focusTrigger: boolean): void;
  menuKeydown(event: KeyboardEvent): void;
}

interface MenuEntry {
  id: string;
  label: string;
  icon: IconName;
  run: () => void;
  /** A choice among several (a layout): shown checked. */
  checked?: boolean;
  busy?: boolean;
  /** Shown on touch screens only. */
  touchOnly?: boolean;
  /** Why it cannot act (its tooltip). */
  note?: string;
}

interface BarItem {
  id: string;
  label: string;
  icon: IconName;
  busy?: boolean;
  /** A toggle or a tool: `aria-pressed`. */
  pressed?: boolean;
  run?: () => void;
  /** A dropdown: its entries. */
  menu?: MenuEntry[];
  /** Starts a new group (a little space before it), or is pushed to the row's end. */
  group?: 'start' | 'end';
  className?: string;
  /** Shows its label beside the icon (patient mode's named windows). */
  labelled?: boolean;
  /** Why it cannot act (shown in its tooltip; the button is disabled). */
  note?: string;
}

const CLINICIAN_TOOLS: { tool: PrimaryTool; label: MessageKey; icon: IconName }[] = [
  { tool: 'windowLevel', label: 'toolWindowLevel', icon: 'windowLevel' },
  { tool: 'pan', label: 'toolPan', icon: 'pan' },
  { tool: 'zoom', label: 'toolZoom', icon: 'zoom' },
  { tool: 'scroll', label: 'toolScroll', icon: 'scroll' },
];

const PATIENT_TOOLS: typeof CLINICIAN_TOOLS = [
  { tool: 'scroll', label: 'toolScroll', icon: 'scroll' },
  { tool: 'zoom', label: 'toolZoom', icon: 'zoom' },
];

const PRESET_ICONS: Record<string, IconName> = { presetBrain: 'brain', presetSoftTissue: 'softTissue', presetLung: 'lung', presetBone: 'bone' };

const LAYOUT_CHOICES: { layout: FilmlessLayout; label: MessageKey; icon: IconName }[] = [
  { layout: '1x1', label: 'layout1x1', icon: 'layout1x1' },
  { layout: '1x2', label: 'layout1x2', icon: 'layout1x2' },
  { layout: '2x1', label: 'layout2x1', icon: 'layout2x1' },
  { layout: '2x2', label: 'layout2x2', icon: 'layout2x2' },
];

/** Scrolling and window/level act from the first image on; everything else waits for the full viewer. */
const LIVE_TOOLS: readonly PrimaryTool[] = ['scroll', 'windowLevel'];

function barItems(t: LocalizeController, state: ToolbarState, actions: ToolbarActions): BarItem[] {
  const patient = state.mode === 'patient';
  const items: BarItem[] = (patient ? PATIENT_TOOLS : CLINICIAN_TOOLS).map(({ tool, label, icon }) => ({
    id: `tool-${tool}`,
    label: t.term(label),
    icon,
    pressed: state.tool === tool,
    busy: state.busy && !LIVE_TOOLS.includes(tool),
    run: () => actions.selectTool(tool),
  }));
  if (!patient) {
    items.push({
      id: 'measure',
      label: t.term('measureLabel'),
      icon: measureIcon(state.tool),
      busy: state.busy,
      menu: [
        ...MEASURE_TOOLS.map(({ tool, label }) => ({ id: `tool-${tool}`, label: t.term(label), icon: tool, checked: state.tool === tool, busy: state.busy, run: () => actions.selectTool(tool) })),
        { id: 'measure-delete-all', label: t.term('measurementsDeleteAll'), icon: 'trash' as const, busy: state.busy, run: actions.deleteAllMeasurements },
      ],
    });
  }
  items.push(
    { id: 'zoom-in', label: t.term('zoomIn'), icon: 'zoomIn', busy: state.busy, run: () => actions.zoom(1.25), group: 'start' },
    { id: 'zoom-out', label: t.term('zoomOut'), icon: 'zoomOut', busy: state.busy, run: () => actions.zoom(0.8) },
  );
  if (!patient) {
    items.push(
      { id: 'zoom-fit', label: t.term('zoomFit'), icon: 'zoomFit', busy: state.busy, run: actions.zoomFit },
      { id: 'zoom-actual', label: t.term('zoomActualSize'), icon: 'zoomActualSize', busy: state.busy, run: actions.zoomActualSize },
    );
  }
  const ct = state.modality === 'CT';
  if (ct) {
    items.push({
      id: 'presets',
      label: t.term(patient ? 'patientWindows' : 'presetsLabel'),
      icon: 'presets',
      busy: state.busy,
      group: 'start',
      labelled: patient,
      menu: (patient ? PATIENT_PRESETS : CT_PRESETS).map((preset, index) => ({
        id: `preset-${index}`,
        label: t.term(preset.label),
        icon: PRESET_ICONS[preset.label] ?? 'presets',
        busy: state.busy,
        run: () => actions.preset(index),
      })),
    });
  }
  if (!patient && state.fileWindows.length > 0) {
    // The windows the file itself carries; their explanation is the file's text (shown as text).
    items.push({
      id: 'file-windows',
      label: t.term('fileWindowsLabel'),
      icon: 'fileWindows',
      busy: state.busy,
      group: ct ? undefined : 'start',
      menu: state.fileWindows.map((window, index) => {
        const values = t.term('windowLevel', { width: window.width, center: window.center });
        return {
          id: `file-window-${index}`,
          label: window.explanation ? `${window.explanation} (${values})` : values,
          icon: 'fileWindows' as const,
          busy: state.busy,
          run: () => actions.setWindow(window.center, window.width),
        };
      }),
    });
  }
  if (!patient) {
    items.push(
      {
        id: 'orientation',
        label: t.term('orientationLabel'),
        icon: 'rotateRight',
        busy: state.busy,
        group: 'start',
        menu: [
          { id: 'rotate-right', label: t.term('rotateRight'), icon: 'rotateRight', busy: state.busy, run: () => actions.rotate(90) },
          { id: 'rotate-left', label: t.term('rotateLeft'), icon: 'rotateLeft', busy: state.busy, run: () => actions.rotate(-90) },
          { id: 'flip-horizontal', label: t.term('flipHorizontal'), icon: 'flipHorizontal', busy: state.busy, run: () => actions.flip('horizontal') },
          { id: 'flip-vertical', label: t.term('flipVertical'), icon: 'flipVertical', busy: state.busy, run: () => actions.flip('vertical') },
        ],
      },
      { id: 'invert', label: t.term('invert'), icon: 'invert', pressed: state.inverted, busy: state.busy, run: actions.invert, className: 'toggle' },
      { id: 'cine', label: t.term(state.cine.playing ? 'cineStop' : 'cinePlay'), icon: state.cine.playing ? 'cineStop' : 'cinePlay', pressed: state.cine.playing, busy: state.busy || state.cine.playable === false, run: actions.toggleCine, group: 'start', className: 'toggle' },
      {
        id: 'cine-speed',
        label: `${t.term('cineSpeed')}: ${t.term('cineRate', { fps: state.cine.fps })}`,
        icon: 'cineSpeed',
        busy: state.busy,
        menu: [
          ...(state.cine.seriesFps === undefined
            ? []
            : [{ id: 'cine-rate-series', label: t.term('cineSeriesRate', { fps: Math.round(state.cine.seriesFps * 10) / 10 }), icon: 'cineSpeed' as const, checked: state.cine.chosenFps === undefined, run: () => actions.setCineRate(undefined) }]),
          ...CINE_RATES.map((fps) => ({
            id: `cine-rate-${fps}`,
            label: t.term('cineRate', { fps }),
            icon: 'cineSpeed' as const,
            checked: state.cine.chosenFps === undefined ? state.cine.seriesFps === undefined && state.cine.fps === fps : state.cine.chosenFps === fps,
            run: () => actions.setCineRate(fps),
          })),
        ],
      },
    );
  }
  items.push({ id: 'reset', label: t.term('reset'), icon: 'reset', busy: state.busy, run: actions.reset, group: ct || !patient ? undefined : 'start' });
  if (!patient) {
    items.push({
      id: 'layout',
      label: t.term('layoutLabel'),
      icon: 'layout',
      busy: state.busy,
      group: 'start',
      menu: LAYOUT_CHOICES.map((choice) => ({
        id: `layout-${choice.layout}`,
        label: t.term(choice.label),
        icon: choice.icon,
        checked: state.layout === choice.layout,
        run: () => actions.setLayout(choice.layout),
      })),
    });
  }
  if (!patient) {
    const { open, unavailable, loading } = state.mpr;
    items.push({ id: 'mpr', label: t.term('mprOpen'), icon: 'mpr', pressed: open, busy: Boolean(unavailable) || loading, ...(unavailable ? { note: unavailable } : {}), run: actions.toggleMpr, group: 'start', className: 'toggle' });
    if (state.referenceLines !== undefined) {
      items.push({ id: 'reference-lines', label: t.term('referenceLines'), icon: 'referenceLines', pressed: state.referenceLines, run: actions.toggleReferenceLines, className: 'toggle' });
    }
  }
  if (!patient && state.cursorInfo !== undefined && actions.toggleCursorInfo) {
    items.push({ id: 'cursor-info', label: t.term('cursorInfo'), icon: state.cursorInfo ? 'cursorInfo' : 'cursorInfoOff', pressed: state.cursorInfo, busy: state.busy, run: actions.toggleCursorInfo, className: 'toggle' });
  }
  items.push({ id: 'overlay', label: t.term('overlayToggle'), icon: state.overlayShown ? 'overlayOn' : 'overlayOff', pressed: state.overlayShown, run: actions.toggleOverlay, group: patient ? 'start' : undefined, className: 'toggle' });
  if (patient) {
    // Patients pinch to zoom on a phone: the named windows come right after scrolling, so they stay in the row.
    const presets = items.findIndex((item) => item.id === 'presets');
    if (presets > 0) items.splice(1, 0, ...items.splice(presets, 1));
  }
  if (state.canShare && !patient) items.push({ id: 'share', label: t.term('share'), icon: 'share', run: actions.share, group: 'end', className: 'share-button' });
  items.push({ id: 'help', label: t.term('help'), icon: 'help', run: actions.help, group: state.canShare && !patient ? undefined : 'end' });
  return items;
}

const busyTitle = (t: LocalizeController, label: string, busy: boolean | undefined, note?: string) => (note ? `${label}: ${note}` : busy ? `${label} (${t.term('toolBusy')})` : label);

/** Runs an action unless the control is busy. */
const guarded = (busy: boolean | undefined, run: () => void) => () => {
  if (!busy) run();
};

function menuEntry(t: LocalizeController, entry: MenuEntry, actions: ToolbarActions, role: 'menuitem' | 'menuitemradio' | 'menuitemcheckbox' = entry.checked === undefined ? 'menuitem' : 'menuitemradio') {
  return html`<button type="button" role=${role} class="menu-item ${entry.touchOnly ? 'touch-only' : ''} ${entry.busy ? 'busy' : ''}"
    data-entry=${entry.id} aria-checked=${role === 'menuitem' ? nothing : String(Boolean(entry.checked))}
    aria-disabled=${entry.busy ? 'true' : nothing} title=${busyTitle(t, entry.label, entry.busy, entry.note)} tabindex="-1"
    @click=${guarded(entry.busy, () => {
      actions.closeMenu(true);
      entry.run();
    })}>${icon(entry.icon)}<span>${entry.label}</span></button>`;
}

function dropdown(t: LocalizeController, id: string, label: string, entries: MenuEntry[], state: ToolbarState, actions: ToolbarActions, alignEnd = false) {
  if (state.openMenu !== id) return nothing;
  // Positioned through the CSSOM, never a style attribute: the page may forbid inline styles (CSP).
  const position = cssomStyle(alignEnd ? { right: '4px' } : { left: `${Math.max(4, state.menuLeft)}px` });
  return html`<div class="menu" part="menu" role="menu" id=${`menu-${id}`} data-menu=${id} aria-label=${label} ${position} @keydown=${actions.menuKeydown}>
    ${entries.map((entry) => menuEntry(t, entry, actions))}
  </div>`;
}

/** The overflow menu: the items that did not fit, in order (dropdowns as labelled groups), then touch-only controls. */
function moreMenu(t: LocalizeController, items: BarItem[], state: ToolbarState, actions: ToolbarActions) {
  if (state.openMenu !== 'more') return nothing;
  const folded = items.filter((item) => state.overflow.has(item.id));
  const touch: MenuEntry = {
    id: 'touch-mode',
    label: `${t.term('touchModeLabel')}: ${state.touchMode === 'windowLevel' ? t.term('touchModeWindow') : t.term('touchModeScroll')}`,
    icon: 'touch',
    touchOnly: true,
    run: actions.toggleTouchMode,
  };
  return html`<div class="menu more-menu" part="menu" role="menu" id="menu-more" data-menu="more" aria-label=${t.term('more')} ${cssomStyle({ right: '4px' })}
    @keydown=${actions.menuKeydown}>
    ${folded.map((item) =>
      item.menu
        ? html`<div role="group" class="menu-group" aria-label=${item.label}>
            <div class="menu-heading" aria-hidden="true">${item.label}</div>
            ${item.menu.map((entry) => menuEntry(t, entry, actions))}
          </div>`
        : menuEntry(
            t,
            { id: item.id, label: item.label, icon: item.icon, busy: item.busy, ...(item.note ? { note: item.note } : {}), run: item.run!, ...(item.pressed === undefined ? {} : { checked: item.pressed }) },
            actions,
            item.pressed === undefined ? 'menuitem' : 'menuitemcheckbox',
          ),
    )}
    ${menuEntry(t, touch, actions)}
  </div>`;
}

function barButton(t: LocalizeController, item: BarItem, state: ToolbarState, actions: ToolbarActions) {
  const folded = state.overflow.has(item.id);
  const classes = `tool ${item.busy ? 'busy' : ''} ${item.group ? `group-${item.group}` : ''} ${item.className ?? ''}`;
  if (item.menu) {
    const open = state.openMenu === item.id;
    return html`<button type="button" class=${classes} data-item=${item.id} data-menu-trigger=${item.id} ?hidden=${folded}
      aria-label=${item.label} title=${busyTitle(t, item.label, item.busy)} aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-controls=${open ? `menu-${item.id}` : nothing} aria-disabled=${item.busy ? 'true' : nothing}
      @keydown=${(event: KeyboardEvent) => {
        if (event.key === 'Escape' && open) {
          event.preventDefault();
          actions.closeMenu(true);
        }
      }}
      @click=${(event: Event) => {
        if (!item.busy) actions.toggleMenu(item.id, event.currentTarget as HTMLElement);
      }}>${icon(item.icon)}${item.labelled ? html`<span class="tool-label">${item.label}</span>` : nothing}${icon('chevron')}</button>`;
  }
  return html`<button type="button" class=${classes} data-item=${item.id} ?hidden=${folded} aria-label=${item.label}
    title=${busyTitle(t, item.label, item.busy, item.note)} aria-pressed=${item.pressed === undefined ? nothing : String(item.pressed)}
    aria-disabled=${item.busy ? 'true' : nothing} @click=${guarded(item.busy, item.run!)}>${icon(item.icon)}</button>`;
}

export function toolbar(t: LocalizeController, state: ToolbarState, actions: ToolbarActions) {
  const items = barItems(t, state, actions);
  const signature = `${state.mode}|${t.language}|${items.map((item) => item.id).join(',')}`;
  const openDropdown = items.find((item) => item.menu && item.id === state.openMenu && !state.overflow.has(item.id));
  return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label=${t.term('toolsLabel')} data-signature=${signature}>
    ${state.mode === 'patient' ? html`<div class="branding" part="branding"><slot name="branding"></slot></div>` : nothing}
    <div class="bar-fixed">
      <button type="button" class="tool series-toggle" aria-label=${t.term('seriesListLabel')} title=${t.term('seriesListLabel')}
        aria-expanded=${state.seriesOpen ? 'true' : 'false'} aria-controls="series" @click=${actions.toggleSeries}>${icon('series')}</button>
    </div>
    <div class="bar-items">${items.map((item) => barButton(t, item, state, actions))}</div>
    <button type="button" class="tool more-button" data-menu-trigger="more" ?hidden=${!state.moreVisible} aria-label=${t.term('more')}
      title=${t.term('more')} aria-haspopup="menu" aria-expanded=${state.openMenu === 'more' ? 'true' : 'false'}
      aria-controls=${state.openMenu === 'more' ? 'menu-more' : nothing}
      @click=${(event: Event) => actions.toggleMenu('more', event.currentTarget as HTMLElement)}>${icon('more')}</button>
    ${openDropdown ? dropdown(t, openDropdown.id, openDropdown.label, openDropdown.menu!, state, actions) : nothing}
    ${moreMenu(t, items, state, actions)}
  </div>`;
}
