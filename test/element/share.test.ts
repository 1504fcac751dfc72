import { expect } from 'chai';
import jsQR from 'jsqr';
import type { FilmlessSharedDetail } from '../../src/index.js';
import { cleanup, mountViewer, nextEvent, until } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';

describe('sharing a study by link and QR code', () => {
  afterEach(cleanup);

  it('has no Share button unless the host provides share tokens', async () => {
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() });
    await nextEvent(viewer, 'filmless-ready');
    expect(viewer.shadowRoot!.querySelector('.share-button')).to.equal(null);
  });

  it('makes a link with the token only in the fragment, and a QR code that decodes to exactly that link', async () => {
    const asked: unknown[] = [];
    const viewer = mountViewer({
      dicomwebUrl: 'https://pacs.example/dicom-web',
      accessionNumber: 'SCRIPTED-1',
      fetch: scriptedDicomweb(),
      shareUrl: 'https://viewer.hospital.example/filmless/viewer.html',
      shareTokenProvider: async (study: unknown) => {
        asked.push(study);
        return { token: 'share.token-123', expiresAt: '2026-12-01T10:00:00Z', accessCode: 'K7P-2QX', accessUrl: 'https://viewer.hospital.example/access' };
      },
    });
    await nextEvent(viewer, 'filmless-ready');
    const shared = nextEvent<FilmlessSharedDetail>(viewer, 'filmless-shared');
    viewer.shadowRoot!.querySelector<HTMLButtonElement>('.share-button')!.click();
    const { link, expiresAt } = (await shared).detail;
    expect(asked).to.deep.equal([{ studyInstanceUID: '1.2.3', accessionNumber: 'SCRIPTED-1' }]);
    expect(expiresAt).to.equal('2026-12-01T10:00:00Z');

    const url = new URL(link);
    expect(url.origin + url.pathname).to.equal('https://viewer.hospital.example/filmless/viewer.html');
    expect(url.searchParams.get('requestType')).to.equal('STUDY');
    expect(url.searchParams.get('studyUID')).to.equal('1.2.3');
    expect(url.searchParams.get('dicomweb')).to.equal('https://pacs.example/dicom-web');
    expect(url.search).not.to.contain('token');
    expect(url.hash).to.equal('#token=share.token-123');

    const dialog = viewer.shadowRoot!.querySelector('[part="share"]')!;
    expect(dialog.querySelector('input')!.value).to.equal(link);
    expect(dialog.textContent).to.contain('K7P-2QX').and.to.contain('Enter the code at https://viewer.hospital.example/access');
    const canvas = dialog.querySelector('canvas')!;
    await until(() => canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data[3] === 255, 'the QR code to be drawn');
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    expect(jsQR(pixels.data, pixels.width, pixels.height)?.data).to.equal(link);
    // The token is in no attribute of the shadow DOM (only in the field's value property and the pixels).
    expect(viewer.shadowRoot!.innerHTML).not.to.contain('share.token-123');
  });

  it('reports a failed token request as an error event and keeps the study on screen', async () => {
    const viewer = mountViewer({
      dicomwebUrl: 'https://pacs.example/dicom-web',
      accessionNumber: 'SCRIPTED-1',
      fetch: scriptedDicomweb(),
      shareTokenProvider: async () => {
        throw new Error('token service down');
      },
    });
    await nextEvent(viewer, 'filmless-ready');
    const error = nextEvent<{ code: string; message: string }>(viewer, 'filmless-error');
    viewer.shadowRoot!.querySelector<HTMLButtonElement>('.share-button')!.click();
    expect((await error).detail.message).to.equal('A share link could not be created.');
    expect(viewer.status).to.equal('ready');
  });
});
