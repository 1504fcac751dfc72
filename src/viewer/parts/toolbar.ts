import { html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { MessageKey } from '../../i18n/messages.js';
import type { PrimaryTool } from '../../imaging/stack-controller.js';
import { CT_PRESETS } from './window-presets.js';

export interface ToolbarState {
  tool: PrimaryTool;
  showPresets: boolean;
  menuOpen: boolean;
  seriesOpen: boolean;
  touchMode: 'scroll' | 'windowLevel';
  canShare: boolean;
}

export interface ToolbarActions {
  selectTool(tool: PrimaryTool): void;
  zoom(factor: number): void;
  preset(index: number): void;
  reset(): void;
  help(): void;
  toggleMenu(): void;
  toggleSeries(): void;
  toggleTouchMode(): void;
  share(): void;
}

const TOOLS: { tool: PrimaryTool; label: MessageKey; icon: string }[] = [
  { tool: 'windowLevel', label: 'toolWindowLevel', icon: '◐' },
  { tool: 'pan', label: 'toolPan', icon: '✥' },
  { tool: 'zoom', label: 'toolZoom', icon: '⌕' },
  { tool: 'scroll', label: 'toolScroll', icon: '⇅' },
];

/**
 * The tool bar. On narrow viewers (phones) the tools fold behind a menu button and the series strip
 * behind a series button; both toggles are always in the DOM so the layout switch is pure CSS.
 */
export function toolbar(t: LocalizeController, state: ToolbarState, actions: ToolbarActions) {
  return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label=${t.term('toolsLabel')}>
    <button type="button" class="fold-toggle" aria-expanded=${state.menuOpen} aria-controls="tools"
      @click=${actions.toggleMenu}>☰ <span>${t.term('toolsLabel')}</span></button>
    <button type="button" class="fold-toggle" aria-expanded=${state.seriesOpen} aria-controls="series"
      @click=${actions.toggleSeries}>▤ <span>${t.term('seriesListLabel')}</span></button>
    <div id="tools" class="tools ${state.menuOpen ? 'open' : ''}">
      <div role="group" aria-label=${t.term('toolsLabel')} class="group">
        ${TOOLS.map(
          ({ tool, label, icon }) => html`<button type="button" aria-pressed=${state.tool === tool} title=${t.term(label)}
            @click=${() => actions.selectTool(tool)}><span aria-hidden="true">${icon}</span> <span class="label">${t.term(label)}</span></button>`,
        )}
      </div>
      <button type="button" title=${t.term('zoomIn')} aria-label=${t.term('zoomIn')} @click=${() => actions.zoom(1.25)}>＋</button>
      <button type="button" title=${t.term('zoomOut')} aria-label=${t.term('zoomOut')} @click=${() => actions.zoom(0.8)}>－</button>
      ${state.showPresets
        ? html`<div role="group" aria-label=${t.term('presetsLabel')} class="group">
            ${CT_PRESETS.map((p, i) => html`<button type="button" @click=${() => actions.preset(i)}>${t.term(p.label)}</button>`)}
          </div>`
        : nothing}
      <button type="button" @click=${actions.reset}>${t.term('reset')}</button>
      <button type="button" class="touch-mode" @click=${actions.toggleTouchMode}>
        <span aria-hidden="true">☝</span> ${t.term('touchModeLabel')}:
        ${state.touchMode === 'windowLevel' ? t.term('touchModeWindow') : t.term('touchModeScroll')}</button>
      ${state.canShare ? html`<button type="button" class="share-button" @click=${actions.share}>⤴ ${t.term('share')}</button>` : nothing}
      <button type="button" aria-label=${t.term('help')} title=${t.term('help')} @click=${actions.help}>?</button>
    </div>
  </div>`;
}
