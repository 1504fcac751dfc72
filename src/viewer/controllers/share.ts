/**
 * Sharing: asks the host for a study-scoped token, then shows the link to the standalone page (token in
 * the fragment), its QR code, copy and download. A failure is a non-fatal error: the study stays.
 */
import type { ReactiveController } from 'lit';
import { toFilmlessError } from '../../errors.js';
import { getDefaultViewerUrl } from '../../share/default-viewer-url.js';
import { type ShareTokenProvider, buildShareLink, drawQrCode, toGrant } from '../../share/share-link.js';
import type { StudySummary } from '../../study/types.js';
import type { SharePanelState } from '../parts/share-panel.js';
import type { ViewerContext } from './viewer-context.js';

export interface ShareSettings {
  shareTokenProvider: ShareTokenProvider | undefined;
  shareUrl: string;
}

export class ShareController implements ReactiveController {
  /** The open share dialog, if any. */
  state: SharePanelState | undefined;

  constructor(
    private readonly context: ViewerContext,
    private readonly settings: ShareSettings,
    /** The DICOMweb URL a shared study is read from when the grant names none. */
    private readonly dicomwebUrlOf: (study: StudySummary) => string,
  ) {
    context.host.addController(this);
  }

  hostConnected(): void {}

  get available(): boolean {
    return Boolean(this.settings.shareTokenProvider);
  }

  async open(study: StudySummary | undefined): Promise<void> {
    const provider = this.settings.shareTokenProvider;
    if (!study || !provider) return;
    const root = this.context.host.renderRoot;
    try {
      const grant = toGrant(await provider({ studyInstanceUID: study.studyInstanceUID, accessionNumber: study.accessionNumber }));
      if (!grant.token) throw new Error('empty share token');
      const link = buildShareLink(
        { viewerUrl: this.settings.shareUrl || getDefaultViewerUrl(), dicomwebUrl: grant.dicomwebUrl || this.dicomwebUrlOf(study), studyInstanceUID: study.studyInstanceUID },
        grant.token,
      );
      this.update({ link, grant, copied: false });
      await this.context.host.updateComplete;
      const canvas = root.querySelector<HTMLCanvasElement>('canvas.qr');
      if (canvas) await drawQrCode(canvas, link);
      root.querySelector<HTMLElement>('.share-copy')?.focus();
      this.context.emit('filmless-shared', { link, ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}) });
    } catch (error) {
      this.update(undefined);
      // A share provider's own error is the server's answer; a TypeError in it is a failed fetch or a bug.
      this.context.warn(toFilmlessError(error, 'server'), this.context.localize.term('shareFailed'));
    }
  }

  async copy(): Promise<void> {
    if (!this.state) return;
    try {
      await navigator.clipboard.writeText(this.state.link);
    } catch {
      // Clipboard refused (no permission, insecure context): select the field so the user can copy.
      const input = this.context.host.renderRoot.querySelector<HTMLInputElement>('.share-link input');
      input?.focus();
      input?.select();
      return;
    }
    this.update({ ...this.state, copied: true });
  }

  downloadQrCode(): void {
    const canvas = this.context.host.renderRoot.querySelector<HTMLCanvasElement>('canvas.qr');
    canvas?.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = 'filmless-share-qr.png';
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, 'image/png');
  }

  close(): void {
    this.update(undefined);
    void this.context.host.updateComplete.then(() => this.context.host.renderRoot.querySelector<HTMLElement>('.share-button')?.focus());
  }

  private update(state: SharePanelState | undefined): void {
    this.state = state;
    this.context.host.requestUpdate();
  }
}
