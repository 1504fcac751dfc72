/**
 * limit: the machine's floor, written by hand. Series metadata (WADO-RS), then the middle frame alone
 * as stored; native pixels go straight into a 16-bit integer texture and window/level is applied in
 * the shader; JPEG-LS is decoded by CharLS in workers. After the first image, the rest of the series
 * arrives in one streamed WADO-RS request (Part-10 instances) and every frame becomes a texture.
 * No error handling beyond failing loudly, no tools, no UI.
 */
import { markStep, runBenchPage, type BenchViewer } from './harness.js';
import type { DecodeAnswer, DecodeRequest } from './jpegls-worker.js';
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

/** CharLS workers, one per core, fed round-robin. */
class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (pixels: Uint8Array) => void; reject: (error: Error) => void }>();
  private sequence = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./jpegls-worker.ts', import.meta.url), { type: 'module' });
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

  decode(bitstream: Uint8Array): Promise<Uint8Array> {
    const id = ++this.sequence;
    const bytes = bitstream.slice().buffer;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, bytes } satisfies DecodeRequest, [bytes]);
    });
  }
}

class LimitViewer implements BenchViewer {
  private readonly canvas = document.querySelector('canvas')!;
  private readonly renderer = new SliceRenderer(this.canvas);
  private config!: PageConfig;
  private sops: string[] = [];
  private middle = 0;
  private index = 0;
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

  private async pixelsOf(bytes: Uint8Array, transferSyntaxUID: string, encapsulated: boolean): Promise<Uint8Array> {
    if (!encapsulated && NATIVE.has(transferSyntaxUID)) return bytes;
    return this.decoder().decode(bytes);
  }

  async firstImage(config: PageConfig): Promise<void> {
    this.config = config;
    markStep('request-metadata');
    const response = await fetch(`${this.seriesUrl()}/metadata`, { headers: this.headers('application/dicom+json') });
    if (!response.ok) throw new Error(`metadata: ${response.status}`);
    const instances = (await response.json()) as DicomJson[];
    markStep('metadata');
    // Slice order: position along the normal of the image plane.
    const [r0, r1, r2, c0, c1, c2] = numbers(instances[0]!, '00200037');
    const normal = [r1! * c2! - r2! * c1!, r2! * c0! - r0! * c2!, r0! * c1! - r1! * c0!];
    const along = (d: DicomJson) => numbers(d, '00200032').reduce((sum, v, i) => sum + v * normal[i]!, 0);
    const ordered = instances.map((d) => ({ d, position: along(d) })).sort((a, b) => b.position - a.position);
    this.sops = ordered.map((o) => text(o.d, '00080018'));
    this.middle = this.index = Math.floor((this.sops.length - 1) / 2);
    const first = instances[0]!;
    this.renderer.configure({
      columns: numbers(first, '00280011')[0]!,
      rows: numbers(first, '00280010')[0]!,
      signed: numbers(first, '00280103')[0] === 1,
      slope: numbers(first, '00281053')[0] ?? 1,
      intercept: numbers(first, '00281052')[0] ?? 0,
      windowCenter: numbers(first, '00281050')[0] ?? 40,
      windowWidth: numbers(first, '00281051')[0] ?? 400,
    });
    markStep('request-first-frame');
    const frame = await fetch(`${this.seriesUrl()}/instances/${this.sops[this.middle]}/frames/1`, { headers: this.headers(FRAMES_AS_STORED) });
    if (!frame.ok) throw new Error(`frame: ${frame.status}`);
    const contentType = frame.headers.get('content-type');
    const [part] = parseMultipart(new Uint8Array(await frame.arrayBuffer()), contentType);
    markStep('first-frame');
    const syntax = transferSyntaxOf(contentType);
    const pixels = await this.pixelsOf(part!, syntax, !NATIVE.has(syntax));
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
    const indexOf = new Map(this.sops.map((sop, i) => [sop, i]));
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
        const { sopInstanceUID, bytes, encapsulated } = pixelDataOf(part10);
        const index = indexOf.get(sopInstanceUID);
        if (index === undefined || this.renderer.has(index)) continue;
        if (!encapsulated) this.renderer.upload(index, bytes);
        else decodes.push(this.decoder().decode(bytes).then((pixels) => this.renderer.upload(index, pixels)));
      }
    }
    markStep('series-received');
    await Promise.all(decodes);
    if (this.renderer.uploaded !== this.sops.length) throw new Error(`only ${this.renderer.uploaded} of ${this.sops.length} frames`);
  }

  step(delta: 1 | -1): void {
    this.index = Math.min(this.sops.length - 1, Math.max(0, this.index + delta));
    this.renderer.draw(this.index);
  }

  start(): number {
    return this.middle;
  }

  count(): number {
    return this.sops.length;
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
