/**
 * Splits a streamed WADO-RS series response off the main thread: multipart parts, then each Part-10
 * instance into its frames (dicom-parser). The main thread only moves bytes: chunks come in transferred,
 * frames go out transferred (views into their instance's buffer, no copy).
 */
import { MultipartReader } from './multipart.js';
import { framesOfPart10 } from './part10-frames.js';
import type { SplitFrame, SplitterAnswer, SplitterRequest } from './part10-splitter-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<SplitterRequest>) => void) | null;
  postMessage(message: SplitterAnswer, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
let reader: MultipartReader | undefined;

function split(part10: Uint8Array): void {
  let parsed: ReturnType<typeof framesOfPart10>;
  try {
    parsed = framesOfPart10(part10);
  } catch {
    return; // not a DICOM file: the main thread's per-frame fallback fetches (and reports) its frames
  }
  const transfer = new Set<ArrayBuffer>();
  const frames = parsed.frames.map((frame): SplitFrame | null => {
    if (!frame) return null;
    const buffer = frame.bytes.buffer as ArrayBuffer;
    transfer.add(buffer);
    return { buffer, offset: frame.bytes.byteOffset, length: frame.bytes.byteLength, transferSyntaxUID: frame.transferSyntaxUID };
  });
  scope.postMessage({ type: 'instance', sopInstanceUID: parsed.sopInstanceUID, frames }, [...transfer]);
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'start') reader = new MultipartReader(message.boundary);
  else if (message.type === 'chunk') for (const part of reader?.push(new Uint8Array(message.chunk)) ?? []) split(part.body);
  else scope.postMessage({ type: 'done' });
};
