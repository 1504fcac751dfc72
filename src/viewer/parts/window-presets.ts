import { type DicomJsonDataset, Tag, sequenceItems } from '../../dicomweb/dicom-json.js';
import type { MessageKey } from '../../i18n/messages.js';

export interface WindowPreset {
  label: MessageKey;
  center: number;
  width: number;
}

/**
 * The CT windows radiologists reach for (Hounsfield units), keys 1–8 in this order. Values from
 * Radiopaedia's table "Windowing (CT)" (https://radiopaedia.org/articles/windowing-ct): brain W 80 L 40;
 * subdural W 130–300 L 50–100 (the middle of both ranges); stroke W 40 L 40 (its wider variant, also
 * Turner & Holdsworth, Br J Radiol 2011;84:1061, rather than W 8 L 32); lungs W 1500 L −600;
 * mediastinum W 350 L 50; abdomen soft tissues W 400 L 50; liver W 150 L 30; bone W 1800 L 400.
 * MR has no absolute scale, so no presets: it gets the file's windows or an automatic one.
 */
export const CT_PRESETS: WindowPreset[] = [
  { label: 'presetBrain', center: 40, width: 80 },
  { label: 'presetSubdural', center: 75, width: 215 },
  { label: 'presetStroke', center: 40, width: 40 },
  { label: 'presetLung', center: -600, width: 1500 },
  { label: 'presetMediastinum', center: 50, width: 350 },
  { label: 'presetAbdomen', center: 50, width: 400 },
  { label: 'presetLiver', center: 30, width: 150 },
  { label: 'presetBone', center: 400, width: 1800 },
];

/**
 * Patient mode's named windows, in plain words (the README documents them): brain, soft tissue (the
 * soft tissues of the neck in the same table, W 350–400 L 20–60), lung and bone.
 */
export const PATIENT_PRESETS: WindowPreset[] = [
  { label: 'presetBrain', center: 40, width: 80 },
  { label: 'presetSoftTissue', center: 40, width: 400 },
  { label: 'presetLung', center: -600, width: 1500 },
  { label: 'presetBone', center: 400, width: 1800 },
];

/** One of the windows a file carries: a value of the multi-valued WindowCenter/WindowWidth. */
export interface FileWindow {
  center: number;
  width: number;
  /** WindowCenterWidthExplanation's value at the same position (untrusted text: show it as text); '' when absent. */
  explanation: string;
}

const WindowCenterWidthExplanation = '00281055';
const FrameVOILUTSequence = '00289132';

/**
 * Every window an image carries, in the file's order: WindowCenter/WindowWidth pairs with their
 * explanation, at the top level or, in an enhanced multi-frame image, in the frame's (else the shared)
 * Frame VOI LUT functional group. Pairs without a positive width are left out.
 */
export function fileWindows(instance: DicomJsonDataset | undefined, frameNumber = 1): FileWindow[] {
  const own = windowsOf(instance);
  if (own.length > 0 || !instance) return own;
  const group = (tag: string, index: number) => sequenceItems(sequenceItems(instance, tag)[index], FrameVOILUTSequence)[0];
  const perFrame = windowsOf(group(Tag.PerFrameFunctionalGroupsSequence, frameNumber - 1));
  return perFrame.length > 0 ? perFrame : windowsOf(group(Tag.SharedFunctionalGroupsSequence, 0));
}

/** The values of a multi-valued attribute by position (NaN where one is not a number), so pairs stay aligned. */
function positional(dataset: DicomJsonDataset | undefined, tag: string): (number | string)[] {
  return (dataset?.[tag]?.Value ?? []).map((value) => (typeof value === 'number' || typeof value === 'string' ? value : ''));
}

function windowsOf(dataset: DicomJsonDataset | undefined): FileWindow[] {
  const number = (value: number | string) => (typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value));
  const centers = positional(dataset, Tag.WindowCenter).map(number);
  const widths = positional(dataset, Tag.WindowWidth).map(number);
  const explanations = positional(dataset, WindowCenterWidthExplanation).map(String);
  const windows: FileWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = centers[i]!;
    const width = widths[i]!;
    if (!Number.isFinite(center) || !Number.isFinite(width) || width <= 0) continue;
    windows.push({ center, width, explanation: (explanations[i] ?? '').trim() });
  }
  return windows;
}
