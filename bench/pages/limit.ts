/**
 * limit: the machine's floor for each codec, written by hand, on the fastest request path this server
 * offers (see bench/README.md, "The limit's request path"). It is told the study, the series and how
 * many instances the series holds (what a QIDO-RS series search answers), and then:
 *
 * 1. finds the middle instance by number: QIDO-RS `…/instances?InstanceNumber=<middle>`;
 * 2. asks for its metadata and its first frame (as stored) in parallel; no series metadata;
 * 3. decodes the frame (native pixels as they are; every codec with the WebAssembly or JavaScript build
 *    Cornerstone uses, in one worker per core, see codec-worker.ts) and draws it with WebGL: the stored
 *    pixels in an integer texture, rescale and window/level in the fragment shader.
 *
 * After the first image the rest of the series arrives in one streamed WADO-RS request (Part-10
 * instances, as stored), placed by their Instance Number, decoded by the same workers, and every frame
 * becomes a texture. No error handling beyond failing loudly, no tools, no UI.
 */
import { markStep, runBenchPage, type BenchViewer } from './harness.js';
import type { DecodeAnswer, DecodeRequest } from './codec-worker.js';
import { SliceRenderer } from './limit-gl.js';
import { MultipartReader, boundaryOf, parseMultipart, transferSyntaxOf } from './multipart.js';
import { pixelDataOf } from './part10.js';
import type { PageConfig } from './protocol.js';

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);
const FRAMES_AS_STORED = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const INSTANCES_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';

const numbers = (dataset: DicomJson, tag: string): number[] => (dataset[tag]?.Value ?? []).map(Number);
const text = (dataset: DicomJson, tag: string): string => String(dataset[tag]?.Value?.[0] ?? '');

interface FrameFormat {
  columns: number;
  rows: number;
  bitsAllocated: number;
}

/** Decode workers, one per core, fed round-robin; each loads only the codecs it is given frames of. */
class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (pixels: Uint8Array) => void; reject: (error: Error) => void }>();
  private sequence = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./codec-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<DecodeAnswer>) => {
        const { id, pixels, error } = event.data;
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        if (pixels) waiter?.resolve(new Uint8Array(pixels));
        else waiter?.reject(new Error(error ?? 'decode failed'));
      };
      return worker;
    });
  }

  /** Loads the codec of a transfer syntax in every worker, ahead of the first frame. */
  warm(transferSyntaxUID: string): void {
    for (const worker of this.workers) worker.postMessage({ id: 0, transferSyntaxUID } satisfies DecodeRequest);
  }

  decode(bitstream: Uint8Array, transferSyntaxUID: string, format: FrameFormat): Promise<Uint8Array> {
    const id = ++this.sequence;
    const bytes = (bitstream.byteOffset === 0 && bitstream.byteLength === bitstream.buffer.byteLength ? bitstream : bitstream.slice()).buffer as ArrayBuffer;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, transferSyntaxUID, bytes, ...format } satisfies DecodeRequest, [bytes]);
    });
  }
}

class LimitViewer implements BenchViewer {
  private readonly canvas = document.querySelector('canvas')!;
  private readonly renderer = new SliceRenderer(this.canvas);
  private config!: PageConfig;
  private total = 0;
  private middle = 0;
  private index = 0;
  private format: FrameFormat = { columns: 0, rows: 0, bitsAllocated: 16 };
  private transferSyntaxUID = '';
  private pool: DecodePool | undefined;
  private ready: Promise<void> | undefined;

  private headers(accept: string): HeadersInit {
    return { Accept: accept, Authorization: `Bearer ${this.config.token}` };
  }

  private seriesUrl(): string {
    const { gateway, studyInstanceUID, seriesInstanceUID } = this.config;
    return `${gateway}/studies/${studyInstanceUID}/series/${seriesInstanceUID}`;
  }

  private decoder(): DecodePool {
    this.pool ??= new DecodePool(Math.max(1, navigator.hardwareConcurrency || 1));
    return this.pool;
  }

