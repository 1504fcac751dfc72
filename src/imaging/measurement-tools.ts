/**
 * The measurement tools on a stack viewport: Cornerstone's annotation tools draw and edit them (length,
 * angle, Cobb angle, ellipse and rectangle ROI, probe, arrow with a label, eraser), and this module turns
 * Cornerstone's annotations into measurements: image points, patient points, values computed by
 * measurement-values.ts from the file's pixel spacing and modality values. The text drawn beside each
 * annotation is that same computation, so what the screen shows is what the API reports.
 */
import { type StackViewport, type Types, cache, eventTarget, metaData, utilities } from '@cornerstonejs/core';
import { wadors } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool,
  ArrowAnnotateTool,
  CobbAngleTool,
  EllipticalROITool,
  Enums as ToolEnums,
  EraserTool,
  LengthTool,
  ProbeTool,
  RectangleROITool,
  ToolGroupManager,
  type Types as ToolTypes,
  addTool,
  annotation as annotationApi,
} from '@cornerstonejs/tools';
import { type DicomJsonDataset, Tag, numberValues, sequenceItems, stringValue } from '../dicomweb/dicom-json.js';
import { loadAndCacheFrame } from './frame-loader.js';
import {
  type Calibration,
  type ImagePoint,
  type MeasurementKind,
  type ModalityImage,
  type PixelGeometry,
  type RegionStats,
  angleOf,
  cobbAngleOf,
  lengthOf,
  lengthUnit,
  pixelGeometry,
  regionStats,
  validPoints,
} from './measurement-values.js';

/** A tool of the left mouse button that makes or removes measurements. */
export type MeasurementTool = MeasurementKind | 'eraser';

const TOOL_CLASSES = {
  length: LengthTool,
  angle: AngleTool,
  cobbAngle: CobbAngleTool,
  ellipseRoi: EllipticalROITool,
  rectangleRoi: RectangleROITool,
  probe: ProbeTool,
  arrow: ArrowAnnotateTool,
  eraser: EraserTool,
} as const;

/** Cornerstone's tool name for each measurement tool. */
export const MEASUREMENT_TOOL_NAMES = Object.fromEntries(Object.entries(TOOL_CLASSES).map(([tool, cls]) => [tool, cls.toolName])) as Record<MeasurementTool, string>;

const KIND_OF_TOOL = new Map<string, MeasurementKind>(
  Object.entries(TOOL_CLASSES)
    .filter(([tool]) => tool !== 'eraser')
    .map(([tool, cls]) => [cls.toolName, tool as MeasurementKind]),
);

/** Registers the tools with Cornerstone (once per page, with the runtime). */
export function registerMeasurementTools(): void {
  for (const tool of Object.values(TOOL_CLASSES)) addTool(tool);
}

/** One measurement as this viewport knows it (the element adds study and series). */
export interface ImageMeasurement {
  id: string;
  kind: MeasurementKind;
  /** 0-based index of its image in the stack shown. */
  imageIndex: number;
  sopInstanceUID: string;
  /** 1-based frame number in its instance. */
  frame: number;
  /** Patient coordinates (mm) of its points; for images without a position, the image plane's. */
  points: [number, number, number][];
  /** Image pixel coordinates of its points, `[column, row]`, pixel centres on whole numbers. */
  imagePoints: ImagePoint[];
  /** Length (mm or px), angle (degrees), ROI mean or probe value (modality units); absent for arrows. */
  value?: number;
  unit: string;
  calibration: Calibration;
  stats?: RegionStats;
  label?: string;
}

export type MeasurementAction = 'add' | 'change' | 'remove';

/** What the element supplies: the localized text beside an annotation and the label prompt of arrows. */
export interface MeasurementPresentation {
  textLines(measurement: ImageMeasurement): string[];
  askLabel(current: string, done: (label: string | undefined) => void): void;
}

type Annotation = ToolTypes.Annotation & { data: { handles: { points: Types.Point3[] }; label?: string } };
type Vec3 = [number, number, number];

