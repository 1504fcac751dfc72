import { expect } from 'chai';
import type { FilmlessResolvedDetail } from '../../src/index.js';
import { cleanup, mountViewer, nextEvent, pacsInfo, readyOrError } from '../support/browser.js';

describe('patient names in national character sets, through Orthanc', () => {
  afterEach(cleanup);

  it('shows a Vietnamese name stored as ISO_IR 192 (UTF-8) exactly, family name first', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.charsetVi });
    viewer.setAttribute('lang', 'vi');
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.patientName).to.equal('NGUYỄN^THỊ ĐỨC');
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    const overlay = viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent!;
    expect(overlay).to.contain('NGUYỄN THỊ ĐỨC');
  });

  it('shows a Turkish name stored as ISO_IR 148 (Latin-5) exactly, given name first', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: pacs.accessions.charsetTr });
    viewer.setAttribute('lang', 'tr');
    const resolved = await nextEvent<FilmlessResolvedDetail>(viewer, 'filmless-resolved');
    expect(resolved.detail.patientName).to.equal('ŞAHİN^GÜLŞEN');
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    const overlay = viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent!;
    expect(overlay).to.contain('GÜLŞEN ŞAHİN');
    // The date is written the Turkish way (day, month name, year), not as the DICOM 20260315.
    expect(overlay).to.contain(new Intl.DateTimeFormat('tr', { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(2026, 2, 15)));
    expect(overlay).not.to.contain('20260315');
  });
});
