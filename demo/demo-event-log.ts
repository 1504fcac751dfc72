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

export function showViewerEvents(viewer: HTMLElement, list: HTMLElement, lastType: HTMLElement): void {
  const entries = new Map<string, HTMLLIElement>();
  for (const type of EVENT_TYPES) {
    viewer.addEventListener(type, (event) => {
      const entry = entries.get(type) ?? document.createElement('li');
      entries.set(type, entry);
      entry.replaceChildren(eventHeading(type), eventDetail(event.detail));
      list.prepend(entry);
      lastType.textContent = `(last: ${type})`;
    });
  }
}

function eventHeading(type: string): HTMLElement {
  const heading = document.createElement('strong');
  heading.textContent = `${type} at ${new Date().toLocaleTimeString()}`;
  return heading;
}

function eventDetail(detail: unknown): HTMLElement {
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(detail, null, 2);
  return pre;
}
