/** pako (zlib in JavaScript, MIT AND Zlib) ships no types; only raw inflate is used (deflated DICOM files). */
declare module 'pako' {
  /** Inflates a raw deflate stream (no zlib header); bytes after the end of the stream are ignored. */
  export function inflateRaw(data: Uint8Array): Uint8Array;
}
