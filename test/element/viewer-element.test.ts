import { expect } from 'chai';
import type { FilmlessErrorDetail } from '../../src/index.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';
import { cleanup, mountViewer, nextEvent } from '../support/browser.js';

describe('<filmless-viewer> as a host page sees it', () => {
  afterEach(cleanup);

  it('starts idle, with the status reflected and a prompt shown', async () => {
    const viewer = mountViewer();
    await viewer.updateComplete;
    expect(viewer.status).to.equal('idle');
    expect(viewer.getAttribute('status')).to.equal('idle');
    expect(viewer.shadowRoot!.textContent).to.contain('Enter an accession number');
  });

  it('maps attributes to properties', async () => {
    const holder = document.createElement('div');
    holder.innerHTML = '<filmless-viewer dicomweb-url="https://pacs.example/dicom-web" accession-number="A7" issuer="HOSP" study-uid="1.2"></filmless-viewer>';
    const viewer = holder.firstElementChild as HTMLElementTagNameMap['filmless-viewer'];
    expect([viewer.dicomwebUrl, viewer.accessionNumber, viewer.issuer, viewer.studyUid]).to.deep.equal(['https://pacs.example/dicom-web', 'A7', 'HOSP', '1.2']);
  });

  it('reports a config error, in the widget and as an event, when dicomweb-url is missing', async () => {
    const viewer = mountViewer({ accessionNumber: 'A1' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('config');
    expect(error.bubbles && error.composed).to.equal(true);
    expect(viewer.status).to.equal('error');
    expect(viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('not set up correctly');
  });

  it('reports network when the server cannot be reached, and keeps the input for a retry', async () => {
    const viewer = mountViewer({ dicomwebUrl: 'http://127.0.0.1:9/dicom-web', accessionNumber: 'A1', token: 't' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('network');
    expect(viewer.accessionNumber).to.equal('A1');
    const retry = viewer.shadowRoot!.querySelector<HTMLButtonElement>('[part="error"] button')!;
    const again = nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    retry.click();
    expect((await again).detail.code).to.equal('network');
  });

  it('shows the message in Turkish when lang="tr", and switches language at run time', async () => {
    const viewer = mountViewer({ accessionNumber: 'A1' });
    viewer.setAttribute('lang', 'tr');
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.message).to.contain('yapılandırılmamış');
    viewer.setAttribute('lang', 'vi');
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('Thử lại');
  });

  it('reports a truncated frame as bad-data, never as a black image with status ready', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb({ frame: new Uint8Array(100) }) });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('bad-data');
    expect(viewer.status).to.equal('error');
    expect(viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('damaged');
    await new Promise((resolve) => setTimeout(resolve, 200));
    window.removeEventListener('unhandledrejection', onUnhandled);
    expect(unhandled, 'the failure is reported once, as an event, not as an uncaught rejection').to.deep.equal([]);
  });

  it('reports a compressed frame that does not decode as bad-data', async () => {
    const garbage = new Uint8Array(2000).map((_, i) => (i * 37) & 0xff);
    const viewer = mountViewer({
      dicomwebUrl: 'https://pacs.example/dicom-web',
      accessionNumber: 'SCRIPTED-1',
      fetch: scriptedDicomweb({ frame: garbage, transferSyntax: '1.2.840.10008.1.2.4.80' }),
    });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('bad-data');
    expect(viewer.status).to.equal('error');
  });
});
