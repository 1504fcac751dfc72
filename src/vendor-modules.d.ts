/** Vite's `?worker&url` imports give the URL of the bundled worker script. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}

/** CharLS (JPEG-LS) compiled to WebAssembly, the decoder-only build Cornerstone also uses. */
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  interface FrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
  }
  interface JpegLSDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getDecodedBuffer(): Uint8Array;
    getFrameInfo(): FrameInfo;
  }
  interface CharlsModule {
    JpegLSDecoder: new () => JpegLSDecoder;
  }
  const factory: (options?: { locateFile?: (file: string) => string }) => Promise<CharlsModule>;
  export default factory;
}
