/**
 * What the DICOMweb layer hands around: one frame's bytes as the server stored them, and the splitter
 * that cuts a streamed series into such frames. Types only, so the client, the splitter and the Part-10
 * frame reader all depend on this file rather than on each other.
 */

/** One frame's bytes exactly as the server stored them, and the transfer syntax they are in. */
export interface FrameBytes {
  bytes: Uint8Array;
  transferSyntaxUID: string;
}

/** Receives the bytes of a multipart series response and hands over its instances' frames. */
export interface SeriesSplitter {
  push(chunk: Uint8Array): void;
  /** Resolves once every instance pushed so far has been handed over. */
  finish(): Promise<void>;
  /** Stops splitting (abort, failure); nothing more is handed over. */
  close(): void;
}
