/**
 * The element's status and its one way out for events, failures and debug lines: the ViewerContext every
 * controller is given. `status` is reflected to the `status` attribute; a failure becomes one localized
 * message, status `error` and one `filmless-error`; an abort is never a failure.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type FilmlessError, isAbortError, toFilmlessError } from '../../errors.js';
import type { LocalizeController } from '../../i18n/localize-controller.js';
import type { FilmlessErrorDetail, FilmlessEventMap, FilmlessStateOrigin, FilmlessStatus, FilmlessViewState } from '../events.js';
import type { EmitDetail, ViewerContext } from './viewer-context.js';

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment; readonly debug: boolean };

export class ViewerStatus implements ViewerContext, ReactiveController {
  status: FilmlessStatus = 'idle';
  /** The failure shown, while status is `error`. */
  error: FilmlessErrorDetail | undefined;

  constructor(
    readonly host: Host,
    readonly localize: LocalizeController,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.host.hasAttribute('status')) this.host.setAttribute('status', this.status);
  }

  /** Where the view changes of the frame being sent came from (the sync controller answers). */
  stateOrigin: () => FilmlessStateOrigin = () => 'user';
  /** Called after each `filmless-statechange` is sent. */
  stateSent: (detail: FilmlessViewState & { origin: FilmlessStateOrigin }) => void = () => undefined;
  /** Called at once for every change (before the frame's event): the sync controller publishes without waiting for the frame. */
  stateQueued: () => void = () => undefined;
  private pendingState: FilmlessViewState | undefined;

  emit<K extends keyof FilmlessEventMap>(type: K, detail: EmitDetail<K>): void {
    if (type === 'filmless-statechange') {
      // At most one per animation frame, with the frame's last state; a hidden page runs no frames.
      const first = this.pendingState === undefined;
      this.pendingState = detail as FilmlessViewState;
      this.stateQueued();
      if (first) {
        const timer = setTimeout(this.flushState, 100);
        requestAnimationFrame(() => {
          clearTimeout(timer);
          this.flushState();
        });
      }
      return;
    }
    /** @ignore Each event is documented on the element (`@fires`), with its detail type. */
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private readonly flushState = (): void => {
    const state = this.pendingState;
    if (!state) return;
    this.pendingState = undefined;
    const detail = { ...state, origin: this.stateOrigin() };
    /** @ignore Documented on the element (`@fires filmless-statechange`). */
    this.host.dispatchEvent(new CustomEvent('filmless-statechange', { detail, bubbles: true, composed: true }));
    this.stateSent(detail);
  };

  setStatus(status: FilmlessStatus): void {
    this.status = status;
    this.host.setAttribute('status', status);
    this.log(`status ${status}`);
    this.host.requestUpdate();
  }

  fail(error: unknown, signal?: AbortSignal): void {
    if (signal?.aborted || isAbortError(error)) return;
    const failure = this.classify(error);
    const message = this.localize.term(`error.${failure.code}`, { detail: failure.message });
    this.error = { code: failure.code, message, fatal: true, retryable: failure.retryable, ...(failure.status !== undefined ? { status: failure.status } : {}) };
    this.setStatus('error');
    this.log('failed', failure);
    this.emit('filmless-error', { ...this.error });
  }

  warn(error: unknown, message?: string, about: { seriesInstanceUID?: string; imageIndex?: number } = {}): void {
    if (isAbortError(error)) return;
    const failure = this.classify(error);
    this.log('failed (not fatal)', failure);
    this.emit('filmless-error', {
      code: failure.code,
      message: message ?? this.localize.term(`error.${failure.code}`, { detail: failure.message }),
      fatal: false,
      retryable: failure.retryable,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...about,
    });
  }

  /** The FilmlessError of anything thrown; a fault of Filmless itself goes to the console with its stack. */
  private classify(error: unknown): FilmlessError {
    const failure = toFilmlessError(error);
    if (failure.code === 'internal') console.error('[filmless] internal error:', failure.cause ?? failure);
    return failure;
  }

  clearError(): void {
    this.error = undefined;
    this.host.requestUpdate();
  }

  log(message: string, ...details: unknown[]): void {
    if (this.host.debug) console.debug(`[filmless] ${message}`, ...details);
  }
}
