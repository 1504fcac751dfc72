/** Messages between a series stream and its splitting worker. */
export type SplitterRequest =
  | { type: 'start'; boundary: string }
  | { type: 'chunk'; chunk: ArrayBuffer }
  | { type: 'end' }
  /**
   * Fetch the series stream in the worker (the token travels in the Authorization header, as always);
   * `timeoutMs`: how long the headers, and then each next chunk, may take (the client's request timeout).
   */
  | { type: 'fetch'; url: string; headers: Record<string, string>; timeoutMs: number };

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
  /**
   * The worker's own fetch failed: `status` when the server answered (with its `Retry-After`, if the
   * browser may read it); `timedOut` when the headers or the next chunk took longer than `timeoutMs`.
   */
  | { type: 'failed'; status?: number; retryAfter?: string; timedOut?: boolean; message: string }
  | { type: 'done' };
