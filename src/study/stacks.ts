/**
 * Stacks and geometry warnings. A stack is one orientation and one acquisition: the frames of a series
 * that differ in orientation, or that come back to the same positions (several echoes, phases, b-values,
 * temporal positions), are split into separate stacks, each ordered along its normal, so one scroll
 * never interleaves two acquisitions. Each stack is then checked for what can mislead a reader: missing
 * slices, a tilted gantry, lossy compression, non-square pixels, a localizer.
 */
import { type DicomJsonDataset, numberValue, numberValues, sequenceItems, stringValue, stringValues } from '../dicomweb/dicom-json.js';
import { type FrameRef, frameGeometry, isLocalizerInstance, orderFrames, sliceNormal } from './slice-order.js';
import { planeOf } from './orientation.js';
import type { SeriesWarning, StackSummary } from './types.js';

/** Attributes read here (DICOM JSON tags). */
const T = {
  EchoNumbers: '00180086',
  EchoTime: '00180081',
  TriggerTime: '00181060',
  TemporalPositionIdentifier: '00200100',
  AcquisitionNumber: '00200012',
  DiffusionBValue: '00189087',
  DiffusionGradientOrientation: '00189089',
  LossyImageCompression: '00282110',
  PixelSpacing: '00280030',
  PixelAspectRatio: '00280034',
  SliceThickness: '00180050',
  SliceLocation: '00201041',
  TransferSyntaxUID: '00020010',
  AvailableTransferSyntaxUID: '00083002',
  // Enhanced multi-frame functional groups.
  FrameContentSequence: '00209111',
  TemporalPositionIndex: '00209128',
  StackID: '00209056',
  MREchoSequence: '00189114',
  EffectiveEchoTime: '00189082',
  MRDiffusionSequence: '00189117',
  DiffusionGradientDirectionSequence: '00189076',
  CardiacSynchronizationSequence: '00189118',
  NominalCardiacTriggerDelayTime: '00209153',
  PixelMeasuresSequence: '00289110',
} as const;

/** One stack of a series: its frames in scroll order, and what it is. */
export interface Stack {
  frames: FrameRef[];
  /** ImageOrientationPatient of its frames (of the first one that has it). */
  orientation: number[] | undefined;
  warnings: SeriesWarning[];
}

/** Transfer syntaxes whose pixels are not the original's (JPEG lossy processes, JPEG-LS near-lossless, JPEG 2000 lossy, HTJ2K lossy, video). */
const LOSSY_TRANSFER_SYNTAXES = new Set([
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.52',
  '1.2.840.10008.1.2.4.53',
  '1.2.840.10008.1.2.4.54',
  '1.2.840.10008.1.2.4.55',
  '1.2.840.10008.1.2.4.56',
  '1.2.840.10008.1.2.4.59',
  '1.2.840.10008.1.2.4.60',
  '1.2.840.10008.1.2.4.61',
  '1.2.840.10008.1.2.4.62',
  '1.2.840.10008.1.2.4.63',
  '1.2.840.10008.1.2.4.64',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.93',
  '1.2.840.10008.1.2.4.100',
  '1.2.840.10008.1.2.4.101',
  '1.2.840.10008.1.2.4.102',
  '1.2.840.10008.1.2.4.103',
  '1.2.840.10008.1.2.4.104',
  '1.2.840.10008.1.2.4.105',
  '1.2.840.10008.1.2.4.106',
  '1.2.840.10008.1.2.4.107',
  '1.2.840.10008.1.2.4.108',
  '1.2.840.10008.1.2.4.203',
]);

/** True for a transfer syntax that loses information (JPEG baseline, JPEG 2000 lossy, near-lossless JPEG-LS…). */
export function isLossyTransferSyntax(uid: string): boolean {
  return LOSSY_TRANSFER_SYNTAXES.has(uid.trim());
}

