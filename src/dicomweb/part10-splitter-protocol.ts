/** Messages between a series stream and its splitting worker. */
export type SplitterRequest = { type: 'start'; boundary: string } | { type: 'chunk'; chunk: ArrayBuffer } | { type: 'end' };

export interface SplitFrame {
  buffer: ArrayBuffer;
  offset: number;
  length: number;
  transferSyntaxUID: string;
}

export type SplitterAnswer = { type: 'instance'; sopInstanceUID: string; frames: (SplitFrame | null)[] } | { type: 'done' };
