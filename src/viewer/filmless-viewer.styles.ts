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
  .layout { display: flex; flex-direction: column; height: 100%; container-type: inline-size; position: relative; }
  .toolbar, .series-list { display: flex; gap: 4px; padding: 4px; background: var(--filmless-panel);
    color: var(--filmless-panel-foreground); overflow-x: auto; align-items: center; }
  .tools { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; }
  .group { display: flex; gap: 2px; }
  .fold-toggle { display: none; }
  .stage { position: relative; flex: 1; min-height: 0; touch-action: none; }
  /* The viewport grid: cells in rows × columns, the active one outlined when there are several. */
  .grid { position: absolute; inset: 0; display: grid; gap: 2px; background: #000; }
  .grid.layout-1x2 { grid-template-columns: 1fr 1fr; }
  .grid.layout-2x1 { grid-template-rows: 1fr 1fr; }
  .grid.layout-2x2 { grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr; }
  .cell { position: relative; min-width: 0; min-height: 0; overflow: hidden; }
  .cell.active::after { content: ''; position: absolute; inset: 0; border: 2px solid var(--filmless-accent); pointer-events: none; z-index: 2; }
  .viewport { position: absolute; inset: 0; outline: none; }
  /* The lean first image, drawn over the viewport until Cornerstone shows the same image. */
  .first-image { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; background: #000; }
  .first-image[hidden] { display: none; }
  .viewport:focus-visible { outline: 3px solid var(--filmless-accent); outline-offset: -3px; }
  button {
    font: inherit; color: inherit; background: transparent; border: 1px solid var(--filmless-border); border-radius: 4px;
    padding: 4px 8px; cursor: pointer; min-height: 32px;
  }
  button:focus-visible { outline: 3px solid var(--filmless-accent); outline-offset: 1px; }
  button[aria-pressed='true'] { border-color: var(--filmless-accent); box-shadow: inset 0 0 0 1px var(--filmless-accent); }
  .series-list button { display: flex; flex-direction: column; align-items: flex-start; min-width: 110px; text-align: left; gap: 2px; }
  .series-list small { opacity: 0.85; }
  .series-list img, .thumb-placeholder { width: 64px; height: 64px; object-fit: contain; background: #000; color: #e8eaed;
    display: flex; align-items: center; justify-content: center; font-weight: 600; border-radius: 2px; }
  .overlay { position: absolute; inset: 0; pointer-events: none; padding: 6px 8px; font-size: 13px; color: #fff;
    text-shadow: 0 0 3px #000, 0 0 2px #000; }
  .overlay .tl { position: absolute; top: 6px; left: 8px; }
  .overlay .tr { position: absolute; top: 6px; right: 8px; text-align: right; max-width: 48%; }
  .overlay .tl { max-width: 48%; }
  .overlay .tl div, .overlay .tr div { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .overlay .bl { position: absolute; bottom: 8px; left: 8px; }
  .overlay .br { position: absolute; bottom: 8px; right: 8px; text-align: right; }
  .overlay .notice { position: absolute; top: 45%; left: 10%; right: 10%; text-align: center; color: var(--filmless-danger); }
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

  /* Phones: the tools fold behind a menu button, the series strip becomes a drawer over the image. */
  @container (max-width: 520px) {
    .fold-toggle { display: inline-flex; align-items: center; gap: 4px; }
    .tools { display: none; position: absolute; top: 44px; left: 4px; right: 4px; z-index: 3; padding: 6px;
      background: var(--filmless-panel); border: 1px solid var(--filmless-border); border-radius: 6px; }
    .tools.open { display: flex; }
    .tools .label { display: none; }
    .series-list { display: none; position: absolute; top: 44px; left: 0; bottom: 0; z-index: 3; flex-direction: column;
      overflow-y: auto; max-width: 75%; border-right: 1px solid var(--filmless-border); transition: transform 150ms ease-out; }
    .series-list.open { display: flex; }
    .overlay { font-size: 11px; }
    button { min-height: 40px; min-width: 40px; }
  }
  @media (prefers-reduced-motion: reduce) {
    * { transition: none !important; animation: none !important; }
  }
  @media (forced-colors: active) {
    button { border-color: ButtonText; color: ButtonText; background: ButtonFace; }
    button[aria-pressed='true'] { background: Highlight; color: HighlightText; forced-color-adjust: none; }
    .viewport:focus-visible, button:focus-visible { outline-color: Highlight; }
    .progress progress::-webkit-progress-value { background: Highlight; }
    .toolbar, .series-list, .help-panel { border: 1px solid CanvasText; }
  }
`;
