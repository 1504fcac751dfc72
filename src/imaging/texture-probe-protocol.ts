/** What the texture probe worker answers (texture-probe.worker.ts to texture-probe.ts). */

/** Which texture formats the GPU samples right, as Cornerstone names them. */
export interface TextureFormats {
  norm16: boolean;
  norm16Linear: boolean;
  float: boolean;
  floatLinear: boolean;
  halfFloat: boolean;
  halfFloatLinear: boolean;
}

/** The renderer string and formats the worker found, or null when it has no WebGL2 there. */
export type TextureProbeAnswer = { renderer: string; formats: TextureFormats } | null;
