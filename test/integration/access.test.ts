import { expect } from 'chai';
import type { FilmlessErrorDetail } from '../../src/index.js';
import { cleanup, gatewayRequests, mountViewer, nextEvent, pacsInfo, readyOrError } from '../support/browser.js';

describe('access and failures against the gateway', () => {
  afterEach(cleanup);

  it('sends the bearer token in the Authorization header of every request and never in a URL', async () => {
    const pacs = await pacsInfo();
    const token = `test-token-${crypto.randomUUID()}`;
    const before = (await gatewayRequests()).length;
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token, accessionNumber: pacs.accessions.mrAuth });
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
    await nextEventOrDone(viewer);
    const studyUID = pacs.studies[pacs.accessions.mrAuth!]![0]!;
    const mine = (await gatewayRequests()).slice(before).filter(
      (r) => r.url.includes(pacs.accessions.mrAuth!) || r.url.includes(studyUID) || (r.authorization ?? '').includes(token),
    );
    const gets = mine.filter((r) => r.method === 'GET');
    // QIDO, metadata, the first frame and the series stream at least.
    expect(gets.length).to.be.greaterThanOrEqual(4);
    for (const request of gets) expect(request.authorization, request.url).to.equal(`Bearer ${token}`);
    for (const request of mine) expect(request.url).not.to.contain(token);
    // The token is not left in the DOM either.
    expect(viewer.outerHTML).not.to.contain(token);
    expect(viewer.shadowRoot!.innerHTML).not.to.contain(token);
  });

  it('moves a token attribute into the property and removes it from the DOM', async () => {
    const pacs = await pacsInfo();
    const holder = document.createElement('div');
    holder.innerHTML = `<filmless-viewer token="test-token-attr" dicomweb-url="${pacs.gatewayUrl}"></filmless-viewer>`;
    document.body.append(holder);
    const viewer = holder.querySelector('filmless-viewer')!;
    expect(viewer.hasAttribute('token')).to.equal(false);
    expect(viewer.token).to.equal('test-token-attr');
    holder.remove();
  });

  it('reports not-found with a message in the widget for an unknown accession number', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({ dicomwebUrl: pacs.gatewayUrl, token: pacs.token, accessionNumber: 'FL-DOES-NOT-EXIST' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail.code).to.equal('not-found');
    expect(viewer.status).to.equal('error');
    const shown = viewer.shadowRoot!.querySelector('[part="error"]')!.textContent!;
    expect(shown).to.contain('No study was found for this accession number.');
  });

  it('reports unauthorized for a wrong token, after asking the token provider once', async () => {
    const pacs = await pacsInfo();
    let asked = 0;
    const viewer = mountViewer({
      dicomwebUrl: pacs.gatewayUrl,
      token: 'wrong-token',
      tokenProvider: async () => {
        asked += 1;
        return 'still-wrong';
      },
      accessionNumber: pacs.accessions.mrWrongToken,
    });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail).to.include({ code: 'unauthorized', status: 401 });
    expect(asked).to.equal(1);
    expect(viewer.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('could not be verified');
  });

  it('recovers with the token provider\'s fresh token after a 401', async () => {
    const pacs = await pacsInfo();
    const viewer = mountViewer({
      dicomwebUrl: pacs.gatewayUrl,
      token: 'expired-token',
      tokenProvider: async () => pacs.token,
      accessionNumber: pacs.accessions.mrWrongToken,
    });
    expect((await readyOrError(viewer)).type).to.equal('filmless-ready');
  });
});

/** Lets the series stream finish so all of this test's requests are in the gateway log. */
async function nextEventOrDone(viewer: HTMLElement): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = (event: Event) => {
      const { loaded, total } = (event as CustomEvent<{ loaded: number; total: number }>).detail;
      if (loaded >= total) {
        viewer.removeEventListener('filmless-progress', check);
        resolve();
      }
    };
    viewer.addEventListener('filmless-progress', check);
    setTimeout(resolve, 20_000);
  });
}
