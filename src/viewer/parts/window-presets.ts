import type { MessageKey } from '../../i18n/messages.js';

export interface WindowPreset {
  label: MessageKey;
  center: number;
  width: number;
}

/** The CT windows radiologists reach for first (Hounsfield units). MR has no absolute scale, so no presets. */
export const CT_PRESETS: WindowPreset[] = [
  { label: 'presetBrain', center: 40, width: 80 },
  { label: 'presetSoftTissue', center: 40, width: 400 },
  { label: 'presetLung', center: -600, width: 1500 },
  { label: 'presetBone', center: 400, width: 1800 },
];
