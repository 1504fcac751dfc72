/**
 * The viewer's icons: Lucide's SVG icon data (ISC licence), imported one by one so the build keeps only
 * these (about 3 KB gzip for all of them), drawn as inline SVG in the current text colour. Never font
 * glyphs: which symbols a font has differs per machine (Debian's DejaVu has no U+FF0B, for one).
 */
import { html } from 'lit';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import {
  Axis3d,
  Bone,
  Brain,
  Captions,
  CaptionsOff,
  ChevronDown,
  CircleQuestionMark,
  Columns2,
  Contrast,
  Crosshair,
  Ellipsis,
  Grid2x2,
  HeartPulse,
  Layers,
  LayoutGrid,
  Move,
  PanelLeft,
  Pointer,
  RefreshCw,
  RotateCcw,
  Rows2,
  Search,
  Share2,
  SlidersHorizontal,
  Square,
  Wind,
  ZoomIn,
  X,
  ZoomOut,
} from 'lucide';
import { Eye, Hand, MousePointer2, Presentation } from 'lucide';
import { CircleDashed, DraftingCompass, Eraser, MoveUpRight, Pipette, Ruler, RulerDimensionLine, Spline, SquareDashed, Trash } from 'lucide';

import { Expand, FileSliders, FlipHorizontal2, FlipVertical2, Gauge, Pause, Play, Ratio, RotateCcwSquare, RotateCwSquare, SunMoon } from 'lucide';

import { LocateFixed, LocateOff } from 'lucide';

import { ImageOff } from 'lucide';

/** Lucide's icon data: the SVG children as [tag, attributes] pairs, on a 24 × 24 grid. */
export type IconNode = [tag: string, attributes: Record<string, string | number | undefined>][];

export const ICONS = {
  windowLevel: Contrast,
  pan: Move,
  zoom: Search,
  scroll: Layers,
  zoomIn: ZoomIn,
  zoomOut: ZoomOut,
  presets: SlidersHorizontal,
  reset: RotateCcw,
  layout: LayoutGrid,
  layout1x1: Square,
  layout1x2: Columns2,
  layout2x1: Rows2,
  layout2x2: Grid2x2,
  overlayOn: Captions,
  overlayOff: CaptionsOff,
  series: PanelLeft,
  share: Share2,
  help: CircleQuestionMark,
  more: Ellipsis,
  touch: Pointer,
  chevron: ChevronDown,
  retry: RefreshCw,
  brain: Brain,
  bone: Bone,
  lung: Wind,
  softTissue: HeartPulse,
  // MPR and reference lines
  mpr: Axis3d,
  referenceLines: Crosshair,
  close: X,
  // View tools
  rotateRight: RotateCwSquare,
  rotateLeft: RotateCcwSquare,
  flipHorizontal: FlipHorizontal2,
  flipVertical: FlipVertical2,
  invert: SunMoon,
  zoomFit: Expand,
  zoomActualSize: Ratio,
  cinePlay: Play,
  cineStop: Pause,
  cineSpeed: Gauge,
  fileWindows: FileSliders,
  // Orientation and geometry
  cursorInfo: LocateFixed,
  cursorInfoOff: LocateOff,
  // Measurements
  measure: RulerDimensionLine,
  length: Ruler,
  angle: DraftingCompass,
  cobbAngle: Spline,
  ellipseRoi: CircleDashed,
  rectangleRoi: SquareDashed,
  probe: Pipette,
  arrow: MoveUpRight,
  eraser: Eraser,
  trash: Trash,
  // Teleconsultation
  syncFollowing: Eye,
  syncPresenting: Presentation,
  takeControl: Hand,
  laserPointer: MousePointer2,
  // Faults and bad data
  imageError: ImageOff,
} satisfies Record<string, IconNode>;

export type IconName = keyof typeof ICONS;

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const markup = new Map<IconName, string>();

function childrenOf(name: IconName): string {
  let text = markup.get(name);
  if (text === undefined) {
    text = (ICONS[name] as IconNode)
      .map(([tag, attributes]) => {
        const list = Object.entries(attributes)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => `${key}="${escape(String(value))}"`)
          .join(' ');
        return `<${tag} ${list}/>`;
      })
      .join('');
    markup.set(name, text);
  }
  return text;
}

/** An icon, decorative: the button around it carries the name (`aria-label`) and the tooltip (`title`). */
export function icon(name: IconName) {
  return html`<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
    stroke-linejoin="round" aria-hidden="true" focusable="false">${unsafeSVG(childrenOf(name))}</svg>`;
}