interface PlaneGeometry {
  origin: Vec3;
  rowCosines: Vec3;
  columnCosines: Vec3;
  /** Cornerstone's world spacing along a row (between columns) and along a column (between rows). */
  columnSpacing: number;
  rowSpacing: number;
}

const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;

/** The image plane as Cornerstone places the image in world space (see its getImageDataMetadata). */
function planeOf(imageId: string): PlaneGeometry {
  const plane = (metaData.get('imagePlaneModule', imageId) ?? {}) as {
    imagePositionPatient?: number[];
    rowCosines?: number[];
    columnCosines?: number[];
    rowPixelSpacing?: number;
    columnPixelSpacing?: number;
  };
  const image = cache.getImage(imageId);
  const cosines = plane.rowCosines && plane.columnCosines;
  return {
    origin: (plane.imagePositionPatient?.slice(0, 3) as Vec3 | undefined) ?? [0, 0, 0],
    rowCosines: (cosines ? plane.rowCosines!.slice(0, 3) : [1, 0, 0]) as Vec3,
    columnCosines: (cosines ? plane.columnCosines!.slice(0, 3) : [0, 1, 0]) as Vec3,
    columnSpacing: plane.columnPixelSpacing || image?.columnPixelSpacing || 1,
    rowSpacing: plane.rowPixelSpacing || image?.rowPixelSpacing || 1,
  };
}

function toImage(plane: PlaneGeometry, world: readonly number[]): ImagePoint {
  const offset = [world[0]! - plane.origin[0], world[1]! - plane.origin[1], world[2]! - plane.origin[2]];
  return [dot(offset, plane.rowCosines) / plane.columnSpacing, dot(offset, plane.columnCosines) / plane.rowSpacing];
}

function toWorld(plane: PlaneGeometry, [column, row]: ImagePoint): Vec3 {
  const along = column * plane.columnSpacing;
  const down = row * plane.rowSpacing;
  return [0, 1, 2].map((axis) => plane.origin[axis]! + along * plane.rowCosines[axis]! + down * plane.columnCosines[axis]!) as Vec3;
}

/** The DICOM JSON of an image, as the frame loader registered it with Cornerstone's WADO-RS loader. */
function dicomJsonOf(imageId: string): DicomJsonDataset | undefined {
  return wadors.metaDataManager.get(imageId) as unknown as DicomJsonDataset | undefined;
}

/** A DS pair, also when a server sends it as one backslash-separated string. */
function dsValues(dataset: DicomJsonDataset | undefined, tag: string): number[] {
  const values = dataset?.[tag]?.Value ?? [];
  if (values.length === 1 && typeof values[0] === 'string') return values[0].split('\\').map(Number).filter(Number.isFinite);
  return numberValues(dataset, tag);
}

/** Spacing attributes at the top level, else in the frame's (or shared) pixel measures functional group. */
function spacingValues(instance: DicomJsonDataset | undefined, tag: string, frame: number): number[] {
  const top = dsValues(instance, tag);
  if (top.length >= 2) return top;
  for (const group of [sequenceItems(instance, '52009230')[frame - 1], sequenceItems(instance, '52009229')[0]]) {
    const measures = sequenceItems(group, '00289110')[0];
    const value = dsValues(measures, tag);
    if (value.length >= 2) return value;
  }
  return [];
}

/** The unit of modality values: Hounsfield units for CT, else the file's Rescale Type, else none. */
function modalityUnit(instance: DicomJsonDataset | undefined): string {
  if (stringValue(instance, Tag.Modality) === 'CT') return 'HU';
  const rescaleType = stringValue(instance, '00281054');
  return rescaleType && rescaleType !== 'US' ? rescaleType : '';
}

/** The modality values of a decoded image in Cornerstone's cache (colour: the mean of its samples). */
function modalityImage(imageId: string): ModalityImage | undefined {
  const image = cache.getImage(imageId);
  if (!image) return undefined;
  const pixels = image.voxelManager?.getScalarData() ?? image.getPixelData();
  const components = image.numberOfComponents ?? 1;
  const scaled = image.preScale?.scaled === true;
  const slope = scaled ? 1 : (image.slope ?? 1);
  const intercept = scaled ? 0 : (image.intercept ?? 0);
  return {
    columns: image.columns,
    rows: image.rows,
    valueAt: (column, row) => {
      const at = (row * image.columns + column) * components;
      let sum = 0;
      for (let c = 0; c < components; c++) sum += Number(pixels[at + c]);
      return (sum / components) * slope + intercept;
    },
  };
}

