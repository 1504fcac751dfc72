// Which codec files a study makes the page fetch (issue 11, P5: "plus only the codec WASM the study
// uses"), read from the test server's own log, since a page's resource timing does not see what its
// workers fetch. A file of its own, so a page of its own: nothing fetched a codec before its first test,
// and the browser's cache holds none.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { CodecStudies, CodecStudy } from '../support/codec-studies.js';
import { cleanup, mountViewer, nextEvent, pacsInfo } from '../support/browser.js';

const info = (await pacsInfo()) as Awaited<ReturnType<typeof pacsInfo>> & { codecs?: CodecStudies };
const studies = info.codecs?.studies ?? [];

/**
 * Codec files among paths served: WebAssembly, the lean first image's codec worker, and its decoders (one
 * module per codec, src/first-image/codecs/, the WebAssembly codecs' shared helper left out).
 */
function codecFiles(paths: string[]): { wasm: string[]; worker: boolean; decoders: string[] } {
  const name = (path: string) => path.split('/').pop()!;
  const names = (pattern: RegExp) => [...new Set(paths.filter((p) => pattern.test(p)).map(name))].sort();
  return {
    wasm: names(/\.wasm$/),
    worker: paths.some((p) => p.includes('/first-image/codec.worker')),
    decoders: names(/\/first-image\/codecs\//).filter((file) => !file.startsWith('wasm-codec.')),
  };
}

/** Shows the study and waits until every image of its series is decoded; answers what was served meanwhile. */
async function load(study: CodecStudy): Promise<{ viewer: FilmlessViewer; served: string[] }> {
  const since = Date.now();
  const viewer = mountViewer({ dicomwebUrl: info.gatewayUrl, token: info.token, accessionNumber: study.accession });
  const decoded = new Promise<void>((resolve) =>
    viewer.addEventListener('filmless-progress', (event) => {
      const { loaded, total } = (event as CustomEvent<{ loaded: number; total: number }>).detail;
      if (loaded === total) resolve();
    }),
  );
  await nextEvent(viewer, 'filmless-ready');
  // A one-image series has no progress to report beyond the first image.
  if (study.imageCount > 1) await decoded;
  const served = (await executeServerCommand('served-paths', { since })) as string[];
  return { viewer, served };
}

describe('the codec files a study fetches', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it('fetches no codec, neither WebAssembly nor a codec chunk, for an uncompressed study', async () => {
    const study = studies.find((s) => s.transferSyntaxUID === '1.2.840.10008.1.2.1');
    expect(study, 'an Explicit VR Little Endian study').to.not.equal(undefined);
    const { served } = await load(study!);
    expect(served.length, 'the test server saw the load').to.be.greaterThan(0);
    expect(codecFiles(served)).to.deep.equal({ wasm: [], worker: false, decoders: [] });
  });

  it('fetches CharLS alone for a JPEG-LS study: its WebAssembly and the first image\'s JPEG-LS chunk', async () => {
    const study = studies.find((s) => s.transferSyntaxUID === '1.2.840.10008.1.2.4.80' && s.source === 'transcoded');
    expect(study, 'the generated CT as JPEG-LS').to.not.equal(undefined);
    const { served } = await load(study!);
    const { wasm, worker, decoders } = codecFiles(served);
    expect(wasm, 'WebAssembly fetched').to.have.length.greaterThan(0);
    expect(wasm.filter((file) => !file.startsWith('charlswasm_decode')), 'WebAssembly other than CharLS').to.deep.equal([]);
    expect(worker, 'the first image\'s codec worker').to.equal(true);
    expect(decoders, 'decoder modules').to.deep.equal(['jpegls.ts']);
  });
});
