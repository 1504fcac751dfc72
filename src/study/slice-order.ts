import {
  type DicomJsonDataset,
  Tag,
  numberValue,
  numberValues,
  sequenceItems,
  stringValue,
} from '../dicomweb/dicom-json.js';

/** One displayable image of a series: a frame of an instance, with where it lies in the patient. */
export interface FrameRef {
  sopInstanceUID: string;
  /** 1-based, as WADO-RS numbers frames. */
  frameNumber: number;
  instance: DicomJsonDataset;
  /** Distance along the slice normal in mm, when the geometry is known. */
  position?: number;
  instanceNumber?: number;
}

type Vec3 = [number, number, number];

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** The slice normal from ImageOrientationPatient (row × column direction cosines). */
export function sliceNormal(orientation: number[]): Vec3 | undefined {
  if (orientation.length !== 6) return undefined;
  const row: Vec3 = [orientation[0]!, orientation[1]!, orientation[2]!];
  const column: Vec3 = [orientation[3]!, orientation[4]!, orientation[5]!];
  const normal = cross(row, column);
  const length = Math.hypot(...normal);
  return length > 1e-6 ? [normal[0] / length, normal[1] / length, normal[2] / length] : undefined;
}

/** Per-frame geometry of an enhanced multi-frame instance, falling back to the shared groups. */
export function frameGeometry(instance: DicomJsonDataset, frameIndex: number): { ipp: number[]; iop: number[] } {
  const perFrame = sequenceItems(instance, Tag.PerFrameFunctionalGroupsSequence)[frameIndex];
  const shared = sequenceItems(instance, Tag.SharedFunctionalGroupsSequence)[0];
  const pick = (sequenceTag: string, tag: string) => {
    for (const group of [perFrame, shared]) {
      const item = sequenceItems(group, sequenceTag)[0];
      const values = numberValues(item, tag);
      if (values.length) return values;
    }
    return numberValues(instance, tag);
  };
  return {
    ipp: pick(Tag.PlanePositionSequence, Tag.ImagePositionPatient),
    iop: pick(Tag.PlaneOrientationSequence, Tag.ImageOrientationPatient),
  };
}

/** Expands instances into frames (multi-frame instances give one entry per frame). */
export function framesOf(instances: DicomJsonDataset[]): FrameRef[] {
  const frames: FrameRef[] = [];
  for (const instance of instances) {
    const sopInstanceUID = stringValue(instance, Tag.SOPInstanceUID);
    const frameCount = Math.max(1, numberValue(instance, Tag.NumberOfFrames) ?? 1);
    const instanceNumber = numberValue(instance, Tag.InstanceNumber);
    for (let index = 0; index < frameCount; index++) {
      const { ipp, iop } = frameGeometry(instance, index);
      const normal = sliceNormal(iop);
      const frame: FrameRef = { sopInstanceUID, frameNumber: index + 1, instance };
      if (normal && ipp.length === 3) frame.position = dot(normal, ipp as Vec3);
      if (instanceNumber !== undefined) frame.instanceNumber = instanceNumber;
      frames.push(frame);
    }
  }
  return frames;
}

/**
 * Orders frames by their position along the slice normal, so a series stored or numbered out of order
 * still scrolls through the anatomy in sequence. The direction follows the scanner's own numbering
 * (the end with the lower InstanceNumber comes first), which is what radiologists are used to from the
 * modality. Frames without geometry keep InstanceNumber order, after those with it.
 */
export function orderFrames(frames: FrameRef[]): FrameRef[] {
  const byNumber = (a: FrameRef, b: FrameRef) =>
    (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0) || a.frameNumber - b.frameNumber;
  const located = frames.filter((f) => f.position !== undefined);
  const unlocated = frames.filter((f) => f.position === undefined).sort(byNumber);
  located.sort((a, b) => a.position! - b.position! || byNumber(a, b));
  if (located.length > 1) {
    const first = located[0]!;
    const last = located[located.length - 1]!;
    const firstNumber = first.instanceNumber ?? 0;
    const lastNumber = last.instanceNumber ?? 0;
    const sameInstance = first.sopInstanceUID === last.sopInstanceUID;
    const reversed = sameInstance ? first.frameNumber > last.frameNumber : firstNumber > lastNumber;
    if (reversed) located.reverse();
  }
  return [...located, ...unlocated];
}

/** True when metadata says the instances are a scout / localizer (ImageType value 3). */
export function isLocalizerInstance(instance: DicomJsonDataset): boolean {
  const values = instance[Tag.ImageType]?.Value ?? [];
  return values.some((v) => typeof v === 'string' && v.toUpperCase() === 'LOCALIZER');
}