/** `filmless:<source>/instances/<SOP>/frames/<n>` to SOP Instance UID and frame. */
function parseImageId(imageId: string): { sopInstanceUID: string; frame: number } {
  const match = /\/instances\/([^/]+)\/frames\/(\d+)$/.exec(imageId);
  return { sopInstanceUID: match?.[1] ?? '', frame: Number(match?.[2] ?? 1) };
}

/** The handle points Cornerstone's tool keeps for a measurement's image points (ROIs: from their box). */
function handlePoints(kind: MeasurementKind, points: ImagePoint[]): ImagePoint[] {
  if (kind !== 'ellipseRoi' && kind !== 'rectangleRoi') return points;
  const [[c0, r0], [c1, r1]] = points as [ImagePoint, ImagePoint];
  const [left, right, top, bottom] = [Math.min(c0, c1), Math.max(c0, c1), Math.min(r0, r1), Math.max(r0, r1)];
  if (kind === 'rectangleRoi') return [[left, top], [right, top], [left, bottom], [right, bottom]];
  const [column, row] = [(left + right) / 2, (top + bottom) / 2];
  return [[column, top], [column, bottom], [left, row], [right, row]];
}

/** The image points a measurement reports for Cornerstone's handles (ROIs: two corners of their box). */
function reportedPoints(kind: MeasurementKind, handles: ImagePoint[]): ImagePoint[] {
  if (kind !== 'ellipseRoi' && kind !== 'rectangleRoi') return handles;
  const columns = handles.map((p) => p[0]);
  const rows = handles.map((p) => p[1]);
  return [
    [Math.min(...columns), Math.min(...rows)],
    [Math.max(...columns), Math.max(...rows)],
  ];
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * One stack viewport's measurements: listens to Cornerstone's annotation events for the images of its
 * stack, computes each measurement, and adds, selects and removes them for the element.
 */
export class MeasurementLayer {
  /** A measurement was made, edited or removed (by the user, the eraser, or the element). */
  onChange: (action: MeasurementAction, measurement: ImageMeasurement) => void = () => undefined;
  /** The selected annotation changed (a click on it, or `select`). */
  onSelect: (id: string | undefined) => void = () => undefined;
  presentation: MeasurementPresentation = {
    textLines: (m) => (m.value === undefined ? [] : [`${m.value.toFixed(1)} ${m.unit}`]),
    askLabel: (current, done) => done(prompt('', current) ?? undefined),
  };

  private viewport: () => StackViewport | undefined = () => undefined;
  /** Measurements of this viewport by annotation UID, as last computed. */
  private readonly measured = new Map<string, ImageMeasurement>();
  /** Those announced (`add` sent): drawings in progress are not, yet. */
  private readonly published = new Set<string>();
  /** Removed by the element (series changed): no `remove` is sent. */
  private readonly quiet = new Set<string>();
  /** Which annotation's text a tool asks for (Cornerstone passes the annotation's data object). */
  private readonly byData = new WeakMap<object, string>();

  /** Starts listening; configures the text and label callbacks of this viewport's tool group. */
  attach(viewport: () => StackViewport | undefined, toolGroupId: string): void {
    this.viewport = viewport;
    const group = ToolGroupManager.getToolGroup(toolGroupId);
    const textLines = (data: object) => {
      const id = this.byData.get(data);
      const measurement = id ? this.measured.get(id) : undefined;
      return measurement ? this.presentation.textLines(measurement) : [];
    };
    for (const [tool, name] of Object.entries(MEASUREMENT_TOOL_NAMES)) {
      if (!group?.hasTool(name)) continue;
      // Cornerstone draws, and lets the user edit, the annotations of tools that are at least passive.
      group.setToolPassive(name);
      if (tool === 'eraser') continue;
      group.setToolConfiguration(name, tool === 'arrow'
        ? {
            getTextCallback: (done: (label: string | undefined) => void) => this.presentation.askLabel('', done),
            changeTextCallback: (data: { data?: { label?: string } }, _detail: unknown, done: (label: string | undefined) => void) =>
              this.presentation.askLabel(data.data?.label ?? '', (label) => done(label ?? data.data?.label ?? '')),
          }
        : { getTextLines: textLines });
    }
    const { Events } = ToolEnums;
    eventTarget.addEventListener(Events.ANNOTATION_ADDED, this.handleAdded);
    eventTarget.addEventListener(Events.ANNOTATION_MODIFIED, this.handleModified);
    eventTarget.addEventListener(Events.ANNOTATION_COMPLETED, this.handleCompleted);
    eventTarget.addEventListener(Events.ANNOTATION_REMOVED, this.handleRemoved);
    eventTarget.addEventListener(Events.ANNOTATION_SELECTION_CHANGE, this.handleSelection);
  }

  detach(): void {
    const { Events } = ToolEnums;
    eventTarget.removeEventListener(Events.ANNOTATION_ADDED, this.handleAdded);
    eventTarget.removeEventListener(Events.ANNOTATION_MODIFIED, this.handleModified);
    eventTarget.removeEventListener(Events.ANNOTATION_COMPLETED, this.handleCompleted);
    eventTarget.removeEventListener(Events.ANNOTATION_REMOVED, this.handleRemoved);
    eventTarget.removeEventListener(Events.ANNOTATION_SELECTION_CHANGE, this.handleSelection);
    this.clear();
    this.viewport = () => undefined;
  }

  /** The measurements on this viewport's stack. */
  list(): ImageMeasurement[] {
    return [...this.measured.values()].filter((m) => this.published.has(m.id));
  }

  /**
   * Adds a measurement on image `imageIndex` of the stack, from image pixel coordinates; returns it, or
   * undefined when the kind, image or points are not usable. `id` keeps a measurement's identity when
   * it is shown again (another series was shown in between).
   */
  add(kind: MeasurementKind, imageIndex: number, imagePoints: ImagePoint[], label?: string, id?: string): ImageMeasurement | undefined {
    const viewport = this.viewport();
    const imageId = viewport?.getImageIds()[imageIndex];
    const ToolClass = TOOL_CLASSES[kind];
    if (!viewport || !imageId || !ToolClass || !validPoints(kind, imagePoints)) return undefined;
    if (id && annotationApi.state.getAnnotation(id)) return this.measured.get(id);
    const plane = planeOf(imageId);
    const points = handlePoints(kind, imagePoints.map((p) => [Number(p[0]), Number(p[1])] as ImagePoint)).map((p) => toWorld(plane, p));
    const normal: Vec3 = [
      plane.rowCosines[1] * plane.columnCosines[2] - plane.rowCosines[2] * plane.columnCosines[1],
      plane.rowCosines[2] * plane.columnCosines[0] - plane.rowCosines[0] * plane.columnCosines[2],
      plane.rowCosines[0] * plane.columnCosines[1] - plane.rowCosines[1] * plane.columnCosines[0],
    ];
    const annotation = (ToolClass as unknown as { createAnnotation(...data: unknown[]): Annotation }).createAnnotation({
      annotationUID: id || utilities.uuidv4(),
      highlighted: false,
      invalidated: true,
      metadata: {
        toolName: ToolClass.toolName,
        FrameOfReferenceUID: viewport.getFrameOfReferenceUID(),
        referencedImageId: imageId,
        viewPlaneNormal: normal,
        viewUp: [-plane.columnCosines[0], -plane.columnCosines[1], -plane.columnCosines[2]],
      },
      data: { handles: { points }, label: kind === 'arrow' ? (label ?? '') : '' },
    });
    annotation.data.handles.points = points as Types.Point3[];
    const uid = annotation.annotationUID!;
    if (label && kind !== 'arrow') this.labels.set(uid, label);
    annotationApi.state.addAnnotation(annotation, viewport.element);
    const stored = (annotationApi.state.getAnnotation(uid) as Annotation | undefined) ?? annotation;
    const measurement = this.measure(stored);
    if (!measurement) return undefined;
    this.published.add(uid);
    this.render();
    this.onChange('add', measurement);
    return measurement;
  }

  /** Labels of measurements other than arrows (the API allows one on every kind). */
  private readonly labels = new Map<string, string>();

  /** Removes a measurement of this viewport (a `remove` follows); false when it is not here. */
  remove(id: string): boolean {
    if (!this.measured.has(id)) return false;
    annotationApi.state.removeAnnotation(id);
    this.render();
    return true;
  }

  /** Removes every measurement of this viewport from Cornerstone, without `remove` (the series changed). */
  clear(): void {
    for (const id of [...this.measured.keys()]) {
      this.quiet.add(id);
      annotationApi.state.removeAnnotation(id);
    }
    this.measured.clear();
    this.published.clear();
    this.quiet.clear();
    this.render();
  }

  /** Removes measurements whose images are no longer in the stack (another series is shown), quietly. */
  dropStale(): void {
    const ids = new Set(this.viewport()?.getImageIds() ?? []);
    for (const [id, measurement] of this.measured) {
      const annotation = annotationApi.state.getAnnotation(id);
      if (annotation && ids.has(annotation.metadata?.referencedImageId ?? '')) continue;
      this.quiet.add(id);
      annotationApi.state.removeAnnotation(id);
      this.measured.delete(id);
      this.published.delete(id);
      void measurement;
    }
  }

  /** Shows a measurement's image and selects it (its handles are drawn as selected). */
  select(id: string | undefined): void {
    const viewport = this.viewport();
    if (!viewport) return;
    for (const uid of annotationApi.selection.getAnnotationsSelected() ?? []) {
      if (this.measured.has(uid)) annotationApi.selection.setAnnotationSelected(uid, false, true);
    }
    const measurement = id ? this.measured.get(id) : undefined;
    if (measurement) {
      annotationApi.selection.setAnnotationSelected(measurement.id, true, true);
      if (viewport.getCurrentImageIdIndex() !== measurement.imageIndex) void viewport.setImageIdIndex(measurement.imageIndex).catch(() => undefined);
    }
    this.render();
  }

  private render(): void {
    const viewport = this.viewport();
    if (!viewport) return;
    try {
      viewport.render();
    } catch {
      // A viewport going away while a measurement changes has nothing left to draw.
    }
  }

  private isOurs(annotation: ToolTypes.Annotation | undefined): annotation is Annotation {
    const imageId = annotation?.metadata?.referencedImageId;
    if (!annotation || !imageId || !KIND_OF_TOOL.has(annotation.metadata?.toolName ?? '')) return false;
    if (this.measured.has(annotation.annotationUID ?? '')) return true;
    return this.viewport()?.getImageIds().includes(imageId) ?? false;
  }

  /** Computes a measurement from its annotation: image points, patient points, value, unit, stats. */
  private measure(annotation: Annotation): ImageMeasurement | undefined {
    const kind = KIND_OF_TOOL.get(annotation.metadata?.toolName ?? '');
    const imageId = annotation.metadata?.referencedImageId;
    const id = annotation.annotationUID;
    const viewport = this.viewport();
    if (!kind || !imageId || !id || !viewport) return undefined;
    this.byData.set(annotation.data, id);
    const plane = planeOf(imageId);
    const handles = annotation.data.handles.points.map((p: Types.Point3) => toImage(plane, p));
    const imagePoints = reportedPoints(kind, handles).map(([c, r]) => [round(c), round(r)] as ImagePoint);
    const instance = dicomJsonOf(imageId);
    const { sopInstanceUID, frame } = parseImageId(imageId);
    const geometry: PixelGeometry = pixelGeometry(spacingValues(instance, '00280030', frame), spacingValues(instance, '00181164', frame));
    const label = kind === 'arrow' ? annotation.data.label || undefined : this.labels.get(id);
    const base = {
      id,
      kind,
      imageIndex: viewport.getImageIds().indexOf(imageId),
      sopInstanceUID,
      frame,
      points: imagePoints.map((p) => toWorld(plane, p).map(round) as Vec3),
      imagePoints,
      calibration: geometry.calibration,
      ...(label ? { label } : {}),
    };
    let measurement: ImageMeasurement;
    switch (kind) {
      case 'length':
        measurement = { ...base, value: lengthOf(imagePoints, geometry), unit: lengthUnit(geometry) };
        break;
      case 'angle':
        measurement = { ...base, value: angleOf(imagePoints, geometry), unit: 'deg' };
        break;
      case 'cobbAngle':
        measurement = { ...base, value: cobbAngleOf(imagePoints, geometry), unit: 'deg' };
        break;
      case 'ellipseRoi':
      case 'rectangleRoi': {
        const image = modalityImage(imageId);
        const stats = regionStats(kind, imagePoints, geometry, image);
        if (!image) this.measureWhenLoaded(imageId, id);
        measurement = { ...base, unit: modalityUnit(instance), ...(stats ? { value: stats.mean, stats } : {}) };
        break;
      }
      case 'probe': {
        const image = modalityImage(imageId);
        const [column, row] = [Math.round(imagePoints[0]![0]), Math.round(imagePoints[0]![1])];
        const inside = image && column >= 0 && row >= 0 && column < image.columns && row < image.rows;
        if (!image) this.measureWhenLoaded(imageId, id);
        measurement = { ...base, unit: modalityUnit(instance), ...(inside ? { value: image.valueAt(column, row) } : {}) };
        break;
      }
      case 'arrow':
        measurement = { ...base, unit: '' };
        break;
    }
    this.measured.set(id, measurement);
    return measurement;
  }

  /** Region values need the image's pixels: measured again (a `change`) once it is decoded. */
  private measureWhenLoaded(imageId: string, id: string): void {
    void loadAndCacheFrame(imageId).then(
      () => {
        const annotation = annotationApi.state.getAnnotation(id) as Annotation | undefined;
        if (!annotation || !this.measured.has(id)) return;
        const measurement = this.measure(annotation);
        if (measurement && this.published.has(id)) this.onChange('change', measurement);
        this.render();
      },
      () => undefined,
    );
  }

  private readonly handleAdded = (event: Event): void => {
    const { annotation } = (event as CustomEvent<{ annotation: ToolTypes.Annotation }>).detail;
    if (this.isOurs(annotation)) this.measure(annotation);
  };

  private readonly handleModified = (event: Event): void => {
    const { annotation, changeType } = (event as CustomEvent<{ annotation: ToolTypes.Annotation; changeType?: string }>).detail;
    if (changeType === ToolEnums.ChangeTypes.StatsUpdated || !this.isOurs(annotation)) return;
    const measurement = this.measure(annotation);
    if (measurement && this.published.has(measurement.id)) this.onChange('change', measurement);
  };

  private readonly handleCompleted = (event: Event): void => {
    const { annotation } = (event as CustomEvent<{ annotation: ToolTypes.Annotation }>).detail;
    if (!this.isOurs(annotation) || this.published.has(annotation.annotationUID ?? '')) return;
    const measurement = this.measure(annotation);
    if (!measurement) return;
    this.published.add(measurement.id);
    this.onChange('add', measurement);
  };

  private readonly handleRemoved = (event: Event): void => {
    const { annotation } = (event as CustomEvent<{ annotation: ToolTypes.Annotation }>).detail;
    const id = annotation?.annotationUID ?? '';
    const measurement = this.measured.get(id);
    if (!measurement) return;
    this.measured.delete(id);
    this.labels.delete(id);
    const announce = this.published.delete(id) && !this.quiet.delete(id);
    if (announce) this.onChange('remove', measurement);
  };

  private readonly handleSelection = (event: Event): void => {
    const { selection } = (event as CustomEvent<{ selection: string[] }>).detail;
    const ours = (selection ?? []).find((uid) => this.published.has(uid));
    if (ours || (selection ?? []).length === 0) this.onSelect(ours);
  };
}
