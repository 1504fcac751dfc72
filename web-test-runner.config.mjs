// Browser tests: Debian's Chromium (software WebGL through SwiftShader), modules served by Vite, and a
// real Orthanc behind the demo gateway. Run through `tsx` so this file can import the TypeScript harness.
import { chromeLauncher } from '@web/test-runner-chrome';
import { createServer } from 'vite';
import { freePort } from './test/support/orthanc.ts';
import { startTestPacs, ACCESSIONS, REAL_ACCESSIONS, CHARSET_ACCESSIONS, FOUR_SERIES_ACCESSION, MULTI_PACS, TEST_TOKEN } from './test/support/fixtures.ts';
import { readStoredPixel } from './test/support/dicom-pixels.ts';
import { readSpacing, regionTruth } from './test/support/measurement-truth.ts';
import { modalityPercentiles, readFileWindows } from './test/support/view-tools-facts.ts';
import { geometryStudies } from './test/support/geometry-studies.ts';
import { readOrientation } from './test/support/orientation-truth.ts';
import { seriesValues } from './test/support/file-values.ts';
import { readGeometry } from './test/support/dicom-geometry.ts';
import { codecStudies } from './test/support/codec-studies.ts';
import { servedPaths, servedRequestsMiddleware } from './test/support/served-requests.ts';
import { badDataStudies } from './test/support/bad-data-studies.ts';
import { startFaultProxy } from './test/support/fault-proxy.ts';
import { loadFaultStudies } from './test/support/fault-studies.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.ts';
import { summaryReporter } from './test/support/summary-reporter.ts';
import { engineGroups, selectedGroups } from './test/support/engine-launchers.ts';
import { deploymentsMiddleware } from './test/support/deployments.ts';
import { securityStudies } from './test/support/security-studies.ts';
import { defaultReporter } from '@web/test-runner';

const port = await freePort();
const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
// Every group but unit asks the PACS (the element and engine groups too, through pacs-info).
const needsPacs = !process.argv.includes('--group') || process.argv[process.argv.indexOf('--group') + 1] !== 'unit';

const vite = await createServer({
  configFile: './vite.config.ts',
  server: { middlewareMode: true, hmr: false, ws: false },
  // Scan every test up front: dependencies discovered lazily make Vite re-optimize and reload mid-run.
  optimizeDeps: { entries: ['test/**/*.test.ts', 'src/**/*.ts'] },
  appType: 'custom',
  logLevel: 'warn',
  plugins: [
    {
      // The runner serves its own web socket module; Vite must leave that import alone.
      name: 'web-test-runner-socket',
      resolveId: (id) => (id.startsWith('/__web-dev-server') ? { id, external: true } : null),
    },
  ],
});

/** Lets Vite answer module requests (TypeScript, Cornerstone's dependencies) inside the runner's server. */
function viteMiddleware(ctx, next) {
  return new Promise((resolve, reject) => {
    vite.middlewares(ctx.req, ctx.res, (error) => {
      if (error) reject(error);
      else resolve(next());
    });
    ctx.res.once('finish', () => {
      ctx.respond = false;
      resolve();
    });
  });
}

let pacs;
let cdn;
/** The fault-injecting proxy in front of the gateway, and one small study per fault test (faults.test.ts). */
let faultProxy;
let faultStudies;
const mediaSessions = new WeakMap();

