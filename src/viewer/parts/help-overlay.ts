import { html } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import { SHORTCUTS } from './shortcuts.js';

/** The `?` overlay: every shortcut from the same table the key handler uses, plus mouse and touch. */
export function helpOverlay(t: LocalizeController, close: () => void) {
  return html`<div class="help" part="help" role="dialog" aria-modal="true" aria-labelledby="help-title"
    @keydown=${(event: KeyboardEvent) => {
      if (event.key === 'Escape' || event.key === '?') {
        event.preventDefault();
        close();
      }
    }}>
    <div class="help-panel">
      <h2 id="help-title">${t.term('helpTitle')}</h2>
      <table>
        <tbody>
          ${SHORTCUTS.map((s) => html`<tr><th scope="row"><kbd>${s.display}</kbd></th><td>${t.term(s.label)}</td></tr>`)}
        </tbody>
      </table>
      <p>${t.term('helpMouse')}</p>
      <p>${t.term('helpTouch')}</p>
      <button type="button" class="help-close" @click=${close}>${t.term('helpClose')}</button>
    </div>
  </div>`;
}