/** A functional group of a frame: the per-frame item, else the shared one. */
function group(instance: DicomJsonDataset, frameIndex: number, sequenceTag: string): DicomJsonDataset | undefined {
  const perFrame = sequenceItems(instance, '52009230')[frameIndex];
  return sequenceItems(perFrame, sequenceTag)[0] ?? sequenceItems(sequenceItems(instance, '52009229')[0], sequenceTag)[0];
}

/** What may tell two acquisitions at the same positions apart, most specific first. */
const DISCRIMINATORS: { name: string; of: (frame: FrameRef) => string }[] = [
  {
    name: 'echo',
    of: ({ instance, frameNumber }) =>
      numberValues(instance, T.EchoNumbers).join('/') ||
      String(numberValue(group(instance, frameNumber - 1, T.MREchoSequence), T.EffectiveEchoTime) ?? numberValue(instance, T.EchoTime) ?? ''),
  },
  {
    name: 'diffusion',
    of: ({ instance, frameNumber }) => {
      const diffusion = group(instance, frameNumber - 1, T.MRDiffusionSequence);
      const b = numberValue(diffusion, T.DiffusionBValue) ?? numberValue(instance, T.DiffusionBValue);
      const direction = numberValues(sequenceItems(diffusion, T.DiffusionGradientDirectionSequence)[0], T.DiffusionGradientOrientation);
      const classic = numberValues(instance, T.DiffusionGradientOrientation);
      const d = (direction.length ? direction : classic).map((v) => v.toFixed(3)).join(',');
      return b === undefined ? '' : `${b}|${d}`;
    },
  },
  {
    name: 'temporal',
    of: ({ instance, frameNumber }) =>
      String(numberValue(group(instance, frameNumber - 1, T.FrameContentSequence), T.TemporalPositionIndex) ?? numberValue(instance, T.TemporalPositionIdentifier) ?? ''),
  },
  {
    name: 'phase',
    of: ({ instance, frameNumber }) =>
      String(numberValue(group(instance, frameNumber - 1, T.CardiacSynchronizationSequence), T.NominalCardiacTriggerDelayTime) ?? numberValue(instance, T.TriggerTime) ?? ''),
  },
  {
    name: 'stack',
    of: ({ instance, frameNumber }) => stringValue(group(instance, frameNumber - 1, T.FrameContentSequence), T.StackID),
  },
  { name: 'acquisition', of: ({ instance }) => String(numberValue(instance, T.AcquisitionNumber) ?? '') },
];

const POSITION_TOLERANCE_MM = 0.01;

/** A key for a position along the normal, equal for positions within the tolerance. */
const positionKey = (frame: FrameRef) => (frame.position === undefined ? undefined : Math.round(frame.position / POSITION_TOLERANCE_MM));

