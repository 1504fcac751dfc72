/**
 * The element's controllers and how they talk to each other: one object built once per element. The
 * element keeps its public surface (properties, methods, events) and hands everything else here: which
 * controller hears of a study opened, a series ready or a property changed, the view state it reports,
 * and what its template gets.
 */
import type { PropertyValues, ReactiveControllerHost } from 'lit';
import type { FilmlessSyncRole } from '../../collab/protocol.js';
import type { FilmlessSyncTransport } from '../../collab/transport.js';
import { LocalizeController } from '../../i18n/localize-controller.js';
import type { FilmlessLayout, FilmlessMeasurement, FilmlessMeasurementInput, FilmlessSlabMode, FilmlessViewState } from '../events.js';
import { viewerTemplate } from '../parts/viewer-template.js';
import { CacheBudget } from './cache-budget.js';
import { ChromeController } from './chrome.js';
import { CineController } from './cine.js';
import { CollabController } from './collab.js';
import { CursorReadoutController } from './cursor-readout.js';
import { InputController, type InputSettings } from './input.js';
import { MeasurementsController } from './measurements.js';
import { MprController } from './mpr.js';
import { PriorsController } from './priors.js';
import { ReferenceLines } from './reference-lines.js';
import { ViewportSync } from './scroll-sync.js';
import { SeriesChecks } from './series-checks.js';
import { SeriesThumbnails } from './series-thumbnails.js';
import { ShareController, type ShareSettings } from './share.js';
import { type ResolutionInputs, StudyResolution } from './study-resolution.js';
import { ViewerStatus } from './viewer-status.js';
import { LAYOUTS, ViewportGrid } from './viewport-grid.js';

/** The element as its controllers see it: its properties and the public methods they call back. */
export interface ViewerHost extends ReactiveControllerHost, HTMLElement, ResolutionInputs, ShareSettings, InputSettings {
  readonly renderRoot: HTMLElement | DocumentFragment;
  debug: boolean;
  compareWithPrior: boolean;
  layout: FilmlessLayout;
  syncRole: FilmlessSyncRole;
  syncChannel: string;
  syncTransport: FilmlessSyncTransport | undefined;
  mpr: boolean;
  mprSlabThickness: number;
  mprSlabMode: FilmlessSlabMode;
  referenceLines: boolean;
  cacheSize: number;
  getViewState(): FilmlessViewState;
  showSeries(viewportIndex: number, seriesInstanceUID: string, studyInstanceUID?: string, stack?: number): void;
  selectStudy(studyInstanceUID: string): void;
  selectSeries(seriesInstanceUID: string, stack?: number): void;
  comparePrior(studyInstanceUID: string): void;
  getMeasurements(): FilmlessMeasurement[];
  addMeasurement(measurement: FilmlessMeasurementInput): FilmlessMeasurement | undefined;
  removeMeasurement(id: string): boolean;
  retry(): void;
  resetView(): void;
}

/** Each element's controllers, for the feature mixins of its public API (api/*.ts). */
const controllersByHost = new WeakMap<HTMLElement, ViewerControllers>();

/** The controllers of an element built with them (every FilmlessViewer: built in its constructor). */
export function controllersOf(host: HTMLElement): ViewerControllers {
  const controllers = controllersByHost.get(host);
  if (!controllers) throw new Error('controllersOf: an element without ViewerControllers');
  return controllers;
}

export class ViewerControllers {
  readonly localize: LocalizeController;
  readonly context: ViewerStatus;
  readonly resolution: StudyResolution;
  readonly grid: ViewportGrid;
  readonly cine: CineController;
  readonly input: InputController;
  readonly share: ShareController;
  readonly thumbnails: SeriesThumbnails;
  readonly checks: SeriesChecks;
  readonly cursor: CursorReadoutController;
  readonly sync: ViewportSync;
  readonly priors: PriorsController;
  readonly chrome: ChromeController;
  readonly collab: CollabController;
  readonly measurements: MeasurementsController;
  readonly mpr: MprController;
  readonly referenceLines: ReferenceLines;

