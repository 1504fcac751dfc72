/**
 * The viewer's template: toolbar, series panel (with the priors list), comparison bar, the viewport
 * grid, and the panels over it (waiting message, chooser, error, help, share). A pure function of the
 * element's state and controllers, so the element file stays a table of contents.
 */
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { ChromeController } from '../controllers/chrome.js';
import type { CollabController } from '../controllers/collab.js';
import { syncOverlay } from './sync-bar.js';
import { type CineController, seriesFrameRate } from '../controllers/cine.js';
import type { InputController } from '../controllers/input.js';
import type { MeasurementsController } from '../controllers/measurements.js';
import type { MprController } from '../controllers/mpr.js';
import type { ReferenceLines } from '../controllers/reference-lines.js';
import type { PriorsController } from '../controllers/priors.js';
import type { ViewportSync } from '../controllers/scroll-sync.js';
import type { SeriesThumbnails } from '../controllers/series-thumbnails.js';
import type { SeriesChecks } from '../controllers/series-checks.js';
import type { CursorReadoutController } from '../controllers/cursor-readout.js';
import type { ShareController } from '../controllers/share.js';
import type { StudyResolution } from '../controllers/study-resolution.js';
import type { ViewportGrid } from '../controllers/viewport-grid.js';
import type { FilmlessErrorDetail, FilmlessLayout, FilmlessStatus } from '../events.js';
import { helpOverlay } from './help-overlay.js';
import { compareBar, priorsList, studyBadge } from './priors-list.js';
import { sharePanel } from './share-panel.js';
import { labelField, measurementList } from './measurement-list.js';
import { chooser, errorPanel, liveText, seriesList, waitingMessage } from './study-panels.js';
import { toolbar } from './toolbar.js';
import { viewportCell } from './viewport-cell.js';
import { fileWindows } from './window-presets.js';

/** What the template reads, and the element's public actions it calls. */
export interface ViewerView {
  t: LocalizeController;
  mode: 'clinician' | 'patient';
  touchMode: 'scroll' | 'windowLevel';
  status: FilmlessStatus;
  error: FilmlessErrorDetail | undefined;
  resolution: StudyResolution;
  grid: ViewportGrid;
  input: InputController;
  share: ShareController;
  thumbnails: SeriesThumbnails;
  checks: SeriesChecks;
  cursor: CursorReadoutController;
  sync: ViewportSync;
  priors: PriorsController;
  chrome: ChromeController;
  collab: CollabController;
  measurements: MeasurementsController;
  mpr: MprController;
  referenceLines: ReferenceLines;
  cine: CineController;
  actions: {
    retry(): void;
    selectStudy(studyInstanceUID: string): void;
    selectSeries(seriesInstanceUID: string, stack?: number): void;
    showSeries(viewportIndex: number, seriesInstanceUID: string): void;
    comparePrior(studyInstanceUID: string): void;
    setLayout(layout: FilmlessLayout): void;
    resetView(): void;
    toggleTouchMode(): void;
    toggleMpr(): void;
    toggleReferenceLines(): void;
  };
}

export function viewerTemplate(v: ViewerView) {
  const { t, input, grid, resolution, priors, share, chrome } = v;
  const active = grid.active.load;
  const inGrid = grid.cells.length > 1;
  return html`
    <div class="layout" lang=${t.language} role="region" aria-label=${t.term('viewerLabel')}>
      ${viewerToolbar(v)}
      ${seriesList(t, { study: resolution.study, selected: active.series?.seriesInstanceUID ?? '', thumbnails: v.thumbnails.urls, open: chrome.seriesOpen, large: v.mode === 'patient',
        stacks: new Map([...v.checks.checks].map(([uid, check]) => [uid, check.stacks])), selectedStack: active.series?.stackIndex ?? 0 }, (uid, stack) => {
        chrome.seriesPicked();
        v.actions.selectSeries(uid, stack);
      }, () => chrome.closeSeriesDrawer(), html`${measurementPanel(v)}${priorsPanel(v)}`)}
      ${comparison(v)}
      <div class="stage" @touchstart=${input.captureTouch} @touchmove=${input.captureTouch}
        @pointerdown=${input.handlePointer} @pointermove=${input.handlePointer} @pointerup=${input.handlePointer}
        @pointercancel=${input.handlePointer}>
        <div class="grid layout-${grid.layout}">
          ${repeat(grid.cells, (cell) => cell.id, (cell, index) =>
            viewportCell(t, {
              id: cell.id, load: cell.load, active: index === grid.activeIndex, inGrid, unreachable: resolution.unreachable,
              failed: v.status === 'error', overlayHidden: input.overlayHidden, maximized: grid.maximized === undefined ? 'none' : grid.maximized === index ? 'this' : 'other',
              extra: priors.comparing ? studyBadge(t, cell.load, resolution.study?.studyInstanceUID) : nothing,
              cursor: v.cursor.at(cell.id),
              cine: v.cine.stateOf(cell),
            }, {
              pointerMove: (event) => v.cursor.move(cell, event),
              pointerLeave: v.cursor.leave,
              keydown: input.handleKeydown,
              wheel: input.handleWheel,
              activate: () => grid.activate(index),
              toggleMaximized: () => grid.toggleMaximized(index),
              dropSeries: (uid) => v.actions.showSeries(index, uid),
            }),
          )}
        </div>
        ${v.mpr.render() ?? nothing}
        ${syncOverlay(t, v.collab)}
        ${waitingMessage(t, v.status, Boolean(active.display || active.preview), resolution.candidates.length > 0)}
        ${chooser(t, { candidates: resolution.candidates, kind: resolution.chooserKind, unreachable: resolution.unreachable }, (uid) => v.actions.selectStudy(uid))}
        ${errorPanel(t, v.error, v.status, () => v.actions.retry())}
        ${v.measurements.labelRequest ? labelField(t, v.measurements.labelRequest.current, (label) => v.measurements.answerLabel(label)) : nothing}
        ${input.helpOpen ? helpOverlay(t, () => void input.toggleHelp()) : nothing}
        ${share.state
          ? sharePanel(t, share.state, {
              copy: () => void share.copy(),
              download: () => share.downloadQrCode(),
              close: () => share.close(),
            })
          : nothing}
      </div>
      <div class="sr-only" role="status" aria-live="polite">${liveText(t, v.status, active.progress, v.error)}</div>
    </div>
  `;
}

