/**
 * What the viewer shows around the images: the series list, the chooser when several studies match, the
 * waiting message, the error with its retry button, and the text of the polite live region.
 */
import { html, nothing } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import { isImageSeries } from '../../study/series-selection.js';
import type { SeriesSummary, StackSummary, StudySummary } from '../../study/types.js';
import type { FilmlessErrorDetail, FilmlessProgressDetail, FilmlessStatus } from '../events.js';
import { isolated } from './dicom-text.js';
import { icon } from './icons.js';
import { SERIES_DRAG_TYPE, unreachableNotice } from './viewport-cell.js';

export interface SeriesListView {
  study: StudySummary | undefined;
  /** The series of the active viewport. */
  selected: string;
  thumbnails: Map<string, string>;
  /** Stacks of the series whose metadata has been read: a series of several gets a tile per stack. */
  stacks?: Map<string, StackSummary[]>;
  /** The stack of `selected` shown in the active viewport. */
  selectedStack?: number;
  open: boolean;
  /** Patient mode: big thumbnails. */
  large?: boolean;
}

/**
 * The series panel: a column left of the images on wide elements, a drawer over them on narrow ones
 * (CSS container queries); collapsed unless `open`. The active viewport's series is pressed.
 */
export function seriesList(
  t: LocalizeController,
  view: SeriesListView,
  select: (seriesInstanceUID: string, stack?: number) => void,
  close: () => void = () => undefined,
  /** More of the panel, below the series (the priors list). */
  footer: unknown = nothing,
) {
  const series = view.study?.series.filter(isImageSeries) ?? [];
  if (series.length === 0) return nothing;
  // One tile per stack ("2/3") for a series of several stacks: each scrolls on its own, never interleaved.
  const tiles = series.flatMap((s): { s: SeriesSummary; stack?: { index: number; count: number; imageCount: number } }[] => {
    const stacks = view.stacks?.get(s.seriesInstanceUID) ?? [];
    return stacks.length > 1 ? stacks.map((stack, index) => ({ s, stack: { index, count: stacks.length, imageCount: stack.imageCount } })) : [{ s, stack: undefined }];
  });
  // A stack's own preview (its middle frame) once fetched, else the series'.
  const thumbnail = (uid: string, stack: number | undefined) => (stack === undefined ? undefined : view.thumbnails.get(`${uid}#${stack}`)) ?? view.thumbnails.get(uid);
  const pressed = (s: SeriesSummary, stack: { index: number } | undefined) =>
    s.seriesInstanceUID === view.selected && (stack === undefined || stack.index === (view.selectedStack ?? 0));
  return html`<div id="series" class="series-list ${view.open ? 'open' : ''} ${view.large ? 'large' : ''}" part="series-list" role="group"
    aria-label=${t.term('seriesListLabel')} ?inert=${!view.open}
    @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && (event.preventDefault(), close())}>
    ${tiles.map(
      ({ s, stack }) => html`<button type="button" aria-pressed=${pressed(s, stack)} @click=${() => select(s.seriesInstanceUID, stack?.index)}
        draggable="true" data-series=${s.seriesInstanceUID} data-stack=${stack === undefined ? nothing : stack.index}
        title=${stack === undefined ? nothing : t.term('stackLabel', { index: stack.index + 1, count: stack.count })}
        @dragstart=${(event: DragEvent) => event.dataTransfer?.setData(SERIES_DRAG_TYPE, s.seriesInstanceUID)}>
        ${thumbnail(s.seriesInstanceUID, stack?.index)
          ? html`<img src=${thumbnail(s.seriesInstanceUID, stack?.index)!} alt="" width="96" height="96" />`
          : html`<span class="thumb-placeholder" aria-hidden="true">${s.modality}</span>`}
        <span class="series-name">${s.modality} ${s.description ? isolated(s.description) : `#${s.seriesNumber ?? ''}`}</span>
        ${stack === undefined
          ? html`<small>${t.count('seriesImages', s.imageCount)}</small>`
          : html`<small><span class="stack-badge" aria-label=${t.term('stackLabel', { index: stack.index + 1, count: stack.count })}>${stack.index + 1}/${stack.count}</span>
              ${t.count('seriesImages', stack.imageCount)}</small>`}
      </button>`,
    )}
    ${footer}
  </div>`;
}

export interface ChooserView {
  candidates: StudySummary[];
  kind: 'accession' | 'patient';
  unreachable: string[];
}

export function chooser(t: LocalizeController, view: ChooserView, select: (studyInstanceUID: string) => void) {
  if (view.candidates.length === 0) return nothing;
  const named = view.candidates.some((s) => s.sources.some(Boolean));
  return html`<div class="chooser" part="chooser">
    <p id="chooser-title">${t.term(view.kind === 'patient' ? 'chooserPatientTitle' : 'chooserTitle')}</p>
    ${unreachableNotice(t, view.unreachable)}
    <table aria-labelledby="chooser-title">
      <thead><tr><th>${t.term('chooserDate')}</th><th>${t.term('chooserModalities')}</th>
        <th>${t.term('chooserDescription')}</th><th>${t.term('chooserInstitution')}</th>
        ${named ? html`<th>${t.term('chooserSource')}</th>` : nothing}</tr></thead>
      <tbody>${view.candidates.map(
        (s) => html`<tr>
          <td><button type="button" @click=${() => select(s.studyInstanceUID)}>${t.date(s.studyDate) || '—'}</button></td>
          <td>${s.modalities.join(', ')}</td><td>${isolated(s.description)}</td><td>${isolated(s.institution)}</td>
          ${named ? html`<td>${s.sources.join(', ')}</td>` : nothing}
        </tr>`,
      )}</tbody>
    </table>
  </div>`;
}

/** "Enter an accession number", or "Finding the study…" until the first image. */
export function waitingMessage(t: LocalizeController, status: FilmlessStatus, hasImage: boolean, choosing: boolean) {
  if (choosing) return nothing;
  if (status !== 'idle' && status !== 'resolving' && !(status === 'loading' && !hasImage)) return nothing;
  return html`<div class="message">${status === 'idle' ? t.term('idle') : t.term('resolving')}</div>`;
}

export function errorPanel(t: LocalizeController, error: FilmlessErrorDetail | undefined, status: FilmlessStatus, retry: () => void) {
  if (!error || status !== 'error') return nothing;
  return html`<div class="error" part="error" role="alert">
    <p>${error.message}</p>
    ${error.code === 'source-not-allowed' ? nothing : html`<button type="button" class="with-icon" @click=${retry}>${icon('retry')}<span>${t.term('retry')}</span></button>`}
  </div>`;
}

/** What the polite live region says: status changes, and loading progress in coarse steps only. */
export function liveText(t: LocalizeController, status: FilmlessStatus, progress: FilmlessProgressDetail, error: FilmlessErrorDetail | undefined): string {
  switch (status) {
    case 'resolving':
      return t.term('resolving');
    case 'loading':
      return t.term('loading', { loaded: progress.loaded, total: progress.total });
    case 'ready': {
      const { loaded, total } = progress;
      if (total > 0 && loaded < total) return t.term('loading', { loaded: Math.floor((loaded / total) * 4) * Math.floor(total / 4), total });
      return t.term('ready');
    }
    case 'error':
      return error?.message ?? '';
    default:
      return '';
  }
}
