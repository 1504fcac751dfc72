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

describe('series frames on a slow link', () => {
  it('asks for the frames nearest to the one on screen first, following it as it moves', async () => {
    const { paths, client } = server(frames);
    const keys = Array.from({ length: 11 }, (_, i) => frameKey(`I${i}`, 1));
    const { frameStore, outcomes } = store(client, keys);
    const asked = () => paths.map((path) => /instances\/I(\d+)\//.exec(path)?.[1]).filter((n) => n !== undefined).map(Number);
    // The reader is on slice 5, and moves to slice 0 once four frames have been asked for.
    await frameStore.startNearestFirst(() => (asked().length >= 4 ? 0 : 5));
    expect(await outcomes).to.deep.equal(keys.map((key) => `${key.split('/')[0]}:1`));
    expect(asked()).to.deep.equal([5, 4, 6, 3, 0, 1, 2, 7, 8, 9, 10]);
  });

  it('leaves the series stream alone once it was started, and sends no frame request of its own', async () => {
    const { paths, client } = server(frames);
    const keys = Array.from({ length: 3 }, (_, i) => frameKey(`I${i}`, 1));
    const { frameStore, outcomes } = store(client, keys);
    const bulk = frameStore.startBulk();
    expect(frameStore.startNearestFirst(() => 0)).to.equal(bulk);
    await bulk;
    await outcomes;
    // The stream (refused here) and its fallback: each frame asked for once.
    expect(paths.filter((path) => path.includes('/frames/')).length).to.equal(3);
  });
});

describe('link speed', () => {
  const frameOf = (bytes: number) =>
    new Response(new Blob(['--b\r\nContent-Type: application/octet-stream\r\n\r\n', new Uint8Array(bytes), '\r\n--b--\r\n']), {
      headers: { 'Content-Type': 'multipart/related; type="application/octet-stream"; boundary=b' },
    });

  it('calls a link slow when a 256 KB frame takes a second, and fast when it comes at once', async () => {
    const slow = new DicomwebClient({
      baseUrl: 'https://pacs.test/dicom-web',
      fetch: () => new Promise((resolve) => setTimeout(() => resolve(frameOf(256 * 1024)), 1000)),
    });
    await slow.retrieveFrames('S', 'X', 'I', [1], new AbortController().signal);
    expect(slow.link.isSlow).to.equal(true);
    expect(slow.link.bytesPerSecond).to.be.below(300_000);

    const fast = new DicomwebClient({ baseUrl: 'https://pacs.test/dicom-web', fetch: async () => frameOf(256 * 1024) });
    await fast.retrieveFrames('S', 'X', 'I', [1], new AbortController().signal);
    expect(fast.link.isSlow).to.equal(false);
  });

  it('does not judge the link by small frames, which only measure round trips', async () => {
    const client = new DicomwebClient({
      baseUrl: 'https://pacs.test/dicom-web',
      fetch: () => new Promise((resolve) => setTimeout(() => resolve(frameOf(8 * 1024)), 500)),
    });
    await client.retrieveFrames('S', 'X', 'I', [1], new AbortController().signal);
    expect(client.link.bytesPerSecond).to.equal(undefined);
    expect(client.link.isSlow).to.equal(false);
  });
});
