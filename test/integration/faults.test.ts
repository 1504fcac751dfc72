/**
 * Network faults between the viewer and a real Orthanc (README, "Network faults"): a proxy in front of
 * the gateway (test/support/fault-proxy.ts) answers 401, 403, 404, 429, 5xx, slowly, cuts streams,
 * truncates bodies, sends wrong types, malformed JSON and HTML pages, as each test asks. Each test
 * loads its own small study (test/support/fault-studies.ts) and checks what a host sees (events,
 * status, the image against the file) and what the server saw (the proxy's log): every fault ends in
 * its documented outcome, and no request is sent more often than the documented bound.
 */
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { FilmlessErrorDetail, FilmlessProgressDetail } from '../../src/index.js';
import type { FilmlessViewer } from '../../src/viewer/filmless-viewer.component.js';
import type { FaultRule, ProxyLogEntry } from '../support/fault-proxy.js';
import type { FaultCase, FaultStudy } from '../support/fault-studies.js';
import { cleanup, nextEvent, pacsInfo, storedPixel, until } from '../support/browser.js';

/** README, "Network faults": attempts per request for a transient failure (the first included). */
const MAX_ATTEMPTS = 4;

interface FaultInfo {
  faultProxyUrl: string;
  faultStudies: Record<FaultCase, FaultStudy>;
}

async function faultInfo(): Promise<FaultInfo> {
  return (await pacsInfo()) as unknown as FaultInfo;
}

async function setFaults(rules: FaultRule[]): Promise<void> {
  await executeServerCommand('fault', { rules });
}

async function proxyLog(after: number): Promise<ProxyLogEntry[]> {
  return (await executeServerCommand('fault-log', { after })) as ProxyLogEntry[];
}

/** Everything a test's viewer did and saw: its errors, whether every image arrived, its requests. */
interface Run {
  viewer: FilmlessViewer;
  study: FaultStudy;
  token: string;
  errors: FilmlessErrorDetail[];
  /** Resolves once every image of the series was decoded or found failed (progress loaded = total). */
  settled: Promise<void>;
  /** The proxy's log of this test's requests (by its study, accession number or token). */
  requests(): Promise<ProxyLogEntry[]>;
}

let logStart = 0;

async function open(
  name: FaultCase,
  rules: (study: FaultStudy, token: string) => FaultRule[],
  props: Partial<FilmlessViewer> & Record<string, unknown> = {},
  attributes: Record<string, string> = {},
): Promise<Run> {
  const info = await faultInfo();
  const study = info.faultStudies[name];
  const token = `test-token-fault-${name}-${crypto.randomUUID()}`;
  logStart = (await proxyLog(0)).length;
  await setFaults(rules(study, token));
  const errors: FilmlessErrorDetail[] = [];
  const viewer = document.createElement('filmless-viewer');
  viewer.addEventListener('filmless-error', (event) => errors.push(event.detail));
  const settled = new Promise<void>((resolve) => {
    viewer.addEventListener('filmless-progress', (event) => {
      const { loaded, total } = event.detail as FilmlessProgressDetail;
      if (total > 0 && loaded >= total) resolve();
    });
  });
  viewer.setAttribute('style', 'display:block; width: 480px; height: 400px');
  for (const [attribute, value] of Object.entries(attributes)) viewer.setAttribute(attribute, value);
  Object.assign(viewer, { dicomwebUrl: info.faultProxyUrl, token, accessionNumber: study.accession, ...props });
  document.body.append(viewer);
  const requests = async () =>
    (await proxyLog(logStart)).filter(
      (r) => r.url.includes(study.studyInstanceUID) || r.url.includes(study.accession) || (r.authorization ?? '').startsWith(`Bearer test-token-fault-${name}-`),
    );
  return { viewer, study, token, errors, settled, requests };
}

async function outcome(viewer: FilmlessViewer): Promise<'ready' | 'error'> {
  const event = await Promise.race([nextEvent(viewer, 'filmless-ready'), nextEvent(viewer, 'filmless-error')]);
  return event.type === 'filmless-ready' ? 'ready' : 'error';
}

