/** Messages between the element and its first-image JPEG-LS worker. */
export interface JpegLsRequest {
  id: number;
  bytes: ArrayBuffer;
}

export interface JpegLsAnswer {
  id: number;
  pixels?: ArrayBuffer;
  width?: number;
  height?: number;
  bitsPerSample?: number;
  error?: string;
}
