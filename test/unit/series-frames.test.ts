import { expect } from 'chai';
import { DicomwebClient, type FetchLike } from '../../src/dicomweb/client.js';
import { SeriesFrames, frameKey } from '../../src/dicomweb/series-frames.js';
import { FilmlessError } from '../../src/errors.js';

/**
 * A server without series retrieval (406), whose frames answer is `answer(sop, frames)`; records the
 * paths asked for. The series stream then fails at once and the store fetches what it did not bring.
 */
function server(answer: (sop: string, frames: string[]) => Response) {
  const paths: string[] = [];
  const fetch: FetchLike = async (url) => {
    const path = new URL(url).pathname;
    paths.push(path);
    const match = /\/instances\/([^/]+)\/frames\/([\d,]+)$/.exec(path);
    return match ? answer(match[1]!, match[2]!.split(',')) : new Response('', { status: 406 });
  };
  return { paths, client: new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch, retry: { baseDelayMs: 1, maxDelayMs: 2 } }) };
}

const frames = (sop: string, numbers: string[]) =>
  new Response(numbers.map((n) => `--b\r\nContent-Type: application/octet-stream\r\n\r\n${sop}:${n}\r\n`).join('') + '--b--\r\n', {
    headers: { 'Content-Type': 'multipart/related; type="application/octet-stream"; boundary=b' },
  });

function store(client: DicomwebClient, keys: string[]) {
  const frameStore = new SeriesFrames({ client, studyUID: 'S', seriesUID: 'X', frameKeys: keys, signal: new AbortController().signal });
  const outcomes = Promise.all(
    keys.map((key) => {
      const [sop, frame] = key.split('/');
      return frameStore.whenArrived(sop!, Number(frame)).then(
        (bytes) => new TextDecoder().decode(bytes.bytes),
        (error: unknown) => error,
      );
    }),
  );
  return { frameStore, outcomes };
}

describe('series frames the series stream did not bring', () => {
  it('asks for a multi-frame instance\'s missing frames in one request, and for a single-frame instance alone', async () => {
    const { paths, client } = server(frames);
    const keys = [...[1, 2, 3, 4, 5].map((n) => frameKey('A', n)), frameKey('B', 1)];
    const { frameStore, outcomes } = store(client, keys);
    await frameStore.startBulk();
    expect(await outcomes).to.deep.equal(['A:1', 'A:2', 'A:3', 'A:4', 'A:5', 'B:1']);
    expect(paths.slice(1).sort()).to.deep.equal(['/dicom-web/studies/S/series/X/instances/A/frames/1,2,3,4,5', '/dicom-web/studies/S/series/X/instances/B/frames/1']);
  });

  it('fails the frames not yet asked for with the error of a server that stays away, without asking for them', async () => {
    const { paths, client } = server(() => new Response('', { status: 503 }));
    const keys = Array.from({ length: 8 }, (_, i) => frameKey(`I${i}`, 1));
    const { frameStore, outcomes } = store(client, keys);
    await frameStore.startBulk();
    for (const outcome of await outcomes) expect(outcome).to.be.instanceOf(FilmlessError).and.to.include({ code: 'server', status: 503, retryable: true });
    // The four requests in flight, each tried four times; the other four instances never asked for.
    const asked = new Set(paths.slice(1));
    expect(asked.size).to.equal(4);
    expect(paths.length - 1).to.equal(16);
  });
});
