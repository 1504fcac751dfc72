/**
 * MPR on Cornerstone3D: one volume built from a stack's image IDs, shown in three ORTHOGRAPHIC volume
 * viewports (axial, sagittal, coronal) on the page's shared rendering engine, with Cornerstone's
 * crosshairs and slab thickness (MIP / MinIP / average).
 *
 * Renderers. Cornerstone's CPU renderer has no volume viewports. The choice made here: the three MPR
 * viewports always draw with WebGL, and every stack viewport keeps the renderer the page chose. Under
 * `auto` on a software rasterizer the page's stacks stay on the CPU path while MPR is open (the CPU flag
 * is lowered only while the volume viewports are created, then raised again, so nothing else changes
 * renderer); under `cpu` (forced: the host says WebGL must not be used) MPR is not offered.
 *
 * Frames. The volume is made of the very images the stack viewport already decoded: Cornerstone's
 * streaming volume asks its image cache for each image ID first, and images still on their way come
 * through the same `filmless:` loader and the series' one retrieval (frame-loader.ts), never a new
 * download of the series.
 */
import type { FilmlessMprViewportState } from '../viewer/events.js';
import {
  Enums as CoreEnums,
  cache,
  getShouldUseCPURendering,
  setUseCPURendering,
  setVolumesForViewports,
  type RenderingEngine,
  type Types,
  utilities,
  volumeLoader,
} from '@cornerstonejs/core';
import {
  CrosshairsTool,
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
} from '@cornerstonejs/tools';
import { getRendererPreference } from './renderer-preference.js';
import { getSharedEngine } from './runtime.js';

export type MprPlane = 'axial' | 'sagittal' | 'coronal';
export const MPR_PLANES: readonly MprPlane[] = ['axial', 'sagittal', 'coronal'];

/** How the slices of a slab are combined into one image. */
export type SlabMode = 'mip' | 'minip' | 'average';

/** What an MPR viewport shows, in patient coordinates (mm): the public shape (see events.ts). */
export type MprViewportState = FilmlessMprViewportState;

export interface MprState {
  /** Where the crosshairs cross (the three planes meet), patient mm. */
  center: [number, number, number];
  slabThickness: number;
  slabMode: SlabMode;
  viewports: MprViewportState[];
}

const BLEND: Record<SlabMode, CoreEnums.BlendModes> = {
  mip: CoreEnums.BlendModes.MAXIMUM_INTENSITY_BLEND,
  minip: CoreEnums.BlendModes.MINIMUM_INTENSITY_BLEND,
  average: CoreEnums.BlendModes.AVERAGE_INTENSITY_BLEND,
};

const ORIENTATION: Record<MprPlane, CoreEnums.OrientationAxis> = {
  axial: CoreEnums.OrientationAxis.AXIAL,
  sagittal: CoreEnums.OrientationAxis.SAGITTAL,
  coronal: CoreEnums.OrientationAxis.CORONAL,
};

/**
 * The volume's outside: a dark slate, so the volume's extent shows against it (air inside the volume
 * is black under a soft-tissue window).
 */
export const MPR_BACKGROUND: [number, number, number] = [0.12, 0.13, 0.16];

/** Crosshair colours per plane, as radiology viewers colour them (the line of a plane has its colour). */
const PLANE_COLOURS: Record<string, string> = { axial: 'rgb(230, 70, 70)', sagittal: 'rgb(240, 200, 40)', coronal: 'rgb(60, 200, 90)' };

/** Navigation tools MPR binds itself; any other tool of the source stack's group is copied over. */
const OWN_TOOLS = new Set([CrosshairsTool.toolName, WindowLevelTool.toolName, PanTool.toolName, ZoomTool.toolName, StackScrollTool.toolName]);

type ToolBinding = { mouseButton?: number; modifierKey?: number; numTouchPoints?: number };

let sequence = 0;
let crosshairsAdded = false;

/** Whether MPR can draw here: WebGL may be used (the renderer is not forced to the CPU). */
export function mprRendererAvailable(): boolean {
  return getRendererPreference() !== 'cpu';
}

