/** Vite's `?worker&url` imports give the URL of the bundled worker script. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}

/** dcmjs, imported by the Cornerstone part's import steps only to evaluate it early (lazy-stack.ts): no API used. */
declare module 'dcmjs';

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

/** The other codecs of the lean first image (codecs/*.ts): the WebAssembly builds Cornerstone's loader uses. */
interface FilmlessWasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
}
interface FilmlessWasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FilmlessWasmFrameInfo;
}
type FilmlessWasmFactory<T> = (options?: { locateFile?: (file: string) => string }) => Promise<T>;

/** libjpeg-turbo, 8-bit (baseline JPEG). */
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: FilmlessWasmFactory<{ JPEGDecoder: new () => FilmlessWasmDecoder }>;
  export default factory;
}

/** OpenJPEG (JPEG 2000). */
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: FilmlessWasmFactory<{ J2KDecoder: new () => FilmlessWasmDecoder }>;
  export default factory;
}

/** OpenJPH (High-Throughput JPEG 2000): decodes at a resolution level, 0 being full resolution. */
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  interface HTJ2KDecoder extends FilmlessWasmDecoder {
    decodeSubResolution(level: number): void;
    /** Frees the decoder's memory inside the module (Embind). */
    delete?(): void;
  }
  const factory: FilmlessWasmFactory<{ HTJ2KDecoder: new () => HTJ2KDecoder }>;
  export default factory;
}

/** OpenJPEG's full build (encoder too), for tests that encode JPEG 2000 frames. */
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (options?: { locateFile?: (file: string) => string }) => Promise<unknown>;
  export default factory;
}
