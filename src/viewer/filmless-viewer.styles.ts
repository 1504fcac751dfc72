import { css } from 'lit';

/**
 * Two-level theming: element custom properties (`--filmless-*`) default to the page's tokens when set,
 * else to the dark theme; `theme="light"` swaps the panel colours (the image area stays black).
 */
export const styles = css`
  :host {
    --filmless-background: var(--filmless-color-background, #000);
    --filmless-foreground: var(--filmless-color-foreground, #e8eaed);
    --filmless-accent: var(--filmless-color-accent, #5eb0ff);
    --filmless-panel: var(--filmless-color-panel, #1b1f24);
    --filmless-panel-foreground: var(--filmless-color-panel-foreground, #e8eaed);
    --filmless-border: var(--filmless-color-border, #5f6670);
    --filmless-danger: var(--filmless-color-danger, #ffb4a8);
    --filmless-font: var(--filmless-font-family, system-ui, sans-serif);
    --filmless-size: var(--filmless-font-size, 14px);
    display: block;
    position: relative;
    min-height: 240px;
    height: 480px;
    contain: content;
    background: var(--filmless-background);
    color: var(--filmless-foreground);
    font-family: var(--filmless-font);
    font-size: var(--filmless-size);
  }
  :host([theme='light']) {
    --filmless-panel: var(--filmless-color-panel, #f1f3f5);
    --filmless-panel-foreground: var(--filmless-color-panel-foreground, #1b1f24);
    --filmless-border: var(--filmless-color-border, #6b7280);
    --filmless-accent: var(--filmless-color-accent, #0b63c4);
  }
  /*
   * The frame: one toolbar row on top, then the series panel (a column, collapsed by default) beside the
   * stage. A grid, so the panel's column is as wide as the panel and nothing when it is collapsed. A bar
   * (comparison) takes the full-width row between the toolbar and the images; the priors list sits in the
   * panel's column, under the series.
   */
  .layout { display: grid; grid-template-columns: auto minmax(0, 1fr); grid-template-rows: auto auto minmax(0, 1fr) auto; height: 100%;
    container-type: inline-size; position: relative; --toolbar-height: 40px; --button-size: 32px; --icon-size: 18px; }
  :host([mode='patient']) .layout { --toolbar-height: 52px; --button-size: 44px; --icon-size: 22px; }
  .layout > :not(.toolbar, .series-list, .stage, .sr-only, .priors-list) { grid-column: 1 / -1; grid-row: 2; }
  /* As wide as the series panel, never wider (its own content does not size the column). */
  .layout > .priors-list { grid-column: 1; grid-row: 4; contain: inline-size; }
  .toolbar { grid-column: 1 / -1; grid-row: 1; position: relative; z-index: 5; display: flex; flex-wrap: nowrap; align-items: center;
    gap: 2px; height: var(--toolbar-height); box-sizing: border-box; padding: 0 4px; background: var(--filmless-panel);
    color: var(--filmless-panel-foreground); border-bottom: 1px solid rgb(127 127 127 / 0.25); }
  .bar-fixed { display: flex; flex: none; }
  .bar-items { display: flex; flex: 1 1 auto; min-width: 0; overflow: hidden; flex-wrap: nowrap; align-items: center; gap: 2px; }
  .bar-items > .group-start { margin-left: 8px; }
  .bar-items > .group-end { margin-left: auto; }
  .toolbar .tool { flex: none; display: inline-flex; align-items: center; justify-content: center; gap: 0; padding: 0;
    min-width: var(--button-size); height: var(--button-size); min-height: 0; border: 0; border-radius: 6px; }
  .toolbar .tool[hidden] { display: none; }
  .toolbar .tool[aria-haspopup] { padding: 0 2px 0 6px; }
  .toolbar .tool .tool-label { padding: 0 2px 0 6px; white-space: nowrap; }
  .toolbar .tool[aria-haspopup] .icon:last-child { width: 12px; height: 12px; opacity: 0.7; }
  .toolbar .tool:hover:not(.busy) { background: rgb(127 127 127 / 0.2); }
  .toolbar .tool[aria-pressed='true'], .toolbar .tool[aria-expanded='true'] { background: color-mix(in srgb, var(--filmless-accent) 22%, transparent);
    color: var(--filmless-accent); box-shadow: none; }
  /* A toggle (the overlay) shows its state by its icon; only tools look selected. */
  .toolbar .tool.toggle[aria-pressed='true'] { background: transparent; color: inherit; }
  .icon { width: var(--icon-size, 18px); height: var(--icon-size, 18px); flex: none; display: block; }
  /* Tools that wait for the full viewer: dimmed, and say why in their tooltip. */
  .busy { opacity: 0.4; cursor: progress; }
  .branding { flex: 0 1 auto; min-width: 0; max-width: 45%; display: flex; align-items: center; gap: 8px; padding: 0 8px 0 4px;
    overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-weight: 600; }
  .branding ::slotted(img), .branding ::slotted(svg) { max-height: 36px; width: auto; display: block; }
  .branding ::slotted(*) { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .menu { position: absolute; top: calc(100% + 2px); z-index: 6; min-width: 200px; max-width: min(320px, calc(100% - 8px));
    max-height: calc(100cqh - var(--toolbar-height)); overflow: auto; display: flex; flex-direction: column; padding: 4px;
    background: var(--filmless-panel); color: var(--filmless-panel-foreground); border: 1px solid var(--filmless-border);
    border-radius: 8px; box-shadow: 0 8px 24px rgb(0 0 0 / 0.5); box-sizing: border-box; }
  .menu-group { display: flex; flex-direction: column; }
  .menu-group + .menu-item, .menu-item + .menu-group, .menu-group + .menu-group { border-top: 1px solid rgb(127 127 127 / 0.25); margin-top: 4px; padding-top: 4px; }
  .menu-heading { font-size: 0.8em; opacity: 0.75; padding: 4px 10px 2px; }
  .menu-item { display: flex; align-items: center; gap: 10px; width: 100%; text-align: start; border: 0; border-radius: 6px;
    padding: 6px 10px; min-height: var(--button-size); }
  .menu-item:hover:not(.busy), .menu-item:focus-visible { background: rgb(127 127 127 / 0.2); }
  .menu-item[aria-checked='true'] { color: var(--filmless-accent); }
  .menu-item span { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .touch-only { display: none !important; }
  @media (pointer: coarse) {
    .touch-only { display: flex !important; }
  }
  .stage { grid-column: 2; grid-row: 3 / 5; position: relative; min-width: 0; min-height: 0; touch-action: none; }
  /* The viewport grid: cells in rows × columns, the active one outlined when there are several. */
  .grid { position: absolute; inset: 0; display: grid; gap: 2px; background: #000; }
  .grid.layout-1x2 { grid-template-columns: 1fr 1fr; }
  .grid.layout-2x1 { grid-template-rows: 1fr 1fr; }
  .grid.layout-2x2 { grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr; }
  .cell { position: relative; min-width: 0; min-height: 0; overflow: hidden; }
  .cell[hidden] { display: none; }
  .grid .cell.maximized { grid-area: 1 / 1 / -1 / -1; }
  .cell.active::after { content: ''; position: absolute; inset: 0; border: 2px solid var(--filmless-accent); pointer-events: none; z-index: 2; }
  .viewport { position: absolute; inset: 0; outline: none; }
  /* The lean first image, drawn over the viewport until Cornerstone shows the same image. */
  .first-image { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; background: #000; }
  .first-image[hidden] { display: none; }
  /* A slow link's preview of the first image is labelled until the image itself replaces it: small, at the top, off the image's centre. */
  .preview-label { position: absolute; top: 8px; left: 50%; transform: translateX(-50%); width: max-content; max-width: calc(100% - 16px);
    box-sizing: border-box; padding: 2px 10px; border-radius: 10px; background: rgb(0 0 0 / 0.7); color: #fff;
    border: 1px solid rgb(255 255 255 / 0.35); font-size: 12px; line-height: 18px; text-align: center; pointer-events: none; z-index: 1; }
  /* The active viewport's slice plane across the other viewports (reference-lines.ts). */
  .reference-lines { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .viewport:focus-visible { outline: 3px solid var(--filmless-accent); outline-offset: -3px; }
  button {
    font: inherit; color: inherit; background: transparent; border: 1px solid var(--filmless-border); border-radius: 6px;
    padding: 4px 10px; cursor: pointer; min-height: 32px;
  }
  .with-icon { display: inline-flex; align-items: center; gap: 8px; }
  button:focus-visible { outline: 3px solid var(--filmless-accent); outline-offset: 1px; }
  button[aria-pressed='true'] { border-color: var(--filmless-accent); box-shadow: inset 0 0 0 1px var(--filmless-accent); }
  /* The series panel: a column of thumbnails left of the images; collapsed unless open. */
  .series-list { grid-column: 1; grid-row: 3; display: none; flex-direction: column; gap: 6px; width: 148px; box-sizing: border-box;
    padding: 6px; overflow-y: auto; background: var(--filmless-panel); color: var(--filmless-panel-foreground);
    border-right: 1px solid rgb(127 127 127 / 0.25); transition: transform 150ms ease-out; }
  .series-list.open { display: flex; }
  .series-list.large { width: 196px; }
  .series-list button { display: flex; flex-direction: column; align-items: stretch; gap: 2px; padding: 4px; text-align: start;
    border: 1px solid transparent; border-radius: 6px; min-height: 0; flex: none; }
  .series-list button:hover { background: rgb(127 127 127 / 0.2); }
  .series-list button[aria-pressed='true'] { border-color: var(--filmless-accent); box-shadow: inset 0 0 0 1px var(--filmless-accent);
    background: color-mix(in srgb, var(--filmless-accent) 12%, transparent); }
  .series-list .series-name { overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; font-size: 0.9em;
    line-height: 1.25; overflow-wrap: anywhere; }
  .series-list small { opacity: 0.8; font-size: 0.8em; }
  .series-list img, .thumb-placeholder { width: 100%; height: auto; aspect-ratio: 1; object-fit: contain; background: #000; color: #e8eaed;
    display: flex; align-items: center; justify-content: center; font-weight: 600; border-radius: 4px; box-sizing: border-box; }
  .series-list.large button { font-size: 1.05em; padding: 6px; }
  /* The overlay's corners: legible over any image (shadow), one line each, truncated, never wrapped; they
     stop short of the middle of each edge, where the orientation markers are. */
  .overlay { position: absolute; inset: 0; pointer-events: none; font-size: 13px; line-height: 1.3; color: #f1f3f4;
    text-shadow: 0 0 2px #000, 0 1px 2px #000, 0 0 4px #000; container-type: inline-size; font-variant-numeric: tabular-nums; }
  .overlay .corner { position: absolute; max-width: calc(50% - 28px); display: flex; flex-direction: column; }
  .overlay .corner > div { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .overlay .tl { top: 6px; left: 8px; }
  .overlay .tr { top: 6px; right: 8px; text-align: right; align-items: flex-end; }
  .overlay .bl { bottom: 10px; left: 8px; }
  .overlay .br { bottom: 10px; right: 8px; text-align: right; align-items: flex-end; }
  .overlay .corner > div { max-width: 100%; }
  .overlay .strong { font-weight: 600; }
  .overlay.text-hidden .corner { display: none; }
  @container (max-width: 420px) {
    .overlay { font-size: 12px; }
    .overlay .tr > div:nth-child(n + 3) { display: none; }
  }
  .overlay .notice { position: absolute; top: 45%; left: 10%; right: 10%; text-align: center; color: var(--filmless-danger); }
  .image-error { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; padding: 56px 12px;
    background: #000; text-shadow: none; }
  .image-error-card { display: flex; gap: 12px; align-items: flex-start; max-width: 340px; padding: 12px 14px; border-radius: 6px;
    background: var(--filmless-panel); color: var(--filmless-panel-foreground); border: 1px solid var(--filmless-border);
    border-left: 3px solid var(--filmless-danger); font-size: 13px; line-height: 1.4; }
  .image-error-card .icon { flex: none; width: 22px; height: 22px; color: var(--filmless-danger); }
  .image-error-title { font-weight: 600; margin-bottom: 2px; }
  .image-error-hint { margin-top: 4px; opacity: 0.75; }
  .progress { position: absolute; left: 0; right: 0; bottom: 0; height: 4px; }
  .progress progress { width: 100%; height: 4px; appearance: none; border: 0; display: block; background: transparent; }
  .progress progress::-webkit-progress-bar { background: transparent; }
  .progress progress::-webkit-progress-value { background: var(--filmless-accent); }
  .message, .error, .chooser { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center;
    justify-content: center; gap: 12px; padding: 16px; text-align: center; background: var(--filmless-background); }
  .error { color: var(--filmless-danger); }
  .unreachable { color: var(--filmless-danger); margin: 0; }
  .overlay .banner { position: absolute; top: 48px; left: 8px; right: 8px; text-align: center; }
  .chooser { justify-content: flex-start; overflow: auto; }
  .chooser table { border-collapse: collapse; }
  .chooser th, .chooser td { padding: 4px 8px; border-bottom: 1px solid #333; text-align: left; }
  .help { position: absolute; inset: 0; background: rgb(0 0 0 / 0.85); display: flex; align-items: center;
    justify-content: center; padding: 12px; z-index: 2; }
  .help-panel { background: var(--filmless-panel); color: var(--filmless-panel-foreground); border-radius: 6px; padding: 12px 16px;
    max-height: 100%; overflow: auto; max-width: 560px; }
  .help h2 { font-size: 1.1em; margin: 0 0 8px; }
  .help th { text-align: left; padding: 2px 12px 2px 0; font-weight: normal; white-space: nowrap; }
  .help kbd { font-family: inherit; border: 1px solid var(--filmless-border); border-radius: 3px; padding: 0 4px; }
  .share canvas.qr { display: block; margin: 8px auto; background: #fff; width: 256px; height: 256px; max-width: 100%; }
  .share-link { display: flex; flex-direction: column; gap: 4px; }
  .share-link input { font: inherit; padding: 6px; width: 100%; box-sizing: border-box; }
  .share-actions { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 8px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

  /* Narrow elements (phones): the series panel is a drawer over the image; touch-sized buttons. */
  @container (max-width: 519px) {
    .layout { --toolbar-height: 44px; --button-size: 38px; }
    :host([mode='patient']) .layout { --toolbar-height: 52px; --button-size: 44px; }
    /* Out of the grid: positioned against the whole element, under the toolbar. */
    .series-list, .layout > .priors-list { grid-row: auto; grid-column: auto; contain: none; }
    .series-list { position: absolute; top: var(--toolbar-height); left: 0; bottom: 0; z-index: 4; width: min(180px, 60%);
      box-shadow: 8px 0 24px rgb(0 0 0 / 0.5); }
    .series-list.large { width: min(220px, 70%); }
    .menu { max-width: calc(100% - 8px); }
    .toolbar .tool .tool-label { display: none; }
    .branding { max-width: 40%; }
  }
  @media (prefers-reduced-motion: reduce) {
    * { transition: none !important; animation: none !important; }
  }
  @media (forced-colors: active) {
    button { border-color: ButtonText; color: ButtonText; background: ButtonFace; }
    button[aria-pressed='true'], .toolbar .tool[aria-pressed='true'], .menu-item[aria-checked='true'] { background: Highlight; color: HighlightText; forced-color-adjust: none; }
    .busy { color: GrayText; opacity: 1; }
    .menu { border-color: CanvasText; }
    .viewport:focus-visible, button:focus-visible { outline-color: Highlight; }
    .progress progress::-webkit-progress-value { background: Highlight; }
    .toolbar, .series-list, .help-panel { border: 1px solid CanvasText; }
  }
`;
