import { html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { ShareGrant } from '../../share/share-link.js';

export interface SharePanelState {
  link: string;
  grant: ShareGrant;
  copied: boolean;
}

export interface SharePanelActions {
  copy(): void;
  download(): void;
  close(): void;
}

/**
 * The share dialog: the QR code (drawn onto the canvas by the element after render), the link in a
 * read-only field (set as a property, never as an attribute), copy and download buttons.
 */
export function sharePanel(t: LocalizeController, state: SharePanelState, actions: SharePanelActions) {
  const expires = state.grant.expiresAt ? new Date(state.grant.expiresAt) : undefined;
  return html`<div class="help share" part="share" role="dialog" aria-modal="true" aria-labelledby="share-title"
    @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && (event.preventDefault(), actions.close())}>
    <div class="help-panel">
      <h2 id="share-title">${t.term('shareTitle')}</h2>
      <p>${t.term('shareIntro')}</p>
      <canvas class="qr" role="img" aria-label=${t.term('shareQrLabel')} width="256" height="256"></canvas>
      <label class="share-link">${t.term('shareLinkLabel')}
        <input type="text" readonly .value=${state.link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
      </label>
      ${expires && !Number.isNaN(expires.getTime())
        ? html`<p>${t.term('shareExpires', { time: new Intl.DateTimeFormat(t.language, { dateStyle: 'medium', timeStyle: 'short' }).format(expires) })}</p>`
        : nothing}
      ${state.grant.accessCode ? html`<p>${t.term('shareAccessCode', { code: state.grant.accessCode })}</p>` : nothing}
      ${state.grant.accessCode && state.grant.accessUrl ? html`<p>${t.term('shareAccessAt', { url: state.grant.accessUrl })}</p>` : nothing}
      <div class="share-actions">
        <button type="button" class="share-copy" @click=${actions.copy}>${t.term('shareCopy')}</button>
        <button type="button" class="share-download" @click=${actions.download}>${t.term('shareDownloadQr')}</button>
        <button type="button" class="share-close" @click=${actions.close}>${t.term('helpClose')}</button>
      </div>
      <p role="status" aria-live="polite">${state.copied ? t.term('shareCopied') : ''}</p>
    </div>
  </div>`;
}