  constructor(private readonly host: ViewerHost) {
    controllersByHost.set(host, this);
    this.localize = new LocalizeController(host);
    new CacheBudget(host);
    const context = (this.context = new ViewerStatus(host, this.localize));
    this.resolution = new StudyResolution(context, host, {
      reset: () => {
        this.grid.releaseAll();
        this.thumbnails.release();
        this.checks.release();
        this.priors.reset();
        this.measurements.reset();
        context.clearError();
      },
      opened: (study) => {
        this.thumbnails.release();
        this.grid.showStudy(study, this.resolution.clientForStudy(study), this.resolution.startedAt);
      },
    });
    this.grid = new ViewportGrid(context, {
      seriesReady: (cell, study) => {
        this.measurements.seriesShown(cell);
        this.sync.seriesShown(cell);
        this.collab.seriesShown(cell);
        if (study.studyInstanceUID !== this.resolution.study?.studyInstanceUID) return;
        const client = this.resolution.clientForStudy(study);
        this.thumbnails.load(study, client);
        this.checks.load(study, client);
      },
      seriesChecked: (check) => this.checks.record(check),
      viewChanged: () => context.emit('filmless-statechange', host.getViewState()),
      cellChanged: (cell) => this.sync.cellChanged(cell),
    });
    this.cine = new CineController(context, this.grid);
    this.input = new InputController(context, this.grid, host, this.cine);
    this.share = new ShareController(context, host, (study) => this.resolution.sourceOf(study).dicomwebUrl);
    this.thumbnails = new SeriesThumbnails(context);
    this.checks = new SeriesChecks(
      context,
      () => this.resolution.study,
      () => ({
        shown: new Set(this.grid.cells.map((cell) => cell.load.series?.seriesInstanceUID ?? '')),
        loading: this.grid.cells.some(({ load }) => load.progress.total > 0 && load.progress.loaded < load.progress.total),
      }),
      (check) => {
        const study = this.resolution.study;
        if (study) this.thumbnails.loadStacks(study, this.resolution.clientForStudy(study), check.seriesInstanceUID, check.middles);
      },
    );
    this.cursor = new CursorReadoutController(context, this.input);
    this.sync = new ViewportSync(context, this.grid);
    this.priors = new PriorsController(context, this.grid, this.resolution, {
      timeout: () => host.sourceTimeout,
      autoCompare: () => host.compareWithPrior,
      setLayout: (layout) => this.grid.setLayout((host.layout = layout)),
      compared: () => this.sync.startComparing(),
    });
    this.chrome = new ChromeController(host);
    this.collab = new CollabController(context, this.grid, {
      viewState: () => host.getViewState(),
      openStudy: () => {
        const study = this.resolution.study;
        return study && { studyInstanceUID: study.studyInstanceUID, series: study.series.map((s) => s.seriesInstanceUID) };
      },
      loadStudy: (studyInstanceUID) => {
        host.accessionNumber = '';
        host.studyUid = studyInstanceUID;
      },
      showSeries: (index, series, study) => host.showSeries(index, series, study),
      setLayout: (layout) => (host.layout = layout),
      roleChanged: (role) => {
        host.syncRole = role;
        context.emit('filmless-syncrole', { role });
      },
      measurements: () => host.getMeasurements(),
      addMeasurement: (input) => host.addMeasurement(input),
      removeMeasurement: (id) => host.removeMeasurement(id),
    });
    this.measurements = new MeasurementsController(context, this.grid, {
      showSeries: (seriesUID, studyUID) => host.showSeries(this.grid.activeIndex, seriesUID, studyUID),
    });
    this.mpr = new MprController(
      context,
      this.grid,
      {
        changed: () => context.emit('filmless-statechange', host.getViewState()),
        openChanged: (open) => (host.mpr = open),
        slabChosen: (thickness, mode) => {
          host.mprSlabThickness = thickness;
          host.mprSlabMode = mode;
        },
      },
      this.input,
    );
    this.referenceLines = new ReferenceLines(context, this.grid);
  }