/** One viewer's MPR: its volume, its three viewports and its tool group. */
export class MprView {
  private engine: RenderingEngine | undefined;
  private readonly volumeId: string;
  private readonly toolGroupId: string;
  private viewportIds: Record<MprPlane, string>;
  private elements: HTMLDivElement[] = [];
  private slab: { thickness: number; mode: SlabMode } = { thickness: 0, mode: 'mip' };
  private initialParallelScale = new Map<string, number>();
  private closed = false;
  /** The source group's tools and bindings last copied (adoptTools runs on every update of the element). */
  private adoptedSignature = '';
  /** Called when the view changes (crosshairs, window, zoom, slab). */
  onChange: () => void = () => undefined;

  constructor() {
    sequence += 1;
    this.volumeId = `cornerstoneStreamingImageVolume:filmless-mpr-${sequence}`;
    this.toolGroupId = `filmless-mpr-tools-${sequence}`;
    this.viewportIds = {
      axial: `filmless-mpr-${sequence}-axial`,
      sagittal: `filmless-mpr-${sequence}-sagittal`,
      coronal: `filmless-mpr-${sequence}-coronal`,
    };
  }

  /**
   * Builds the volume from a stack's image IDs and shows it in the three elements (axial, sagittal,
   * coronal). Resolves once the volume is on screen (its slices keep streaming in from the cache).
   * `sourceViewportId` is the stack viewport whose extra tools (measurements) MPR takes over; `window`
   * the window (modality units) the stack shows, which the three views start with.
   */
  async open(elements: Record<MprPlane, HTMLDivElement>, imageIds: string[], sourceViewportId?: string, window?: { center: number; width: number }): Promise<void> {
    const engine = (this.engine = await getSharedEngine());
    if (this.closed) return this.close(); // closed while this was on its way: nothing may stay behind
    const volume = await volumeLoader.createAndCacheVolume(this.volumeId, { imageIds });
    if (this.closed) return this.close(); // closed while this was on its way: nothing may stay behind
    // Cornerstone refuses to create volume viewports while its CPU flag is up; the flag is read when a
    // viewport is created, so lowering it for this moment leaves every stack on the renderer it has.
    const cpu = getShouldUseCPURendering();
    if (cpu) setUseCPURendering(false, false);
    try {
      for (const plane of MPR_PLANES) {
        engine.enableElement({
          viewportId: this.viewportIds[plane],
          type: CoreEnums.ViewportType.ORTHOGRAPHIC,
          element: elements[plane],
          defaultOptions: { orientation: ORIENTATION[plane], background: MPR_BACKGROUND as Types.Point3 },
        });
      }
    } finally {
      if (cpu) setUseCPURendering(true, false);
    }
    this.elements = MPR_PLANES.map((plane) => elements[plane]);
    volume.load();
    await setVolumesForViewports(engine, [{ volumeId: this.volumeId }], MPR_PLANES.map((plane) => this.viewportIds[plane]));
    if (this.closed) return this.close(); // closed while this was on its way: nothing may stay behind
    this.bindTools(sourceViewportId);
    if (window && window.width > 0 && Number.isFinite(window.center)) {
      const voiRange = utilities.windowLevel.toLowHighRange(window.width, window.center);
      for (const plane of MPR_PLANES) this.viewport(plane)?.setProperties({ voiRange });
    }
    for (const element of this.elements) {
      for (const event of [CoreEnums.Events.CAMERA_MODIFIED, CoreEnums.Events.VOI_MODIFIED]) element.addEventListener(event, this.changed);
    }
    const rendered = Promise.all(this.elements.map((element) => new Promise((resolve) => element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, resolve, { once: true }))));
    engine.renderViewports(Object.values(this.viewportIds));
    await rendered;
    for (const plane of MPR_PLANES) {
      const viewport = this.viewport(plane);
      if (viewport) this.initialParallelScale.set(plane, viewport.getCamera().parallelScale ?? 1);
    }
    this.applySlab();
    this.changed();
  }

  /** Slab thickness (mm, 0 = one slice) and how its slices combine; applied to the three views. */
  setSlab(thickness: number, mode: SlabMode): void {
    if (!Number.isFinite(thickness) || thickness < 0 || !(mode in BLEND)) return;
    this.slab = { thickness, mode };
    this.applySlab();
    this.changed();
  }

  /** Sets the window (modality units) of the three views, e.g. a preset chosen while MPR is open. */
  setWindow(center: number, width: number): void {
    if (!(width > 0) || !Number.isFinite(center) || !this.engine) return;
    const voiRange = utilities.windowLevel.toLowHighRange(width, center);
    for (const plane of MPR_PLANES) this.viewport(plane)?.setProperties({ voiRange });
    this.engine.renderViewports(Object.values(this.viewportIds));
    this.changed();
  }

  /** Moves the crosshairs (the three planes) to a patient position, mm. */
  setCenter(point: [number, number, number]): void {
    if (!point.every(Number.isFinite)) return;
    this.crosshairs()?.setToolCenter(point as Types.Point3);
    this.engine?.renderViewports(Object.values(this.viewportIds));
    this.changed();
  }

  /** Copies the tools a stack viewport's group has beyond navigation (e.g. measurements) to MPR, with their bindings. */
  adoptTools(sourceViewportId: string | undefined): void {
    const group = ToolGroupManager.getToolGroup(this.toolGroupId);
    const engine = this.engine;
    if (!group || !engine || !sourceViewportId) return;
    const source = ToolGroupManager.getToolGroupForViewport(sourceViewportId, engine.id);
    if (!source) return;
    const sourceOptions = source.toolOptions as Record<string, { mode?: string; bindings?: ToolBinding[] }>;
    const signature = JSON.stringify(sourceOptions);
    if (signature === this.adoptedSignature) return;
    this.adoptedSignature = signature;
    let primaryTaken = false;
    for (const [name, options] of Object.entries(sourceOptions)) {
      if (OWN_TOOLS.has(name)) continue;
      if (!group.hasTool(name)) group.addTool(name);
      const bindings = options.bindings ?? [];
      if (options.mode === ToolEnums.ToolModes.Active && bindings.length > 0) {
        group.setToolActive(name, { bindings });
        if (bindings.some((binding) => binding.mouseButton === ToolEnums.MouseBindings.Primary && !binding.modifierKey)) primaryTaken = true;
      } else if (options.mode === ToolEnums.ToolModes.Active || options.mode === ToolEnums.ToolModes.Passive) {
        group.setToolPassive(name, { removeAllBindings: true });
      }
    }
    // The crosshairs keep the left button unless a measurement tool was chosen for it.
    if (primaryTaken) group.setToolPassive(CrosshairsTool.toolName, { removeAllBindings: true });
    else group.setToolActive(CrosshairsTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
  }

  state(): MprState | undefined {
    const center = this.crosshairs()?.toolCenter;
    if (!center || !this.engine) return undefined;
    const viewports: MprViewportState[] = [];
    for (const plane of MPR_PLANES) {
      const viewport = this.viewport(plane);
      if (!viewport) return undefined;
      const camera = viewport.getCamera();
      const voiRange = viewport.getProperties()?.voiRange;
      const window = voiRange ? utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper) : { windowCenter: 0, windowWidth: 0 };
      const initial = this.initialParallelScale.get(plane) ?? camera.parallelScale ?? 1;
      viewports.push({
        plane,
        normal: triple(camera.viewPlaneNormal),
        viewUp: triple(camera.viewUp),
        focalPoint: triple(camera.focalPoint),
        windowCenter: window.windowCenter,
        windowWidth: window.windowWidth,
        zoom: camera.parallelScale ? initial / camera.parallelScale : 1,
      });
    }
    return { center: triple(center), slabThickness: this.slab.thickness, slabMode: this.slab.mode, viewports };
  }

  /** The modality value (CT: HU) of the volume's voxel nearest a patient position; undefined outside it. */
  valueAt(point: [number, number, number]): number | undefined {
    const volume = cache.getVolume(this.volumeId);
    if (!volume?.imageData || !point.every(Number.isFinite)) return undefined;
    const [i, j, k] = utilities.transformWorldToIndex(volume.imageData, point as Types.Point3) as [number, number, number];
    const [x, y, z] = volume.dimensions;
    if (i < 0 || j < 0 || k < 0 || i >= x || j >= y || k >= z) return undefined;
    const value = volume.voxelManager?.getAtIJK(i, j, k) as number | undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  /** Patient position (mm) to CSS pixels of one view's element. */
  worldToCanvas(plane: MprPlane, point: [number, number, number]): [number, number] | undefined {
    const canvasPoint = this.viewport(plane)?.worldToCanvas(point as Types.Point3);
    return canvasPoint ? [canvasPoint[0], canvasPoint[1]] : undefined;
  }

  /** Releases the three viewports, the tool group and the volume (the stack's images stay cached). */
  close(): void {
    this.closed = true;
    for (const element of this.elements) {
      for (const event of [CoreEnums.Events.CAMERA_MODIFIED, CoreEnums.Events.VOI_MODIFIED]) element.removeEventListener(event, this.changed);
    }
    ToolGroupManager.destroyToolGroup(this.toolGroupId);
    for (const id of Object.values(this.viewportIds)) {
      if (this.engine?.getViewport(id)) this.engine.disableElement(id);
    }
    // The volume's slices are the stack's cached images: removing the volume (which also cancels its
    // loading) keeps them. Not volume.destroy(): slices still arriving would then meet a volume without
    // its data.
    if (cache.getVolumeLoadObject(this.volumeId)) cache.removeVolumeLoadObject(this.volumeId);
    this.elements = [];
  }

  /** Resizes the views after their elements changed size. */
  resize(): void {
    this.engine?.resize(true, true);
  }

  private viewport(plane: MprPlane): Types.IVolumeViewport | undefined {
    return this.engine?.getViewport(this.viewportIds[plane]) as Types.IVolumeViewport | undefined;
  }

  private crosshairs(): CrosshairsTool | undefined {
    return ToolGroupManager.getToolGroup(this.toolGroupId)?.getToolInstance(CrosshairsTool.toolName) as CrosshairsTool | undefined;
  }

  private applySlab(): void {
    for (const plane of MPR_PLANES) {
      const viewport = this.viewport(plane);
      if (!viewport) continue;
      const thick = this.slab.thickness > 0;
      viewport.setBlendMode(thick ? BLEND[this.slab.mode] : CoreEnums.BlendModes.COMPOSITE, undefined, false);
      viewport.setSlabThickness(thick ? this.slab.thickness : 0.1);
    }
    this.engine?.renderViewports(Object.values(this.viewportIds));
  }

  private bindTools(sourceViewportId: string | undefined): void {
    if (!crosshairsAdded) {
      addTool(CrosshairsTool);
      crosshairsAdded = true;
    }
    const group = ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!group) return;
    const { MouseBindings, KeyboardBindings } = ToolEnums;
    group.addTool(StackScrollTool.toolName);
    group.addTool(PanTool.toolName);
    group.addTool(ZoomTool.toolName);
    group.addTool(WindowLevelTool.toolName);
    group.addTool(CrosshairsTool.toolName, {
      getReferenceLineColor: (viewportId: string) => PLANE_COLOURS[MPR_PLANES.find((plane) => this.viewportIds[plane] === viewportId) ?? ''] ?? 'rgb(200, 200, 200)',
      getReferenceLineControllable: () => true,
      getReferenceLineDraggableRotatable: () => true,
      getReferenceLineSlabThicknessControlsOn: () => true,
    });
    for (const plane of MPR_PLANES) group.addViewport(this.viewportIds[plane], this.engine!.id);
    group.setToolActive(CrosshairsTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
    group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift }] });
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
    this.adoptTools(sourceViewportId);
  }

  private readonly changed = (): void => {
    if (!this.closed) this.onChange();
  };
}

function triple(value: ArrayLike<number> | undefined): [number, number, number] {
  return value ? [value[0] ?? 0, value[1] ?? 0, value[2] ?? 0] : [0, 0, 0];
}
