/**
 * Teleconsultation chrome over the image area: who leads (following / presenting), the follower's
 * "Take control" button once it tries to act, the presenter's notice of a request with "Give control",
 * the laser pointer toggle, and the presenter's pointer drawn on a follower's image, fading after 2 s.
 */
import { css, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { CollabController } from '../controllers/collab.js';
import { cssomStyle } from './cssom-style.js';
import { icon } from './icons.js';

export function syncOverlay(t: LocalizeController, collab: CollabController) {
  if (collab.role === 'free') return nothing;
  const pointer = collab.role === 'follower' ? collab.pointerPosition() : undefined;
  return html`
    <div class="sync-bar" part="sync" data-sync-allow role="status">
      ${collab.role === 'follower'
        ? html`<span class="sync-chip">${icon('syncFollowing')}<span>${t.term('syncFollowing')}</span></span>
            ${collab.control === 'none'
              ? nothing
              : html`<button type="button" class="sync-take" ?disabled=${collab.control === 'requested'} @click=${() => collab.requestControl()}>
                  ${icon('takeControl')}<span>${t.term(collab.control === 'requested' ? 'syncRequestSent' : 'syncTakeControl')}</span></button>`}`
        : html`<span class="sync-chip">${icon('syncPresenting')}<span>${t.term('syncPresenting')}</span></span>
            <button type="button" class="sync-pointer-toggle" aria-pressed=${collab.pointerOn ? 'true' : 'false'} title=${t.term('syncPointer')}
              aria-label=${t.term('syncPointer')} @click=${() => collab.togglePointer()}>${icon('laserPointer')}</button>
            ${collab.requests.length
              ? html`<span class="sync-request" role="alert">${t.term('syncControlRequested')}</span>
                  <button type="button" class="sync-grant" @click=${() => collab.grantControl()}>${icon('takeControl')}<span>${t.term('syncGrant')}</span></button>
                  <button type="button" class="sync-dismiss" title=${t.term('syncDismiss')} aria-label=${t.term('syncDismiss')} @click=${() => collab.dismissRequests()}>${icon('close')}</button>`
              : nothing}`}
    </div>
    ${pointer ? keyed(pointer.at, html`<div class="sync-pointer" part="sync-pointer" aria-hidden="true" ${cssomStyle({ left: `${pointer.left}px`, top: `${pointer.top}px` })}></div>`) : nothing}
  `;
}

export const syncStyles = css`
  /* Below the top orientation marker (drawn at the image area's top centre). */
  .sync-bar { position: absolute; top: 28px; left: 50%; transform: translateX(-50%); z-index: 6; display: flex; align-items: center; gap: 6px;
    max-width: calc(100% - 12px); padding: 3px 6px; border-radius: 6px; font-size: 0.8em;
    background: color-mix(in srgb, var(--filmless-color-panel, #1e1e1e) 85%, transparent); color: var(--filmless-color-panel-foreground, #eee); }
  .sync-bar .icon { width: 16px; height: 16px; flex: none; }
  .sync-chip, .sync-request { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .sync-bar button { display: inline-flex; align-items: center; gap: 4px; min-height: 28px; padding: 2px 8px; border-radius: 4px; font: inherit; cursor: pointer;
    color: inherit; background: transparent; border: 1px solid var(--filmless-color-border, #555); white-space: nowrap; }
  .sync-bar button[aria-pressed='true'] { background: var(--filmless-color-accent, #4da3ff); color: #000; }
  .sync-take, .sync-grant { border-color: var(--filmless-color-accent, #4da3ff); }
  @media (max-width: 520px) { .sync-chip span, .sync-grant span { display: none; } }
  .sync-pointer { position: absolute; z-index: 5; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%; pointer-events: none;
    background: rgb(255 40 40 / 0.9); box-shadow: 0 0 8px 3px rgb(255 40 40 / 0.6); animation: sync-pointer-fade 2s ease-in forwards; }
  @keyframes sync-pointer-fade { 0%, 60% { opacity: 1; } 100% { opacity: 0; } }
`;
