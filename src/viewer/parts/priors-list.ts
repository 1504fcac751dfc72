/**
 * The priors list (the patient's other CT and MR studies, each with a Compare button), the comparison
 * bar (sync toggles, end of comparison) and the date badge each viewport shows while comparing. The
 * list is the foot of the series panel; the bar sits between the toolbar and the images.
 */
import { css, html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { StudySummary } from '../../study/types.js';
import type { ViewportLoad } from '../../viewport/viewport-load.js';
import type { PriorsState } from '../controllers/priors.js';
import type { SyncKind } from '../controllers/scroll-sync.js';
import { isolated } from './dicom-text.js';
import { type IconName, icon } from './icons.js';

export interface PriorsListView {
  state: PriorsState;
  priors: StudySummary[];
  /** The prior being opened, if any. */
  opening: string | undefined;
  /** Studies shown in a viewport now (their Compare button is pressed). */
  shown: string[];
}

/**
 * The priors, at the foot of the series panel (a narrow column): each as a small card, date first, with
 * its Compare button. Nothing while the search has not started, and nothing when it was refused.
 */
export function priorsList(t: LocalizeController, view: PriorsListView, compare: (studyInstanceUID: string) => void) {
  if (view.state === 'idle' || view.state === 'hidden' || view.state === 'waiting') return nothing;
  const named = view.priors.some((s) => s.sources.some(Boolean));
  return html`<section class="priors-list" part="priors" aria-labelledby="priors-title">
    <h2 id="priors-title">${t.term('priorsTitle')}</h2>
    ${view.state === 'searching'
      ? html`<p class="priors-note">${t.term('priorsSearching')}</p>`
      : view.priors.length === 0
        ? html`<p class="priors-note">${t.term('priorsNone')}</p>`
        : html`<ul>
            ${view.priors.map((s) => {
              const date = t.date(s.studyDate) || '—';
              const busy = view.opening === s.studyInstanceUID;
              return html`<li data-study=${s.studyInstanceUID}>
                <strong class="prior-date">${date}</strong>
                <span class="prior-text"><span class="prior-modalities">${s.modalities.join(', ')}</span> ${isolated(s.description)}</span>
                ${named ? html`<span class="prior-source">${s.sources.join(', ')}</span>` : nothing}
                <button type="button" class="prior-compare" aria-pressed=${view.shown.includes(s.studyInstanceUID) ? 'true' : 'false'}
                  aria-label=${t.term('priorsCompareLabel', { date })} title=${t.term('priorsCompareLabel', { date })} ?disabled=${busy}
                  @click=${() => compare(s.studyInstanceUID)}>${busy ? t.term('priorsOpening') : t.term('priorsCompare')}</button>
              </li>`;
            })}
          </ul>`}
  </section>`;
}

export interface CompareBarView {
  scroll: boolean;
  windowLevel: boolean;
  zoomPan: boolean;
}

export interface CompareBarActions {
  toggle(kind: SyncKind): void;
  end(): void;
}

/**
 * The comparison's toggles, in a bar between the toolbar and the images while a prior is shown beside
 * the study: icon and label, the labels giving way to the icons alone in narrow elements.
 */
export function compareBar(t: LocalizeController, view: CompareBarView, on: CompareBarActions) {
  const button = (name: IconName, label: string, className: string, action: () => void, pressed?: boolean) =>
    html`<button type="button" class="with-icon ${className}" aria-pressed=${pressed === undefined ? nothing : pressed ? 'true' : 'false'}
      aria-label=${label} title=${label} @click=${action}>${icon(name)}<span class="compare-label">${label}</span></button>`;
  return html`<div class="compare-bar" part="compare" role="toolbar" aria-label=${t.term('compareLabel')}>
    <span class="compare-title" title=${t.term('syncShiftHint')}>${t.term('compareLabel')}</span>
    ${button('scroll', t.term('syncScroll'), 'sync-scroll', () => on.toggle('scroll'), view.scroll)}
    ${button('windowLevel', t.term('syncWindowLevel'), 'sync-windowLevel', () => on.toggle('windowLevel'), view.windowLevel)}
    ${button('pan', t.term('syncZoomPan'), 'sync-zoomPan', () => on.toggle('zoomPan'), view.zoomPan)}
    ${button('layout1x1', t.term('compareEnd'), 'compare-end', on.end)}
  </div>`;
}

/**
 * The study date of one viewport, large, with "Current" or "Prior": while comparing, which image is
 * which must never be in doubt. Separate from the four-corner overlay, at the bottom centre.
 */
export function studyBadge(t: LocalizeController, load: ViewportLoad, currentStudy: string | undefined) {
  const study = load.series?.study;
  if (!study) return nothing;
  const current = study.studyInstanceUID === currentStudy;
  return html`<div class="study-badge ${current ? 'current' : 'prior'}" part="study-badge" data-study=${study.studyInstanceUID}>
    <span class="badge-kind">${t.term(current ? 'badgeCurrent' : 'badgePrior')}</span>
    <span class="badge-date">${t.date(study.studyDate) || '—'}</span>
  </div>`;
}

export const priorsStyles = css`
  .priors-list { margin-top: 6px; padding-top: 6px; border-top: 1px solid rgb(127 127 127 / 0.35); font-size: 0.85em; }
  .priors-list h2 { font-size: 1em; margin: 0 0 4px; font-weight: 600; }
  .priors-list ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
  .priors-list li { display: flex; flex-direction: column; gap: 2px; }
  .prior-text, .prior-source { opacity: 0.85; overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
  .prior-modalities { font-weight: 600; }
  .series-list .priors-list .prior-compare { flex-direction: row; align-items: center; justify-content: center; text-align: center;
    border: 1px solid var(--filmless-border); padding: 3px 6px; min-height: 28px; margin-top: 2px; }
  .priors-note { margin: 2px 0; opacity: 0.85; }
  /* Between the toolbar and the images while comparing: it never covers the overlay's corners. */
  .compare-bar { display: flex; gap: 4px; padding: 3px 4px; align-items: center; background: var(--filmless-panel);
    color: var(--filmless-panel-foreground); overflow-x: auto; border-top: 1px solid var(--filmless-border); }
  .compare-bar .compare-title { font-weight: 600; margin-right: 4px; white-space: nowrap; }
  .compare-bar button { min-height: 28px; padding: 2px 8px; font-size: 0.9em; white-space: nowrap; gap: 6px; flex: none; }
  .compare-bar .icon { width: 16px; height: 16px; flex: none; }
  .compare-bar .compare-end { margin-left: auto; }
  /* Bottom centre, above the overlay's three bottom lines (series, image, location) and the P/A marker: the corners keep their text. */
  .study-badge { position: absolute; bottom: 72px; left: 50%; transform: translateX(-50%); z-index: 1; pointer-events: none;
    display: flex; gap: 6px; align-items: baseline; padding: 1px 8px; border-radius: 4px; font-weight: 600;
    background: rgb(0 0 0 / 0.7); color: #fff; border: 1px solid #fff; font-size: 1.1em; white-space: nowrap; }
  .study-badge.prior { border-color: #ffd166; color: #ffd166; }
  .study-badge .badge-kind { font-size: 0.75em; font-weight: 500; text-transform: uppercase; letter-spacing: 0.04em; }
  @container (max-width: 899px) {
    .compare-bar .compare-label { display: none; }
    .compare-bar button { padding: 2px 6px; }
  }
  @container (max-width: 519px) {
    .compare-bar .compare-title { display: none; }
    .compare-bar button { min-height: 36px; min-width: 36px; justify-content: center; }
    .study-badge { font-size: 0.95em; }
    .study-badge .badge-kind { display: none; }
  }
  @media (forced-colors: active) {
    .study-badge, .compare-bar { border: 1px solid CanvasText; }
  }
`;