const gets = (log: ProxyLogEntry[]) => log.filter((r) => r.method === 'GET');
const sopOf = (r: ProxyLogEntry) => /\/instances\/([^/]+)\/frames\//.exec(r.url)?.[1];

/** How often each URL was asked for. */
function counts(log: ProxyLogEntry[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const r of gets(log)) map.set(r.url, (map.get(r.url) ?? 0) + 1);
  return map;
}

/** No URL was asked for more often than `bound`, and no token ever travelled in a URL. */
function expectBounded(log: ProxyLogEntry[], bound = MAX_ATTEMPTS): void {
  for (const [url, n] of counts(log)) expect(n, `${url} sent ${n} times`).to.be.at.most(bound);
  for (const r of log) expect(r.url, 'a token in a URL').not.to.contain('test-token-');
}

/** The modality value at the image centre, as the viewer probes it and as the file stores it. */
async function centreMatchesFile(viewer: FilmlessViewer, file: string): Promise<void> {
  const { data } = await pacsInfo();
  const series = data.mr.series.find((s) => s.files.includes(file))!;
  const [column, row] = [Math.floor(series.columns / 2), Math.floor(series.rows / 2)];
  const truth = await storedPixel(file, column, row);
  expect(viewer.probe(column, row), `${file} at ${column},${row}`).to.equal(truth.modalityValue);
}

/** Scrolls to an image and waits until it is the one shown. */
async function showImage(viewer: FilmlessViewer, index: number): Promise<void> {
  viewer.scrollImages(index - viewer.getViewState().imageIndex);
  await until(() => viewer.getViewState().imageIndex === index, `image ${index}`);
}

/** The frames asked for alone, after the series stream (the first image is asked for before it). */
function framesAfterStream(log: ProxyLogEntry[]): ProxyLogEntry[] {
  const stream = log.find((r) => r.kind === 'series');
  return gets(log).filter((r) => r.kind === 'frames' && stream !== undefined && r.seq > stream.seq);
}

