import { css } from 'lit';

export const styles = css`
  :host {
    --filmless-background: var(--filmless-color-background, #000);
    --filmless-foreground: var(--filmless-color-foreground, #e8eaed);
    --filmless-accent: var(--filmless-color-accent, #4da3ff);
    --filmless-panel: var(--filmless-color-panel, #1b1f24);
    --filmless-font: var(--filmless-font-family, system-ui, sans-serif);
    display: block;
    position: relative;
    min-height: 240px;
    height: 480px;
    contain: content;
    background: var(--filmless-background);
    color: var(--filmless-foreground);
    font-family: var(--filmless-font);
    font-size: 14px;
  }
  .layout { display: flex; flex-direction: column; height: 100%; }
  .toolbar, .series-list { display: flex; gap: 4px; padding: 4px; background: var(--filmless-panel); overflow-x: auto; }
  .stage { position: relative; flex: 1; min-height: 0; }
  .viewport { position: absolute; inset: 0; outline: none; }
  .viewport:focus-visible { outline: 2px solid var(--filmless-accent); outline-offset: -2px; }
  button {
    font: inherit; color: inherit; background: transparent; border: 1px solid #555; border-radius: 4px;
    padding: 4px 8px; cursor: pointer;
  }
  button:focus-visible { outline: 2px solid var(--filmless-accent); outline-offset: 1px; }
  button[aria-pressed='true'] { border-color: var(--filmless-accent); background: #24364d; }
  .series-list button { display: flex; flex-direction: column; align-items: flex-start; min-width: 110px; text-align: left; }
  .series-list small { opacity: 0.8; }
  .series-list img, .thumb-placeholder { width: 64px; height: 64px; object-fit: contain; background: #000; display: flex;
    align-items: center; justify-content: center; font-weight: 600; border-radius: 2px; }
  .overlay { position: absolute; inset: 0; pointer-events: none; padding: 6px 8px; font-size: 13px;
    text-shadow: 0 0 3px #000, 0 0 2px #000; }
  .overlay .tl { position: absolute; top: 6px; left: 8px; }
  .overlay .tr { position: absolute; top: 6px; right: 8px; text-align: right; }
  .overlay .bl { position: absolute; bottom: 6px; left: 8px; }
  .overlay .br { position: absolute; bottom: 6px; right: 8px; text-align: right; }
  .overlay .notice { position: absolute; top: 45%; left: 10%; right: 10%; text-align: center; color: #ffb4a8; }
  .progress { position: absolute; left: 0; right: 0; bottom: 0; height: 4px; }
  .progress progress { width: 100%; height: 4px; appearance: none; border: 0; display: block; }
  .progress progress::-webkit-progress-bar { background: transparent; }
  .progress progress::-webkit-progress-value { background: var(--filmless-accent); }
  .message, .error, .chooser { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center;
    justify-content: center; gap: 12px; padding: 16px; text-align: center; background: var(--filmless-background); }
  .error { color: #ffb4a8; }
  .chooser { justify-content: flex-start; overflow: auto; }
  .chooser table { border-collapse: collapse; }
  .chooser th, .chooser td { padding: 4px 8px; border-bottom: 1px solid #333; text-align: left; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
