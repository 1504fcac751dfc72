import type { MessageKey } from '../../i18n/messages.js';

/** What a key does; the viewer maps each action to its viewport. */
export type ShortcutAction =
  | { type: 'scroll'; delta: number }
  | { type: 'first' }
  | { type: 'last' }
  | { type: 'zoom'; factor: number }
  | { type: 'pan'; dx: number; dy: number }
  | { type: 'window'; widthDelta: number; centerDelta: number }
  | { type: 'preset'; index: number }
  | { type: 'rotate'; degrees: number }
  | { type: 'flip'; direction: 'horizontal' | 'vertical' }
  | { type: 'invert' }
  | { type: 'fit' }
  | { type: 'actualSize' }
  | { type: 'cine' }
  | { type: 'cineStop' }
  | { type: 'reset' }
  | { type: 'overlay' }
  | { type: 'cursorInfo' }
  | { type: 'help' };

export interface Shortcut {
  /** `KeyboardEvent.key` values; `Shift+` prefixes a key that needs Shift. */
  keys: string[];
  /** Shown in the help overlay: one source for behaviour and documentation. */
  label: MessageKey;
  /** How the keys are written in the help overlay. */
  display: string;
  action: ShortcutAction;
}

const PAN_STEP = 20;
const WINDOW_STEP = 10;

// Key names in `display` are words, never arrow glyphs: fonts differ per machine (see icons.ts).
export const SHORTCUTS: Shortcut[] = [
  { keys: ['ArrowDown', 'ArrowRight'], display: 'Down / Right', label: 'shortcutNext', action: { type: 'scroll', delta: 1 } },
  { keys: ['ArrowUp', 'ArrowLeft'], display: 'Up / Left', label: 'shortcutPrevious', action: { type: 'scroll', delta: -1 } },
  { keys: ['PageDown'], display: 'PageDown', label: 'shortcutNextTen', action: { type: 'scroll', delta: 10 } },
  { keys: ['PageUp'], display: 'PageUp', label: 'shortcutPreviousTen', action: { type: 'scroll', delta: -10 } },
  { keys: ['Home'], display: 'Home', label: 'shortcutFirst', action: { type: 'first' } },
  { keys: ['End'], display: 'End', label: 'shortcutLast', action: { type: 'last' } },
  { keys: ['+', '='], display: '+', label: 'shortcutZoomIn', action: { type: 'zoom', factor: 1.25 } },
  { keys: ['-', '_'], display: '−', label: 'shortcutZoomOut', action: { type: 'zoom', factor: 0.8 } },
  { keys: ['Shift+ArrowLeft'], display: 'Shift + Left', label: 'shortcutPanLeft', action: { type: 'pan', dx: -PAN_STEP, dy: 0 } },
  { keys: ['Shift+ArrowRight'], display: 'Shift + Right', label: 'shortcutPanRight', action: { type: 'pan', dx: PAN_STEP, dy: 0 } },
  { keys: ['Shift+ArrowUp'], display: 'Shift + Up', label: 'shortcutPanUp', action: { type: 'pan', dx: 0, dy: -PAN_STEP } },
  { keys: ['Shift+ArrowDown'], display: 'Shift + Down', label: 'shortcutPanDown', action: { type: 'pan', dx: 0, dy: PAN_STEP } },
  { keys: [']'], display: ']', label: 'shortcutWiderWindow', action: { type: 'window', widthDelta: WINDOW_STEP * 2, centerDelta: 0 } },
  { keys: ['['], display: '[', label: 'shortcutNarrowerWindow', action: { type: 'window', widthDelta: -WINDOW_STEP * 2, centerDelta: 0 } },
  { keys: ['.'], display: '.', label: 'shortcutHigherLevel', action: { type: 'window', widthDelta: 0, centerDelta: WINDOW_STEP } },
  { keys: [','], display: ',', label: 'shortcutLowerLevel', action: { type: 'window', widthDelta: 0, centerDelta: -WINDOW_STEP } },
  { keys: ['1', '2', '3', '4', '5', '6', '7', '8'], display: '1 – 8', label: 'shortcutPresets', action: { type: 'preset', index: 0 } },
  { keys: ['e', 'E'], display: 'E', label: 'shortcutRotateRight', action: { type: 'rotate', degrees: 90 } },
  { keys: ['q', 'Q'], display: 'Q', label: 'shortcutRotateLeft', action: { type: 'rotate', degrees: -90 } },
  { keys: ['h', 'H'], display: 'H', label: 'shortcutFlipHorizontal', action: { type: 'flip', direction: 'horizontal' } },
  { keys: ['v', 'V'], display: 'V', label: 'shortcutFlipVertical', action: { type: 'flip', direction: 'vertical' } },
  { keys: ['n', 'N'], display: 'N', label: 'shortcutInvert', action: { type: 'invert' } },
  { keys: ['f', 'F'], display: 'F', label: 'shortcutFit', action: { type: 'fit' } },
  { keys: ['a', 'A'], display: 'A', label: 'shortcutActualSize', action: { type: 'actualSize' } },
  { keys: [' '], display: 'Space', label: 'shortcutCine', action: { type: 'cine' } },
  { keys: ['Escape'], display: 'Esc', label: 'shortcutCineStop', action: { type: 'cineStop' } },
  { keys: ['r', 'R'], display: 'R', label: 'shortcutReset', action: { type: 'reset' } },
  { keys: ['i', 'I'], display: 'I', label: 'shortcutOverlay', action: { type: 'overlay' } },
  { keys: ['c', 'C'], display: 'C', label: 'shortcutCursorInfo', action: { type: 'cursorInfo' } },
  { keys: ['?'], display: '?', label: 'shortcutHelp', action: { type: 'help' } },
];

/** The action for a key press, or undefined when Filmless does not use that key (it then reaches the page). */
export function actionForKey(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>): ShortcutAction | undefined {
  // Browser and assistive-technology chords stay theirs.
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  const arrows = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'];
  const name = event.shiftKey && arrows.includes(event.key) ? `Shift+${event.key}` : event.key;
  const shortcut = SHORTCUTS.find((s) => s.keys.includes(name));
  if (!shortcut) return undefined;
  if (shortcut.action.type === 'preset') return { type: 'preset', index: Number(event.key) - 1 };
  return shortcut.action;
}