function repeatsPositions(frames: FrameRef[]): boolean {
  const seen = new Set<number>();
  for (const frame of frames) {
    const key = positionKey(frame);
    if (key === undefined) continue;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function groupBy(frames: FrameRef[], key: (frame: FrameRef) => string): FrameRef[][] {
  const groups = new Map<string, FrameRef[]>();
  for (const frame of frames) {
    const k = key(frame);
    const list = groups.get(k);
    if (list) list.push(frame);
    else groups.set(k, [frame]);
  }
  return [...groups.values()];
}

/** Frames grouped by orientation: two orientations are one when every direction cosine agrees within 0.01 (about half a degree). */
function byOrientation(frames: FrameRef[]): { orientation: number[] | undefined; frames: FrameRef[] }[] {
  const groups: { orientation: number[] | undefined; frames: FrameRef[] }[] = [];
  for (const frame of frames) {
    const { iop } = frameGeometry(frame.instance, frame.frameNumber - 1);
    const orientation = iop.length === 6 && sliceNormal(iop) ? iop : undefined;
    const same = groups.find((g) =>
      g.orientation === undefined || orientation === undefined
        ? g.orientation === orientation
        : g.orientation.every((v, i) => Math.abs(v - orientation[i]!) < 0.01),
    );
    if (same) same.frames.push(frame);
    else groups.push({ orientation, frames: [frame] });
  }
  return groups;
}

/**
 * Splits frames that come back to the same positions. The first attribute (echo, diffusion, temporal
 * position, cardiac phase, enhanced StackID, acquisition) that leaves no position repeated within a
 * group decides; failing all, the n-th frame at each position (in instance and frame number order)
 * goes to the n-th stack, which still never interleaves.
 */
function byAcquisition(frames: FrameRef[]): FrameRef[][] {
  if (!repeatsPositions(frames)) return [frames];
  for (const discriminator of DISCRIMINATORS) {
    const groups = groupBy(frames, discriminator.of);
    if (groups.length > 1 && groups.every((g) => !repeatsPositions(g))) {
      return groups.sort((a, b) => compareValues(discriminator.of(a[0]!), discriminator.of(b[0]!)));
    }
  }
  const byNumber = [...frames].sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || a.frameNumber - b.frameNumber);
  const occurrences = new Map<number, number>();
  const stacks: FrameRef[][] = [];
  for (const frame of byNumber) {
    const key = positionKey(frame);
    const n = key === undefined ? 0 : (occurrences.get(key) ?? 0);
    if (key !== undefined) occurrences.set(key, n + 1);
    (stacks[n] ??= []).push(frame);
  }
  return stacks;
}

/** Orders discriminator values numerically where they are numbers (echo 2 before echo 10). */
function compareValues(a: string, b: string): number {
  const x = Number(a.split(/[|/]/)[0]);
  const y = Number(b.split(/[|/]/)[0]);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a.localeCompare(b);
}

/**
 * The stacks of a series' frames: one per orientation and acquisition, each in scroll order (see
 * orderFrames), in the order of their first frame's instance number, with their warnings.
 * `transferSyntaxUID` is the series' transfer syntax as stored, when known.
 */
export function splitStacks(frames: FrameRef[], transferSyntaxUID = ''): Stack[] {
  const stacks: Stack[] = [];
  for (const oriented of byOrientation(frames)) {
    for (const acquisition of byAcquisition(oriented.frames)) {
      const ordered = orderFrames(acquisition);
      stacks.push({ frames: ordered, orientation: oriented.orientation, warnings: stackWarnings(ordered, transferSyntaxUID) });
    }
  }
  const firstNumber = (stack: Stack) => Math.min(...stack.frames.map((f) => (f.instanceNumber ?? 0) * 1e5 + f.frameNumber));
  return stacks.sort((a, b) => firstNumber(a) - firstNumber(b));
}

/** The stack shown by default: the largest (the first of equals). */
export function largestStack(imageCounts: number[]): number {
  let best = 0;
  imageCounts.forEach((count, index) => {
    if (count > imageCounts[best]!) best = index;
  });
  return best;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Pixel spacing of a frame (row spacing, column spacing), from the frame's functional group or the instance. */
export function pixelSpacing(frame: FrameRef): number[] {
  const measures = group(frame.instance, frame.frameNumber - 1, T.PixelMeasuresSequence);
  const values = numberValues(measures, T.PixelSpacing);
  return values.length === 2 ? values : numberValues(frame.instance, T.PixelSpacing);
}

/** Slice thickness of a frame in mm, when the file gives it. */
export function sliceThickness(frame: FrameRef): number | undefined {
  const measures = group(frame.instance, frame.frameNumber - 1, T.PixelMeasuresSequence);
  const value = numberValue(measures, T.SliceThickness) ?? numberValue(frame.instance, T.SliceThickness);
  return value !== undefined && value > 0 ? value : undefined;
}

/**
 * Slice location of a frame in mm: the file's SliceLocation for single-frame images, else the position
 * along the slice normal (what SliceLocation means), when the geometry is known.
 */
export function sliceLocation(frame: FrameRef): number | undefined {
  const stored = numberValue(frame.instance, T.SliceLocation);
  const singleFrame = (numberValue(frame.instance, '00280008') ?? 1) <= 1;
  return singleFrame && stored !== undefined ? stored : frame.position;
}

/** The warnings of one stack, frames in scroll order. */
export function stackWarnings(frames: FrameRef[], transferSyntaxUID = ''): SeriesWarning[] {
  const warnings: SeriesWarning[] = [];
  const geometry = frames
    .map((frame) => ({ frame, ...frameGeometry(frame.instance, frame.frameNumber - 1) }))
    .filter((g) => g.frame.position !== undefined && g.ipp.length === 3);
  if (geometry.length >= 3) {
    const gaps = geometry.slice(1).map((g, i) => Math.abs(g.frame.position! - geometry[i]!.frame.position!));
    const typical = median(gaps);
    if (typical > 1e-3 && gaps.some((gap) => Math.abs(gap - typical) > 0.1 * typical)) warnings.push('missing-slices');
  }
  if (geometry.length >= 2) {
    // Positions must run along the normal: the line from the first to the last position, against the normal.
    const first = geometry[0]!;
    const last = geometry[geometry.length - 1]!;
    const normal = sliceNormal(first.iop);
    const d = [last.ipp[0]! - first.ipp[0]!, last.ipp[1]! - first.ipp[1]!, last.ipp[2]! - first.ipp[2]!];
    const length = Math.hypot(d[0]!, d[1]!, d[2]!);
    if (normal && length > 1e-3) {
      const along = Math.abs(d[0]! * normal[0] + d[1]! * normal[1] + d[2]! * normal[2]) / length;
      // More than half a degree off the normal (a tilt is typically 5 to 30°; rounding of positions is far below).
      if (along < Math.cos((0.5 * Math.PI) / 180)) warnings.push('gantry-tilt');
    }
  }
  const instances = [...new Set(frames.map((f) => f.instance))];
  const lossy =
    isLossyTransferSyntax(transferSyntaxUID) ||
    instances.some(
      (instance) =>
        stringValue(instance, T.LossyImageCompression).trim() === '01' ||
        isLossyTransferSyntax(stringValue(instance, T.TransferSyntaxUID)) ||
        stringValues(instance, T.AvailableTransferSyntaxUID).some(isLossyTransferSyntax),
    );
  if (lossy) warnings.push('lossy');
  const nonSquare = frames.some((frame) => {
    const spacing = pixelSpacing(frame);
    if (spacing.length === 2 && spacing[0]! > 0 && spacing[1]! > 0) return Math.abs(spacing[0]! / spacing[1]! - 1) > 1e-3;
    const ratio = numberValues(frame.instance, T.PixelAspectRatio);
    return ratio.length === 2 && ratio[0]! > 0 && ratio[1]! > 0 && ratio[0] !== ratio[1];
  });
  if (nonSquare) warnings.push('non-square-pixels');
  if (instances.some(isLocalizerInstance)) warnings.push('localizer');
  return warnings;
}

/** Every warning of a series: those of its stacks, in the documented order, each once. */
export function seriesWarnings(stacks: { warnings: SeriesWarning[] }[]): SeriesWarning[] {
  const all = new Set(stacks.flatMap((s) => s.warnings));
  return SERIES_WARNINGS.filter((w) => all.has(w));
}

/** Every warning, in the order they are shown. */
export const SERIES_WARNINGS: readonly SeriesWarning[] = ['missing-slices', 'gantry-tilt', 'lossy', 'non-square-pixels', 'localizer'];

/** What the public API tells about a stack. */
export function stackSummary(stack: Stack): StackSummary {
  const plane = planeOf(stack.orientation);
  return {
    imageCount: stack.frames.length,
    ...(plane ? { plane } : {}),
    warnings: SERIES_WARNINGS.filter((w) => stack.warnings.includes(w)),
  };
}