/** The priors list, at the foot of the series panel. */
function priorsPanel(v: ViewerView) {
  const { state, priors, opening } = v.priors;
  const shown = v.grid.cells.map((cell) => cell.load.series?.study.studyInstanceUID ?? '');
  return priorsList(v.t, { state, priors, opening, shown }, (uid) => v.actions.comparePrior(uid));
}

/** The measurement list, at the foot of the series panel. */
function measurementPanel(v: ViewerView) {
  const { measurements } = v;
  return measurementList(v.t, {
    measurements: measurements.all(),
    selected: measurements.selectedId,
    describe: (m) => measurements.summary(m),
  }, { select: (id) => measurements.select(id), remove: (id) => void measurements.remove(id) });
}

/** While a prior is shown beside the study: its sync toggles, between the toolbar and the images. */
function comparison(v: ViewerView) {
  if (!v.priors.comparing) return nothing;
  return compareBar(v.t, v.sync, { toggle: (kind) => v.sync.toggle(kind), end: () => v.priors.end() });
}

/** The toolbar, wired to the controllers it drives. */
function viewerToolbar(v: ViewerView) {
  const series = v.grid.active.load.series;
  if (!series) return nothing;
  const chrome = v.chrome;
  return toolbar(
    v.t,
    {
      mode: v.mode,
      tool: v.input.tool,
      modality: series.modality,
      busy: v.status !== 'ready',
      layout: v.grid.layout,
      overlayShown: !v.input.overlayHidden,
      seriesOpen: chrome.seriesOpen,
      touchMode: v.touchMode,
      canShare: v.share.available,
      overflow: chrome.overflow,
      moreVisible: chrome.moreVisible,
      openMenu: chrome.openMenu,
      menuLeft: chrome.menuLeft,
      mpr: mprButton(v),
      ...(v.grid.cells.length > 1 ? { referenceLines: v.referenceLines.enabled } : {}),
      cursorInfo: v.cursor.enabled,
      ...viewToolsState(v),
    },
    {
      selectTool: (tool) => v.input.selectTool(tool),
      zoom: (factor) => v.grid.active.load.stack.zoomBy(factor),
      preset: (index) => v.input.perform({ type: 'preset', index }),
      setWindow: (center, width) => v.grid.active.load.stack.setWindow(center, width),
      rotate: (degrees) => v.input.perform({ type: 'rotate', degrees }),
      flip: (direction) => v.input.perform({ type: 'flip', direction }),
      invert: () => v.input.perform({ type: 'invert' }),
      zoomFit: () => v.input.perform({ type: 'fit' }),
      zoomActualSize: () => v.input.perform({ type: 'actualSize' }),
      toggleCine: () => v.cine.toggle(),
      setCineRate: (fps) => v.cine.setRate(fps),
      reset: () => v.actions.resetView(),
      setLayout: (layout) => v.actions.setLayout(layout),
      toggleOverlay: () => v.input.toggleOverlay(),
      toggleSeries: () => chrome.toggleSeries(),
      toggleTouchMode: () => (v.actions.toggleTouchMode()),
      deleteAllMeasurements: () => v.measurements.removeAll(),
      toggleMpr: () => v.actions.toggleMpr(),
      toggleReferenceLines: () => v.actions.toggleReferenceLines(),
      toggleCursorInfo: () => v.cursor.toggle(),
      share: () => void v.share.open(v.resolution.study),
      help: () => void v.input.toggleHelp(),
      toggleMenu: (id, trigger) => void chrome.toggleMenu(id, trigger),
      closeMenu: (focusTrigger) => chrome.closeMenu(focusTrigger),
      menuKeydown: chrome.menuKeydown,
    },
  );
}

/** The view tools' part of the toolbar's state: the file's windows, inversion, cine. */
function viewToolsState(v: ViewerView) {
  const load = v.grid.active.load;
  const frame = load.series?.frames[load.display?.imageIndex ?? -1];
  const seriesFps = seriesFrameRate(load.series?.frames[0]?.instance);
  return {
    fileWindows: frame ? fileWindows(frame.instance, frame.frameNumber) : [],
    inverted: load.display?.invert ?? false,
    cine: {
      playing: v.cine.playing,
      playable: (load.series?.frames.length ?? 0) > 1,
      fps: v.cine.rateFor(load.series),
      ...(v.cine.chosenFps === undefined ? {} : { chosenFps: v.cine.chosenFps }),
      ...(seriesFps === undefined ? {} : { seriesFps }),
    },
  };
}

/** The MPR button's state: open, or why the active series cannot be shown in MPR. */
function mprButton(v: ViewerView): { open: boolean; unavailable?: string; loading?: boolean } {
  if (v.mpr.open) return { open: true };
  const availability = v.mpr.availability();
  if (availability.available) return { open: false };
  if (availability.reason === 'loading') return { open: false, loading: true };
  return { open: false, unavailable: v.t.term(`mprReason.${availability.reason}`) };
}
