/**
 * What the element gives its controllers: its reactive host, its localizer, and the one way each thing
 * leaves the element (an event, a status, a failure, a debug line). Controllers never reach into the
 * element otherwise, so each one can be read, and tested, on its own.
 */
import type { ReactiveControllerHost } from 'lit';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { FilmlessEventMap, FilmlessStatus, FilmlessViewState } from '../events.js';

export type EventDetail<K extends keyof FilmlessEventMap> = FilmlessEventMap[K] extends CustomEvent<infer D> ? D : never;

/** What a controller hands to `emit`: a statechange's `origin` is added when it is sent (once per frame). */
export type EmitDetail<K extends keyof FilmlessEventMap> = K extends 'filmless-statechange' ? FilmlessViewState : EventDetail<K>;

export interface ViewerContext {
  readonly host: ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };
  readonly localize: LocalizeController;
  /** Dispatches one of the element's documented events (bubbling, composed). */
  emit<K extends keyof FilmlessEventMap>(type: K, detail: EmitDetail<K>): void;
  setStatus(status: FilmlessStatus): void;
  /** Reports a failure once: status `error`, the localized message, `filmless-error`. Aborts are not failures. */
  fail(error: unknown, signal?: AbortSignal): void;
  /**
   * Reports a failure that leaves the viewer working (one image, a share, a secondary source): one
   * `filmless-error` with `fatal: false`, `message` (default: the code's localized text); status unchanged.
   */
  warn(error: unknown, message?: string, about?: { seriesInstanceUID?: string; imageIndex?: number }): void;
  /** A debug line, only with the `debug` attribute (never the token). */
  log(message: string, ...details: unknown[]): void;
}