describe('network faults between the viewer and the PACS', function () {
  this.timeout(40_000);
  afterEach(async () => {
    cleanup();
    await executeServerCommand('fault-clear');
  });

  it('recovers from a token that expires mid-series with one call to the token provider, and sends the new token only in the Authorization header', async () => {
    const fresh = `test-token-fault-token-${crypto.randomUUID()}`;
    let asked = 0;
    const run = await open(
      'token',
      (study, token) => [{ token, armedBy: { kind: 'series', match: [study.studyInstanceUID] }, fault: { type: 'status', status: 401 } }],
      {
        tokenProvider: async () => {
          asked += 1;
          return fresh;
        },
      },
    );
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(asked, 'token provider calls').to.equal(1);
    expect(run.errors).to.deep.equal([]);
    expect(run.viewer.status).to.equal('ready');
    // Requests outside the series (thumbnails) may still be on their way: wait until each refused one was sent again.
    const resent = (log: ProxyLogEntry[]) => gets(log).every((r) => r.status !== 401 || gets(log).some((a) => a.url === r.url && a.seq > r.seq && a.status !== 0));
    let log = await run.requests();
    for (let tries = 0; tries < 50 && !resent(log); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await run.requests();
    }
    const refused = gets(log).filter((r) => r.status === 401);
    expect(refused.length, 'requests refused with the expired token').to.be.greaterThan(0);
    for (const r of refused) {
      expect(r.authorization).to.equal(`Bearer ${run.token}`);
      // Each refused request was sent again once, with the new token, and got through.
      const again = gets(log).filter((a) => a.url === r.url && a.seq > r.seq);
      expect(again.map((a) => [a.authorization, a.status]), r.url).to.deep.equal([[`Bearer ${fresh}`, 200]]);
    }
    for (const r of gets(log).filter((r) => r.authorization === `Bearer ${fresh}`)) expect(r.status, r.url).to.be.below(400);
    expectBounded(log, 2);
    for (const r of log) expect(r.url).not.to.contain(fresh.slice(11));
    expect(run.viewer.outerHTML + run.viewer.shadowRoot!.innerHTML).not.to.contain(fresh);
  });

  for (const [name, status, code] of [['forbidden', 403, 'forbidden'], ['notFound', 404, 'not-found']] as const) {
    it(`shows the rest of the series when one image answers ${status}, reported once as a non-fatal ${code} for that image and never asked again`, async () => {
      const run = await open(name, (study) => {
        const target = study.instances[0]!.sopInstanceUID;
        return [
          { match: [target], fault: { type: 'status', status } },
          { kind: 'series', match: [study.studyInstanceUID], fault: { type: 'omit', sopInstanceUIDs: [target] } },
        ];
      });
      expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
      await run.settled;
      const failed = run.errors.filter((e) => e.imageIndex === 0);
      expect(failed, JSON.stringify(run.errors)).to.have.length(1);
      expect(failed[0]).to.include({ code, status, fatal: false });
      expect(run.errors.filter((e) => e.fatal), 'fatal errors').to.deep.equal([]);
      expect(run.viewer.status).to.equal('ready');
      const target = run.study.instances[0]!.sopInstanceUID;
      const log = await run.requests();
      expect(gets(log).filter((r) => r.url.includes(target)).map((r) => r.status), 'requests for the refused image').to.deep.equal([status]);
      expectBounded(log);
      const middle = Math.floor((run.study.instances.length - 1) / 2);
      await centreMatchesFile(run.viewer, run.study.instances[middle]!.file);
    });
  }

  it('on a slow link, leaves the link to the tools first, then brings the slices nearest to the one shown first, without the series stream', async () => {
    // The first frame takes two seconds: a phone on a mobile network (link-speed.ts calls it slow).
    const run = await open('slowLink', (study) => [{ kind: 'frames', match: [study.studyInstanceUID], times: 1, fault: { type: 'delay', ms: 2000 } }]);
    await nextEvent(run.viewer, 'filmless-ready');
    const readyAt = Date.now();
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = gets(await run.requests());
    expect(log.filter((r) => r.kind === 'series'), 'series stream requests').to.deep.equal([]);
    const frames = log.filter((r) => r.kind === 'frames');
    const index = (r: ProxyLogEntry) => run.study.instances.findIndex((i) => i.sopInstanceUID === sopOf(r));
    const [first, ...rest] = frames.map(index);
    const middle = Math.floor((run.study.instances.length - 1) / 2);
    expect(first, 'the first frame asked for').to.equal(middle);
    // Every other image once, none before the tools worked, nearest to the middle first.
    expect([...rest].sort((a, b) => a - b)).to.deep.equal(run.study.instances.map((_, i) => i).filter((i) => i !== middle));
    for (const r of frames.slice(1)) expect(r.time, 'asked for after filmless-ready').to.be.at.least(readyAt - 5);
    const distances = rest.map((i) => Math.abs(i - middle));
    expect(distances).to.deep.equal([...distances].sort((a, b) => a - b));
    await centreMatchesFile(run.viewer, run.study.instances[middle]!.file);
  });

  it('waits for Retry-After after a 429, on the metadata and on the series stream, then shows the series', async () => {
    const run = await open('tooMany', (study) => [
      { kind: 'metadata', match: [study.seriesInstanceUID], times: 1, fault: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } },
      { kind: 'series', match: [study.seriesInstanceUID], times: 1, fault: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } },
    ]);
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = await run.requests();
    for (const kind of ['metadata', 'series'] as const) {
      const sent = gets(log).filter((r) => r.kind === kind && r.url.includes(run.study.seriesInstanceUID));
      expect(sent.map((r) => r.status), kind).to.deep.equal([429, 200]);
      // The server's log: the retry came no sooner than Retry-After asked (1 s, less the clock's granularity).
      expect(sent[1]!.time - sent[0]!.ended!, `${kind}: wait before the retry`).to.be.at.least(950);
    }
    expectBounded(log);
  });

  it('retries 502 and 503 with backoff and shows the series once the server answers', async () => {
    const run = await open('unavailable', (study) => [
      { kind: 'qido', match: [study.accession], times: 1, fault: { type: 'status', status: 502, body: 'Bad gateway' } },
      { kind: 'metadata', match: [study.seriesInstanceUID], times: 2, fault: { type: 'status', status: 503 } },
    ]);
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = await run.requests();
    const metadata = gets(log).filter((r) => r.kind === 'metadata' && r.url.includes(run.study.seriesInstanceUID));
    expect(metadata.map((r) => r.status)).to.deep.equal([503, 503, 200]);
    // Backoff: the second wait is drawn from a range twice as far out as the first's.
    const firstWait = metadata[1]!.time - metadata[0]!.ended!;
    const secondWait = metadata[2]!.time - metadata[1]!.ended!;
    expect(firstWait, 'first backoff').to.be.at.least(100);
    expect(secondWait, 'second backoff').to.be.at.least(225);
    expectBounded(log);
  });

  it('gives up on a server that keeps answering 503 after four attempts, with a fatal, retryable server error', async () => {
    const run = await open('down', (study) => [{ kind: 'metadata', match: [study.seriesInstanceUID], fault: { type: 'status', status: 503 } }]);
    expect(await outcome(run.viewer)).to.equal('error');
    expect(run.errors).to.have.length(1);
    expect(run.errors[0]).to.include({ code: 'server', status: 503, fatal: true, retryable: true });
    expect(run.viewer.status).to.equal('error');
    const log = await run.requests();
    expect(gets(log).filter((r) => r.kind === 'metadata' && r.url.includes(run.study.seriesInstanceUID))).to.have.length(MAX_ATTEMPTS);
    expectBounded(log);
  });

  it('times out a slow answer after request-timeout and shows the series from the retry', async () => {
    const run = await open('slow', (study) => [{ kind: 'metadata', match: [study.seriesInstanceUID], times: 1, fault: { type: 'delay', ms: 6_000 } }], { requestTimeout: 1_000 });
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = await run.requests();
    const metadata = gets(log).filter((r) => r.kind === 'metadata' && r.url.includes(run.study.seriesInstanceUID));
    expect(metadata.map((r) => r.fault ?? 'none')).to.deep.equal(['delay 6000', 'none']);
    expectBounded(log);
  });

  it('reports a server that never answers in time as a fatal, retryable network error after four attempts (request-timeout attribute)', async () => {
    const info = await faultInfo();
    const study = info.faultStudies.slowAlways;
    // The attribute, as a host page writes it.
    const run = await open('slowAlways', () => [{ kind: 'metadata', match: [study.seriesInstanceUID], fault: { type: 'delay', ms: 4_000 } }], {}, { 'request-timeout': '400' });
    expect(run.viewer.requestTimeout).to.equal(400);
    expect(await outcome(run.viewer)).to.equal('error');
    expect(run.errors[0]).to.include({ code: 'network', fatal: true, retryable: true });
    const log = await run.requests();
    expect(gets(log).filter((r) => r.kind === 'metadata' && r.url.includes(study.seriesInstanceUID))).to.have.length(MAX_ATTEMPTS);
    expectBounded(log);
  });

  for (const [name, how, props] of [
    ['dropped', 'drop', {}],
    ['stalled', 'stall', { requestTimeout: 1_500 }],
  ] as const) {
    it(`resumes a series stream ${how === 'drop' ? 'whose connection drops' : 'that stalls'} midway by asking only for the images it did not bring`, async () => {
      const run = await open(name, (study) => [{ kind: 'series', match: [study.seriesInstanceUID], fault: { type: 'cut', afterParts: 4, how } }], props);
      expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
      await run.settled;
      expect(run.errors).to.deep.equal([]);
      const log = await run.requests();
      const streams = gets(log).filter((r) => r.kind === 'series');
      expect(streams, 'series streams').to.have.length(1);
      const brought = new Set(streams[0]!.parts);
      expect(brought.size, 'instances the stream brought whole').to.equal(4);
      const first = gets(log).find((r) => r.kind === 'frames')!;
      const all = run.study.instances.map((i) => i.sopInstanceUID);
      const missing = all.filter((sop) => !brought.has(sop) && sop !== sopOf(first));
      const asked = framesAfterStream(log).map(sopOf);
      // A dropped connection loses the bytes the browser had not read yet: at most the last part sent whole.
      const lost = how === 'drop' ? asked.filter((sop) => !missing.includes(sop!)) : [];
      expect(lost, 'parts asked for again').to.satisfy((extra: string[]) => extra.every((sop) => sop === streams[0]!.parts!.at(-1)));
      expect(asked.filter((sop) => !lost.includes(sop!)).sort(), 'frames asked for after the stream').to.deep.equal(missing.sort());
      expectBounded(log, 1);
      // An image that came alone after the cut shows its file's values.
      const last = run.study.instances.length - 1;
      await showImage(run.viewer, last);
      await centreMatchesFile(run.viewer, run.study.instances[last]!.file);
    });
  }

  it('asks again for a frame whose body is cut short, and only for the images a truncated series stream did not bring', async () => {
    const info = await faultInfo();
    const middle = info.faultStudies.truncated.instances[Math.floor((info.faultStudies.truncated.instances.length - 1) / 2)]!;
    const run = await open('truncated', (study) => [
      { kind: 'frames', match: [middle.sopInstanceUID], times: 1, fault: { type: 'cut', afterParts: 0, how: 'end' } },
      { kind: 'series', match: [study.seriesInstanceUID], fault: { type: 'cut', afterParts: 4, how: 'end' } },
    ]);
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = await run.requests();
    expect(gets(log).filter((r) => r.kind === 'frames' && r.url.includes(middle.sopInstanceUID)).map((r) => r.fault ?? 'whole')).to.deep.equal(['cut end after 0', 'whole']);
    const stream = gets(log).find((r) => r.kind === 'series')!;
    const brought = new Set(stream.parts);
    const missing = run.study.instances.map((i) => i.sopInstanceUID).filter((sop) => !brought.has(sop) && sop !== middle.sopInstanceUID);
    expect(framesAfterStream(log).map(sopOf).sort()).to.deep.equal(missing.sort());
    expectBounded(log, 2);
    await centreMatchesFile(run.viewer, middle.file);
  });

  it('fetches every image alone, once, when the series stream answers with a wrong content type', async () => {
    const run = await open('contentType', (study) => [{ kind: 'series', match: [study.seriesInstanceUID], fault: { type: 'content-type', contentType: 'application/octet-stream' } }]);
    expect(await outcome(run.viewer), JSON.stringify(run.errors)).to.equal('ready');
    await run.settled;
    expect(run.errors).to.deep.equal([]);
    const log = await run.requests();
    expect(gets(log).filter((r) => r.kind === 'series'), 'series streams').to.have.length(1);
    const frames = gets(log).filter((r) => r.kind === 'frames').map(sopOf);
    expect(frames.sort()).to.deep.equal(run.study.instances.map((i) => i.sopInstanceUID).sort());
    expectBounded(log, 1);
  });

  it('reports malformed JSON from the search as a fatal server error, without asking again', async () => {
    const run = await open('malformed', (study) => [{ kind: 'qido', match: [study.accession], fault: { type: 'status', status: 200, contentType: 'application/dicom+json', body: '[{"0020000D": {"vr": "UI", "Value": ["1.2' } }]);
    expect(await outcome(run.viewer)).to.equal('error');
    expect(run.errors).to.have.length(1);
    expect(run.errors[0]).to.include({ code: 'server', fatal: true, retryable: false });
    const log = await run.requests();
    expect(gets(log).length).to.be.greaterThan(0);
    expectBounded(log, 1);
  });

  it('reports an HTML page sent with status 200 instead of the metadata as a fatal server error, without asking again', async () => {
    const page = '<!doctype html><html><head><title>Session expired</title></head><body><h1>Please log in again</h1></body></html>';
    const run = await open('html', (study) => [{ kind: 'metadata', match: [study.seriesInstanceUID], fault: { type: 'status', status: 200, contentType: 'text/html; charset=utf-8', body: page } }]);
    expect(await outcome(run.viewer)).to.equal('error');
    expect(run.errors).to.have.length(1);
    expect(run.errors[0]).to.include({ code: 'server', fatal: true, retryable: false });
    expect(run.viewer.status).to.equal('error');
    const log = await run.requests();
    expect(gets(log).filter((r) => r.kind === 'metadata' && r.url.includes(run.study.seriesInstanceUID))).to.have.length(1);
    expectBounded(log, 1);
  });
});