  /** The view state `getViewState()` returns: the active viewport's fields first, then every viewport. */
  viewState(): FilmlessViewState {
    const { grid } = this;
    const viewports = grid.viewportStates().map((state, index) => {
      const cine = this.cine.stateOf(grid.cells[index]!);
      return cine ? { ...state, cine } : state;
    });
    const { studyInstanceUID, seriesInstanceUID, imageIndex, imageCount, windowCenter, windowWidth, zoom } = viewports[grid.activeIndex]!;
    const mpr = this.mpr.state();
    return {
      v: 1,
      studyInstanceUID: studyInstanceUID || (this.resolution.study?.studyInstanceUID ?? ''),
      seriesInstanceUID,
      imageIndex,
      imageCount,
      windowCenter,
      windowWidth,
      zoom,
      layout: grid.layout,
      activeViewport: grid.activeIndex,
      viewports,
      ...(mpr ? { mpr } : {}),
    };
  }

  /** `showSeries()`: a prior's series, or one of the open study's (image series only), in one viewport. */
  showSeries(viewportIndex: number, seriesInstanceUID: string, studyInstanceUID: string, stack: number | undefined): void {
    if (!Number.isInteger(viewportIndex) || viewportIndex < 0 || viewportIndex >= this.grid.cells.length) return;
    if (studyInstanceUID && studyInstanceUID !== this.resolution.study?.studyInstanceUID) {
      void this.priors.showPriorSeries(viewportIndex, studyInstanceUID, seriesInstanceUID);
      return;
    }
    const study = this.resolution.study;
    if (!study?.series.some((s) => s.seriesInstanceUID === seriesInstanceUID && s.kind !== 'non-image')) return;
    const stackIndex = typeof stack === 'number' && Number.isInteger(stack) && stack >= 0 ? stack : undefined;
    void this.grid.show(viewportIndex, study, seriesInstanceUID, this.resolution.clientForStudy(study), performance.now(), false, stackIndex);
  }

  /** What changed properties mean for the controllers (called from the element's `willUpdate`). */
  propertiesChanged(changed: PropertyValues): void {
    const host = this.host;
    if (changed.has('syncRole') || changed.has('syncChannel') || changed.has('syncTransport')) this.collab.configure(host.syncRole, host.syncChannel, host.syncTransport);
    if (changed.has('mode')) this.input.selectTool(host.mode === 'patient' ? 'scroll' : 'windowLevel');
    if (changed.has('layout')) {
      if (!LAYOUTS.includes(host.layout)) host.layout = '1x1';
      this.grid.setLayout(host.layout);
      const study = this.resolution.study;
      if (study) this.grid.fillEmpty(study, this.resolution.clientForStudy(study));
      if (changed.get('layout') !== undefined) this.context.emit('filmless-statechange', host.getViewState());
    }
    if (changed.has('mprSlabThickness') || changed.has('mprSlabMode')) this.mpr.setSlab(host.mprSlabThickness, host.mprSlabMode);
    if (changed.has('mpr')) this.mpr.setOpen(host.mpr);
    if (changed.has('referenceLines')) this.referenceLines.enabled = host.referenceLines;
  }

  /** The element's template, with every controller and the actions its buttons call. */
  render() {
    const host = this.host;
    return viewerTemplate({
      t: this.localize, mode: host.mode, touchMode: host.touchMode, status: this.context.status, error: this.context.error,
      resolution: this.resolution, grid: this.grid, input: this.input, share: this.share, thumbnails: this.thumbnails, checks: this.checks, cursor: this.cursor,
      sync: this.sync, priors: this.priors, chrome: this.chrome, collab: this.collab, measurements: this.measurements, cine: this.cine, mpr: this.mpr, referenceLines: this.referenceLines,
      actions: {
        retry: () => host.retry(),
        selectStudy: (uid) => host.selectStudy(uid),
        selectSeries: (uid, stack) => host.selectSeries(uid, stack),
        showSeries: (index, uid) => host.showSeries(index, uid),
        comparePrior: (uid) => host.comparePrior(uid),
        setLayout: (layout) => (host.layout = layout),
        resetView: () => host.resetView(),
        toggleTouchMode: () => (host.touchMode = host.touchMode === 'scroll' ? 'windowLevel' : 'scroll'),
        toggleMpr: () => (host.mpr = !host.mpr),
        toggleReferenceLines: () => (host.referenceLines = !host.referenceLines),
      },
    });
  }
}