/** Serves dist/ the way a CDN would: another origin, a sub-path, CORS for any page. */
async function startCdn() {
  const { createServer: createHttpServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, join, normalize } = await import('node:path');
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };
  const server = createHttpServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const prefix = '/cdn/filmless/1.0/';
    if (!path.startsWith(prefix)) return res.writeHead(404).end();
    try {
      const body = await readFile(join('dist', path.slice(prefix.length)));
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/cdn/filmless/1.0/`, close: () => new Promise((r) => server.close(r)) };
}

/** Node-side helpers the browser tests call with executeServerCommand(). */
const pacsPlugin = {
  name: 'filmless-test-pacs',
  async serverStart() {
    if (needsPacs) pacs = await startTestPacs(origins);
    if (pacs) {
      faultStudies = await loadFaultStudies(pacs.orthanc, pacs.data.mr, pacs.studies);
      faultProxy = await startFaultProxy(pacs.gatewayUrl);
    }
    cdn = await startCdn();
  },
  async serverStop() {
    await faultProxy?.close();
    await pacs?.stop();
    await cdn?.close();
    await vite.close();
  },
  async executeCommand({ command, payload, session }) {
    if (command === 'touch') {
      // Real touch input through the DevTools protocol: multi-finger gestures as a phone sends them.
      const page = session.browser.getPage(session.id);
      const cdp = await page.createCDPSession();
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
      for (const step of payload.steps) {
        await cdp.send('Input.dispatchTouchEvent', { type: step.type, touchPoints: step.points.map(([x, y], id) => ({ x, y, id })) });
      }
      await cdp.detach();
      return true;
    }
    if (command === 'media') {
      // Emulated user preferences (forced colours, reduced motion) through the DevTools protocol.
      // Emulation lasts as long as the DevTools session that set it: keep one per page.
      const page = session.browser.getPage(session.id);
      const cdp = mediaSessions.get(page) ?? (await page.createCDPSession());
      mediaSessions.set(page, cdp);
      await cdp.send('Emulation.setEmulatedMedia', { features: Object.entries(payload).map(([name, value]) => ({ name, value })) });
      return true;
    }
    if (command === 'heap') {
      // Memory tests: the page's heap after full garbage collections (objects, and the backing stores of
      // array buffers: decoded pixels), and its running dedicated workers, through the DevTools protocol.
      const page = session.browser.getPage(session.id);
      const cdp = await page.createCDPSession();
      try {
        for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize, backingStorageSize = 0 } = await cdp.send('Runtime.getHeapUsage');
        return { usedSize, backingStorageSize, workers: page.workers().length };
      } finally {
        await cdp.detach();
      }
    }
    if (command === 'screenshot') {
      // Saved for people to look at (CI keeps nothing; locally: .cache/screenshots).
      const page = session.browser.getPage(session.id);
      const { mkdir } = await import('node:fs/promises');
      await mkdir('.cache/screenshots', { recursive: true });
      await page.screenshot({ path: `.cache/screenshots/${payload.name}.png` });
      return true;
    }
    if (command === 'pacs-info') {
      if (!pacs) throw new Error('The test PACS was not started');
      const accessions = {
        ...Object.fromEntries(Object.entries(ACCESSIONS).map(([k, v]) => [k, v.accession])),
        charsetVi: CHARSET_ACCESSIONS.vi,
        charsetTr: CHARSET_ACCESSIONS.tr,
        multiShared: MULTI_PACS.shared,
        multiOnlyB: MULTI_PACS.onlyB,
        fourSeries: FOUR_SERIES_ACCESSION,
      };
      const realAccessions = pacs.data.realCt ? Object.fromEntries(Object.entries(REAL_ACCESSIONS).map(([k, v]) => [k, v.accession])) : undefined;
      return {
        gatewayUrl: pacs.gatewayUrl,
        hospitalBUrl: pacs.hospitalB.gatewayUrl,
        token: TEST_TOKEN,
        accessions,
        realAccessions,
        data: pacs.data,
        studies: pacs.studies,
        codecs: codecStudies(),
        // Damaged images and ../shared/dicom/bad-inputs (bad-data-studies.ts).
        badData: badDataStudies(),
        // ../shared/dicom's robustness/ and transfer-syntaxes/ folders (robustness-studies.ts); absent without it.
        robustness: pacs.robustness,
        imageTypes: pacs.imageTypes,
        cdnUrl: cdn.url,
        faultProxyUrl: faultProxy?.url,
        faultStudies,
      };
    }
    // Security tests: a CT copy and two studies whose text carries markup and bidi overrides, made on first use.
    if (command === 'security-studies') return securityStudies(pacs.orthanc, pacs.studies[ACCESSIONS.ctPixels.accession][0]);
    if (command === 'stop-hospital-b') {
      await pacs.hospitalB.stop();
      return true;
    }
    if (command === 'patient-studies') {
      // The PACS's own answer, through its REST API (not DICOMweb): the studies it holds for a patient.
      const found = await fetch(`${pacs.orthanc.url}/tools/find`, {
        method: 'POST',
        body: JSON.stringify({ Level: 'Study', Query: { PatientID: payload.patientId, ...(payload.modality ? { ModalitiesInStudy: payload.modality } : {}) }, Expand: true }),
      });
      return ((await found.json())).map((study) => study.MainDicomTags.StudyInstanceUID);
    }
    // Network faults (test/support/fault-proxy.ts): rules for the proxy, and its log of every request.
    if (command === 'fault') {
      faultProxy.setRules(payload.rules);
      return true;
    }
    if (command === 'fault-clear') {
      faultProxy.clearRules();
      return true;
    }
    if (command === 'fault-log') return faultProxy.log.filter((entry) => entry.seq > (payload?.after ?? 0));
    if (command === 'gateway-requests') {
      return pacs.requests.map((r) => ({ time: r.time, method: r.method, url: r.url, authorization: r.authorization ?? null, status: r.status }));
    }
    // Orientation and geometry tests: series written from the generated studies, ImageOrientationPatient of a file.
    if (command === 'geometry-studies') return geometryStudies(pacs.orthanc, pacs.data);
    if (command === 'file-orientation') return readOrientation(payload.file);
    // View tools: a file's own windows, and percentiles of its modality values (padding left out).
    if (command === 'file-windows') return readFileWindows(payload.file);
    if (command === 'modality-percentiles') return modalityPercentiles(payload.file, payload.fractions);
    if (command === 'stored-pixel') {
      return readStoredPixel(payload.file, payload.column, payload.row);
    }
    if (command === 'file-spacing') return readSpacing(payload.file);
    if (command === 'region-truth') return regionTruth(payload.file, payload.kind, payload.corners);
    // Paths the test server served since a moment (workers' requests too): which codec files a load fetched.
    if (command === 'served-paths') return servedPaths(payload.since);
    if (command === 'series-values') {
      // A series' files decoded in Node (dicom-parser, DCMTK, OpenJPEG), never by the viewer's code.
      return seriesValues(payload.files, payload.points);
    }
    if (command === 'dicom-geometry') {
      return readGeometry(payload.files);
    }
    return undefined;
  },
};

export default {
  rootDir: '.',
  port,
  hostname: 'localhost',
  nodeResolve: false,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 60_000 } },
  // FILMLESS_TEST_FILES=test/integration/x.test.ts runs only those files (a glob), e.g. while working on them.
  // FILMLESS_TEST_ENGINES=firefox,webkit runs them in those engines (test/support/engine-launchers.ts).
  groups: process.env.FILMLESS_TEST_FILES
    ? selectedGroups(process.env.FILMLESS_TEST_FILES)
    : [
        { name: 'unit', files: 'test/unit/**/*.test.ts' },
        { name: 'element', files: 'test/element/**/*.test.ts' },
        { name: 'integration', files: 'test/integration/**/*.test.ts' },
        // Firefox ESR, WebKit, and Chromium with WebGL off.
        ...engineGroups(),
      ],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  // npm test (FILMLESS_TEST_LOGS set by scripts/test.sh) gets the quiet summary; by hand, the runner's own progress.
  reporters: process.env.FILMLESS_TEST_LOGS ? [summaryReporter(process.env.FILMLESS_TEST_LOGS)] : [defaultReporter(), summaryReporter('.cache/test-logs')],
  // The standalone page's configuration and its deployments from dist/ (test/support/deployments.ts), then Vite.
  middleware: [servedRequestsMiddleware, deploymentsMiddleware(() => pacs), viteMiddleware],
  plugins: [pacsPlugin],
};
