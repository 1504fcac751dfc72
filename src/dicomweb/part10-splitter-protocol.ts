/** Messages between a series stream and its splitting worker. */
export type SplitterRequest =
  | { type: 'start'; boundary: string }
  | { type: 'chunk'; chunk: ArrayBuffer }
  | { type: 'end' }
  /** Fetch the series stream in the worker (the token travels in the Authorization header, as always). */
  | { type: 'fetch'; url: string; headers: Record<string, string> };

export interface SplitFrame {
  buffer: ArrayBuffer;
  offset: number;
  length: number;
  transferSyntaxUID: string;
}

export type SplitterAnswer =
  | { type: 'instance'; sopInstanceUID: string; frames: SplitFrame[] }
  /** The worker's own fetch answered with a multipart body: bytes are flowing. */
  | { type: 'started' }
  | { type: 'failed'; status?: number; message: string }
  | { type: 'done' };