  async firstImage(config: PageConfig): Promise<void> {
    this.config = config;
    this.total = config.instanceCount;
    this.middle = this.index = Math.floor((this.total - 1) / 2);
    // The floor knows the series' transfer syntax up front (the runner tells it): the decode workers
    // start and load their decoder while the requests are in flight.
    if (!NATIVE.has(config.transferSyntaxUID)) this.decoder().warm(config.transferSyntaxUID);
    markStep('request-instance');
    const search = await fetch(`${this.seriesUrl()}/instances?InstanceNumber=${this.middle + 1}`, { headers: this.headers('application/dicom+json') });
    if (!search.ok) throw new Error(`QIDO: ${search.status}`);
    const [match] = (await search.json()) as DicomJson[];
    const sop = text(match ?? {}, '00080018');
    if (!sop) throw new Error('QIDO: no instance with the middle number');
    markStep('instance-found');
    const instanceUrl = `${this.seriesUrl()}/instances/${sop}`;
    const [metadataResponse, frame] = await Promise.all([
      fetch(`${instanceUrl}/metadata`, { headers: this.headers('application/dicom+json') }),
      fetch(`${instanceUrl}/frames/1`, { headers: this.headers(FRAMES_AS_STORED) }),
    ]);
    if (!metadataResponse.ok) throw new Error(`metadata: ${metadataResponse.status}`);
    if (!frame.ok) throw new Error(`frame: ${frame.status}`);
    const [instance] = (await metadataResponse.json()) as DicomJson[];
    markStep('metadata');
    const first = instance!;
    this.format = { columns: numbers(first, '00280011')[0]!, rows: numbers(first, '00280010')[0]!, bitsAllocated: numbers(first, '00280100')[0] ?? 16 };
    const bitsStored = numbers(first, '00280101')[0] ?? this.format.bitsAllocated;
    const center = numbers(first, '00281050')[0];
    const width = numbers(first, '00281051')[0];
    this.renderer.configure({
      columns: this.format.columns,
      rows: this.format.rows,
      bytesPerSample: this.format.bitsAllocated > 8 ? 2 : 1,
      signed: numbers(first, '00280103')[0] === 1,
      slope: numbers(first, '00281053')[0] ?? 1,
      intercept: numbers(first, '00281052')[0] ?? 0,
      // No window in the file (the lossy 8-bit series): the stored range.
      windowCenter: center ?? 2 ** (bitsStored - 1),
      windowWidth: width ?? 2 ** bitsStored,
    });
    const contentType = frame.headers.get('content-type');
    const [part] = parseMultipart(new Uint8Array(await frame.arrayBuffer()), contentType);
    markStep('first-frame');
    // The folder source names it in the part's headers only: then the series' one (the runner's).
    this.transferSyntaxUID = transferSyntaxOf(contentType) ?? config.transferSyntaxUID;
    const pixels = NATIVE.has(this.transferSyntaxUID) ? part! : await this.decoder().decode(part!, this.transferSyntaxUID, this.format);
    markStep('first-frame-decoded');
    this.renderer.upload(this.middle, pixels);
    this.renderer.draw(this.middle);
    this.renderer.finish();
  }

  seriesReady(): Promise<void> {
    this.ready ??= this.streamSeries();
    return this.ready;
  }

  private async streamSeries(): Promise<void> {
    markStep('request-series');
    const response = await fetch(this.seriesUrl(), { headers: this.headers(INSTANCES_AS_STORED) });
    const boundary = boundaryOf(response.headers.get('content-type'));
    if (!response.ok || !boundary || !response.body) throw new Error(`series: ${response.status}`);
    const reader = new MultipartReader(boundary);
    const stream = response.body.getReader();
    const decodes: Promise<void>[] = [];
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      for (const part10 of reader.push(value)) {
        const { instanceNumber, bytes, encapsulated } = pixelDataOf(part10);
        const index = instanceNumber - 1;
        if (!(index >= 0 && index < this.total) || this.renderer.has(index)) continue;
        if (!encapsulated) this.renderer.upload(index, bytes);
        else decodes.push(this.decoder().decode(bytes, this.transferSyntaxUID, this.format).then((pixels) => this.renderer.upload(index, pixels)));
      }
    }
    markStep('series-received');
    await Promise.all(decodes);
    if (this.renderer.uploaded !== this.total) throw new Error(`only ${this.renderer.uploaded} of ${this.total} frames`);
  }

  step(delta: 1 | -1): void {
    this.index = Math.min(this.total - 1, Math.max(0, this.index + delta));
    this.renderer.draw(this.index);
  }

  start(): number {
    return this.middle;
  }

  count(): number {
    return this.total;
  }

  loaded(): number {
    return this.renderer.uploaded;
  }

  renders(): number {
    return this.renderer.draws;
  }

  element(): Element {
    return this.canvas;
  }
}

void runBenchPage('limit', new LimitViewer());
