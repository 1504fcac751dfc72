/**
 * Shows integrators what the viewer tells its host page: the latest `filmless-*` event of each type
 * with its detail as JSON. One entry per type rather than a running list, because `filmless-progress`
 * and `filmless-statechange` fire dozens of times per study and would bury the rest.
 */
const EVENT_TYPES = [
  'filmless-resolved',
  'filmless-candidates',
  'filmless-progress',
  'filmless-ready',
  'filmless-error',
  'filmless-statechange',
] as const;

/** The log's words in the page's language: `{type}` and `{time}` are replaced. */
export interface EventLogText {
  locale: string;
  /** e.g. `{type} at {time}` */
  heading: string;
  /** e.g. `(last: {type})` */
  last: string;
}

export function showViewerEvents(viewer: HTMLElement, list: HTMLElement, lastType: HTMLElement, text: () => EventLogText): void {
  const entries = new Map<string, HTMLLIElement>();
  for (const type of EVENT_TYPES) {
    viewer.addEventListener(type, (event) => {
      const entry = entries.get(type) ?? document.createElement('li');
      entries.set(type, entry);
      entry.replaceChildren(eventHeading(type, text()), eventDetail(event.detail));
      list.prepend(entry);
      lastType.dataset.type = type;
      lastType.textContent = text().last.replace('{type}', type);
    });
  }
}

function eventHeading(type: string, text: EventLogText): HTMLElement {
  const heading = document.createElement('strong');
  const time = new Date().toLocaleTimeString(text.locale);
  heading.textContent = text.heading.replace('{type}', type).replace('{time}', time);
  return heading;
}

function eventDetail(detail: unknown): HTMLElement {
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(detail, null, 2);
  return pre;
}
