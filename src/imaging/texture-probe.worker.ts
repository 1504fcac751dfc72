/**
 * Cornerstone's WebGL texture-format probe (core/utilities/textureSupport.js: which 16-bit and float
 * textures this GPU samples right), run here on an OffscreenCanvas instead of the page's main thread,
 * where it blocks on the GPU for 50–300 ms (software WebGL) right after the first image. Same shaders,
 * same texels, same checks; the answer goes into the cache Cornerstone reads (texture-probe.ts).
 */
import type { TextureFormats, TextureProbeAnswer } from './texture-probe-protocol.js';

interface WorkerScope {
  postMessage(message: TextureProbeAnswer): void;
}

const SIZE = 4;
const VERTEX = `#version 300 es
    void main() {
      gl_PointSize = ${SIZE.toFixed(1)};
      gl_Position = vec4(0, 0, 0, 1);
    }
  `;
const FRAGMENT = `#version 300 es
    precision highp float;
    precision highp int;
    precision highp sampler2D;

    uniform sampler2D u_image;

    out vec4 color;

    void main() {
        vec4 intColor = texture(u_image, gl_PointCoord.xy);
        color = vec4(vec3(intColor.rrr), 1);
    }
    `;

function context(): WebGL2RenderingContext | null {
  const gl = new OffscreenCanvas(SIZE, SIZE).getContext('webgl2');
  if (!gl) return null;
  const shader = (type: number, source: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    return gl.getShaderParameter(s, gl.COMPILE_STATUS) ? s : null;
  };
  const vertex = shader(gl.VERTEX_SHADER, VERTEX);
  const fragment = shader(gl.FRAGMENT_SHADER, FRAGMENT);
  if (!vertex || !fragment) return null;
  const program = gl.createProgram()!;
  gl.attachShader(program, vertex);
  gl.attachShader(program, fragment);
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) return null;
  gl.useProgram(program);
  return gl;
}

function probe(gl: WebGL2RenderingContext, ext: string | undefined, linear: boolean, data: ArrayBufferView, format: (e: Record<string, number>) => number, type: number): boolean {
  try {
    let extension: Record<string, number> = {};
    if (ext) {
      const found = gl.getExtension(ext) as Record<string, number> | null;
      if (!found) return false;
      extension = found;
    }
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texImage2D(gl.TEXTURE_2D, 0, format(extension), 5, 1, 0, gl.RED, type, data);
    const filter = linear ? gl.LINEAR : gl.NEAREST;
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.drawArrays(gl.POINTS, 0, 1);
    const pixel = new Uint8Array(4);
    gl.readPixels(1, 1, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    gl.deleteTexture(texture);
    const [r, g, b] = pixel;
    return r === g && g === b && r !== 0;
  } catch {
    return false;
  }
}

function answer(): TextureProbeAnswer {
  const gl = typeof OffscreenCanvas === 'function' ? context() : null;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  const norm16 = new Int16Array([32767, 2000, 3000, 4000, 5000, 16784, 7000, 8000, 9000, 32767]);
  const float = new Float32Array([0.3, 0.2, 0.3, 0.4, 0.5]);
  const half = new Uint16Array([13517, 12902, 13517, 13926, 14336]);
  const snorm = (e: Record<string, number>) => e.R16_SNORM_EXT!;
  const formats: TextureFormats = {
    norm16: probe(gl, 'EXT_texture_norm16', false, norm16, snorm, gl.SHORT),
    norm16Linear: probe(gl, 'EXT_texture_norm16', true, norm16, snorm, gl.SHORT),
    float: probe(gl, undefined, false, float, () => gl.R32F, gl.FLOAT),
    floatLinear: probe(gl, 'OES_texture_float_linear', true, float, () => gl.R32F, gl.FLOAT),
    halfFloat: probe(gl, undefined, false, half, () => gl.R16F, gl.HALF_FLOAT),
    halfFloatLinear: probe(gl, undefined, true, half, () => gl.R16F, gl.HALF_FLOAT),
  };
  const lost = gl.isContextLost();
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return lost || typeof renderer !== 'string' ? null : { renderer, formats };
}

(self as unknown as WorkerScope).postMessage(answer());
