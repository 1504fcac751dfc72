/**
 * A small DICOMweb server scripted in the page and injected through the element's `fetch` property (the
 * seam the element offers; global fetch is never stubbed). Element tests use it for states a real PACS
 * cannot be made to hold on demand: a load that stays pending, two studies, a damaged frame.
 */
import type { FetchLike } from '../../src/index.js';

export interface ScriptOptions {
  /** Studies returned by the series search (each gets one CT series of `images` 64×64 images). */
  studies?: { uid: string; modality?: string; description?: string; institution?: string; images?: number }[];
  /** Frame bytes to serve (default: a valid 64×64 16-bit gradient). */
  frame?: Uint8Array;
  transferSyntax?: string;
  /** When set, series metadata requests never answer (until aborted). */
  holdMetadata?: boolean;
  /** A server whose QIDO-RS ignores the InstanceNumber filter (answers every instance). */
  ignoreInstanceFilter?: boolean;
  /** Instance numbers whose frame is served cut to half its length (a damaged image). */
  damaged?: number[];
  /** Frames answer after this many milliseconds (a slow link), and `/rendered` answers with a JPEG of the gradient. */
  frameDelayMs?: number;
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/dicom+json' } });

export function gradientFrame(size = 64): Uint8Array {
  const pixels = new Uint16Array(size * size).map((_, i) => ((i % size) + Math.floor(i / size)) * 16);
  return new Uint8Array(pixels.buffer);
}

/** The server's rendering of the gradient frame: a JPEG drawn by the page's own canvas. */
async function renderedGradient(size = 64): Promise<Response> {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, size, size);
  gradient.addColorStop(0, '#000');
  gradient.addColorStop(1, '#fff');
  context.fillStyle = gradient;
  context.fillRect(0, 0, size, size);
  const jpeg = await new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no JPEG'))), 'image/jpeg', 0.9));
  return new Response(jpeg, { headers: { 'Content-Type': 'image/jpeg' } });
}

function multipart(frame: Uint8Array, transferSyntax: string): Response {
  const boundary = 'scripted-boundary';
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Type: application/octet-stream; transfer-syntax=${transferSyntax}\r\n\r\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + frame.length + tail.length);
  body.set(head);
  body.set(frame, head.length);
  body.set(tail, head.length + frame.length);
  return new Response(body, { headers: { 'Content-Type': `multipart/related; type="application/octet-stream"; boundary=${boundary}` } });
}

export function scriptedDicomweb(options: ScriptOptions = {}): FetchLike {
  const studies = options.studies ?? [{ uid: '1.2.3' }];
  const transferSyntax = options.transferSyntax ?? '1.2.840.10008.1.2.1';
  const frame = options.frame ?? gradientFrame();
  const studyAttributes = (s: (typeof studies)[number]) => ({
    '0020000D': { vr: 'UI', Value: [s.uid] },
    '0020000E': { vr: 'UI', Value: [`${s.uid}.1`] },
    '00080060': { vr: 'CS', Value: [s.modality ?? 'CT'] },
    '00080050': { vr: 'SH', Value: ['SCRIPTED-1'] },
    '00080020': { vr: 'DA', Value: ['20250102'] },
    '00081030': { vr: 'LO', Value: [s.description ?? 'Head'] },
    '0008103E': { vr: 'LO', Value: ['Axial'] },
    '00080080': { vr: 'LO', Value: [s.institution ?? 'Klinik 7'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'TEST^PATIENT' }] },
    '00100020': { vr: 'LO', Value: ['P-1'] },
    '00201209': { vr: 'IS', Value: [s.images ?? 3] },
  });
  const instanceAttributes = (study: (typeof studies)[number], i: number) => ({
    ...studyAttributes(study),
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
    '00080018': { vr: 'UI', Value: [`${study.uid}.1.${i + 1}`] },
    '00200013': { vr: 'IS', Value: [i + 1] },
    '00200032': { vr: 'DS', Value: [0, 0, i * 5] },
    '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
    '00280030': { vr: 'DS', Value: [1, 1] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [64] },
    '00280011': { vr: 'US', Value: [64] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [12] },
    '00280102': { vr: 'US', Value: [11] },
    '00280103': { vr: 'US', Value: [0] },
    '00281050': { vr: 'DS', Value: [1000] },
    '00281051': { vr: 'DS', Value: [2000] },
  });
  return async (url, init) => {
    const path = new URL(url).pathname;
    // The patient's studies (the priors search): every scripted study, with its modality.
    if (path.endsWith('/studies')) return json(studies.map((s) => ({ ...studyAttributes(s), '00080061': { vr: 'CS', Value: [s.modality ?? 'CT'] } })));
    if (path.endsWith('/series')) return json(studies.map(studyAttributes));
    const instanceMetadata = path.match(/\/instances\/([^/]+)\/metadata$/);
    if (instanceMetadata) {
      const study = studies.find((s) => path.includes(s.uid)) ?? studies[0]!;
      const index = Number(instanceMetadata[1]!.split('.').pop()) - 1;
      return json([instanceAttributes(study, index)]);
    }
    if (path.endsWith('/instances')) {
      const study = studies.find((s) => path.includes(s.uid)) ?? studies[0]!;
      const wanted = new URL(url).searchParams.get('InstanceNumber');
      const all = Array.from({ length: study.images ?? 3 }, (_, i) => instanceAttributes(study, i));
      return json(options.ignoreInstanceFilter || !wanted ? all : all.filter((row) => String(row['00200013'].Value[0]) === wanted));
    }
    if (path.endsWith('/metadata')) {
      if (options.holdMetadata) {
        return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      }
      const study = studies.find((s) => path.includes(s.uid)) ?? studies[0]!;
      return json(Array.from({ length: study.images ?? 3 }, (_, i) => instanceAttributes(study, i)));
    }
    if (options.frameDelayMs !== undefined && path.endsWith('/rendered')) return renderedGradient();
    const frames = path.match(/\/instances\/([^/]+)\/frames\//);
    if (frames && options.frameDelayMs) await new Promise((resolve) => setTimeout(resolve, options.frameDelayMs));
    if (frames) {
      const damaged = options.damaged?.includes(Number(frames[1]!.split('.').pop()));
      return multipart(damaged ? frame.slice(0, frame.length >> 1) : frame, transferSyntax);
    }
    // No series retrieval and no previews: the viewer falls back to frames and text tiles.
    return new Response('not supported here', { status: 400 });
  };
}
