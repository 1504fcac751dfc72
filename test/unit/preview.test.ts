import { expect } from 'chai';
import { DicomwebClient, type FetchLike } from '../../src/dicomweb/client.js';
import { fetchPreview, fileWindow, previewSize } from '../../src/first-image/preview.js';

/** A 2×1 PNG (one black, one white pixel): what a server's rendering decodes to. */
const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAAAAADRSSBWAAAAC0lEQVR4nGNg+A8AAQIBAEK+vGgAAAAASUVORK5CYII='),
  (c) => c.charCodeAt(0),
);

describe('the first image preview', () => {
  it('asks for the image fitted into the viewport device pixels, never larger than the image nor 512 pixels', () => {
    expect(previewSize({ width: 360, height: 580 }, 1, { columns: 512, rows: 512 })).to.deep.equal({ width: 360, height: 360 });
    expect(previewSize({ width: 360, height: 580 }, 3, { columns: 512, rows: 512 })).to.deep.equal({ width: 512, height: 512 });
    expect(previewSize({ width: 360, height: 580 }, 2, { columns: 256, rows: 128 })).to.deep.equal({ width: 256, height: 128 });
    expect(previewSize({ width: 400, height: 300 }, 1, { columns: 512, rows: 1024 })).to.deep.equal({ width: 150, height: 300 });
    expect(previewSize({ width: 1000, height: 600 }, 1)).to.deep.equal({ width: 512, height: 307 });
    expect(previewSize({ width: 0, height: 600 }, 1)).to.equal(undefined);
  });

  it('renders in the file first window, with its VOI function, and leaves a file without a window to the server', () => {
    const dataset = (center: string[] | undefined, width: string[] | undefined, fn?: string) => ({
      ...(center ? { '00281050': { vr: 'DS', Value: center } } : {}),
      ...(width ? { '00281051': { vr: 'DS', Value: width } } : {}),
      ...(fn ? { '00281056': { vr: 'CS', Value: [fn] } } : {}),
    });
    expect(fileWindow(dataset(['40', '600'], ['80', '2800']))).to.deep.equal({ center: 40, width: 80, function: 'linear' });
    expect(fileWindow(dataset(['40'], ['400'], 'SIGMOID'))).to.deep.equal({ center: 40, width: 400, function: 'sigmoid' });
    expect(fileWindow(dataset(['40'], ['0']))).to.equal(undefined);
    expect(fileWindow(dataset(undefined, undefined))).to.equal(undefined);
    expect(fileWindow(undefined)).to.equal(undefined);
  });

  it('asks the instance level once when the server refuses the frame level, with the token in the header only', async () => {
    const asked: { url: string; auth: string | null; accept: string | null }[] = [];
    const fetch: FetchLike = async (url, init) => {
      const headers = new Headers(init.headers);
      asked.push({ url, auth: headers.get('authorization'), accept: headers.get('accept') });
      return url.includes('/frames/') ? new Response('', { status: 400 }) : new Response(PNG, { headers: { 'Content-Type': 'image/png' } });
    };
    const client = new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch, getToken: () => 'secret' });
    const bitmap = await fetchPreview(client, '1.2', '1.2.3', '1.2.3.4', { width: 360, height: 360 }, { center: 40, width: 400, function: 'linear' }, new AbortController().signal);
    expect([bitmap.width, bitmap.height]).to.deep.equal([2, 1]);
    bitmap.close();
    expect(asked.map((a) => a.url)).to.deep.equal([
      'https://pacs.test/dicom-web/studies/1.2/series/1.2.3/instances/1.2.3.4/frames/1/rendered?viewport=360,360&window=40,400,linear',
      'https://pacs.test/dicom-web/studies/1.2/series/1.2.3/instances/1.2.3.4/rendered?viewport=360,360&window=40,400,linear',
    ]);
    for (const a of asked) {
      expect(a.auth).to.equal('Bearer secret');
      expect(a.accept).to.equal('image/jpeg');
    }
  });

  it('gives up without a second request when the server fails otherwise (a refused token)', async () => {
    let requests = 0;
    const fetch: FetchLike = async () => (requests++, new Response('', { status: 403 }));
    const client = new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch });
    const failure = await fetchPreview(client, '1.2', '1.2.3', '1.2.3.4', { width: 10, height: 10 }, undefined, new AbortController().signal).catch((error: unknown) => error);
    expect((failure as { code?: string }).code).to.equal('forbidden');
    expect(requests).to.equal(1);
  });
});
