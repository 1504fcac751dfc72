// filmless-error as a host page sees it: `fatal` tells a failure that stopped the viewer from one that
// left it working (the status stays), and a fault of the viewer itself is `internal`, with the original
// error on the console. On the scripted DICOMweb server (test/support/scripted-dicomweb.ts).
import { expect } from 'chai';
import type { FilmlessErrorDetail } from '../../src/index.js';
import { en } from '../../src/i18n/messages.js';
import { cleanup, mountViewer, nextEvent } from '../support/browser.js';
import { scriptedDicomweb } from '../support/scripted-dicomweb.js';

const PACS = 'https://pacs.example/dicom-web';

describe('filmless-error: fatal or not, internal or not', () => {
  afterEach(cleanup);

  it('is fatal when the viewer stops (status error, the message in place of the images)', async () => {
    const viewer = mountViewer({ accessionNumber: 'A1' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail).to.include({ code: 'config', fatal: true });
    expect(viewer.status).to.equal('error');
  });

  it('is not fatal for an invalid measurement, and the status stays ready', async () => {
    const viewer = mountViewer({ dicomwebUrl: PACS, accessionNumber: 'SCRIPTED-1', fetch: scriptedDicomweb() });
    await nextEvent(viewer, 'filmless-ready');
    const error = nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    viewer.addMeasurement({ kind: 'nonsense' as 'length', imagePoints: [] });
    expect((await error).detail).to.include({ code: 'invalid-measurement', fatal: false });
    expect(viewer.status).to.equal('ready');
  });

  it('reports a bug in the viewer as internal, not network, with the original error and its stack on the console', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const viewer = mountViewer({
        dicomwebUrl: PACS,
        accessionNumber: 'SCRIPTED-1',
        fetch: scriptedDicomweb(),
        // A share provider with a bug of its own: a TypeError that no fetch threw.
        shareTokenProvider: async () => (undefined as unknown as { grant: { token: string } }).grant,
      });
      await nextEvent(viewer, 'filmless-ready');
      const error = nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
      viewer.shadowRoot!.querySelector<HTMLButtonElement>('.share-button')!.click();
      const { detail } = await error;
      expect(detail).to.include({ code: 'internal', fatal: false, message: en.shareFailed });
      expect(viewer.status, 'a failed share leaves the study on screen').to.equal('ready');
      const cause = logged.find((args) => args.some((a) => a instanceof TypeError))?.find((a) => a instanceof TypeError) as TypeError | undefined;
      expect(cause, 'the original TypeError on the console').to.not.equal(undefined);
      expect(cause!.stack).to.be.a('string').and.not.equal('');
    } finally {
      console.error = original;
    }
  });

  it('still reports a failed fetch as network', async () => {
    const viewer = mountViewer({ dicomwebUrl: 'http://127.0.0.1:9/dicom-web', accessionNumber: 'A1', token: 't' });
    const error = await nextEvent<FilmlessErrorDetail>(viewer, 'filmless-error');
    expect(error.detail).to.include({ code: 'network', fatal: true });
  });
});
