import { expect } from 'chai';
import type { FilmlessFirstImageDetail, FetchLike } from '../../src/index.js';
import { scriptedDicomweb, type ScriptOptions } from '../support/scripted-dicomweb.js';
import { canvasGrey, cleanup, mountViewer, nextEvent } from '../support/browser.js';

/** The scripted server, with every request path and query it was asked for. */
function recordingServer(options: ScriptOptions): { fetch: FetchLike; requests: string[] } {
  const server = scriptedDicomweb(options);
  const requests: string[] = [];
  return {
    requests,
    fetch: (url, init) => {
      const { pathname, search } = new URL(url);
      requests.push(`${pathname.replace('/dicom-web', '')}${search}`);
      return server(url, init);
    },
  };
}

describe('the first image before the series metadata', () => {
  afterEach(cleanup);

  it('finds the middle instance by its number and draws it while the series metadata is still being built', async () => {
    const server = recordingServer({ studies: [{ uid: '1.2.3', images: 12 }], holdMetadata: true });
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: server.fetch });
    const first = await nextEvent<FilmlessFirstImageDetail>(viewer, 'filmless-first-image');
    expect(first.detail).to.include({ imageIndex: 5, imageCount: 12 });
    // The series metadata never answered: the image came from the instance search, its metadata and its frame.
    expect(viewer.status).to.equal('loading');
    expect(server.requests).to.include.members([
      '/studies/1.2.3/series/1.2.3.1/metadata',
      '/studies/1.2.3/series/1.2.3.1/instances?InstanceNumber=6',
      '/studies/1.2.3/series/1.2.3.1/instances/1.2.3.1.6/metadata',
      '/studies/1.2.3/series/1.2.3.1/instances/1.2.3.1.6/frames/1',
    ]);
    const canvas = viewer.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.first-image')!;
    expect(canvas.hidden).to.equal(false);
    // The gradient runs from black (top left) to bright (bottom right) through the file's window 1000/2000.
    const side = Math.min(canvas.width, canvas.height);
    const left = (canvas.width - side) / 2;
    const top = (canvas.height - side) / 2;
    expect(canvasGrey(canvas, left + 3, top + 3, 1)).to.be.lessThan(20);
    expect(canvasGrey(canvas, left + side - 4, top + side - 4, 1)).to.be.greaterThan(200);
    await viewer.updateComplete;
    expect(viewer.shadowRoot!.querySelector('[part="overlay"]')!.textContent).to.contain('6 / 12');
  });

  it('waits for the series metadata when the server ignores the instance number filter, and shows the middle by geometry', async () => {
    const server = recordingServer({ studies: [{ uid: '1.2.3', images: 12 }], ignoreInstanceFilter: true });
    const viewer = mountViewer({ dicomwebUrl: 'https://pacs.example/dicom-web', accessionNumber: 'SCRIPTED-1', fetch: server.fetch });
    const first = await nextEvent<FilmlessFirstImageDetail>(viewer, 'filmless-first-image');
    expect(first.detail).to.include({ imageIndex: 5, imageCount: 12 });
    expect(server.requests.filter((r) => /instances\/[^/]+\/metadata/.test(r)), 'no instance was taken for the middle one').to.deep.equal([]);
    expect(server.requests).to.include('/studies/1.2.3/series/1.2.3.1/metadata');
  });
});
