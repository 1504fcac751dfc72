/**
 * The limit page's renderer: one WebGL2 program that draws an integer texture (R16UI / R16I for 16-bit
 * pixels, R8UI / R8I for 8-bit ones) with the modality rescale and window/level applied in the fragment shader. Stored
 * pixels go to the GPU as they are, with no conversion on the CPU; one texture per slice.
 */

export interface SliceGeometry {
  columns: number;
  rows: number;
  /** 1 or 2. */
  bytesPerSample: number;
  signed: boolean;
  slope: number;
  intercept: number;
  windowCenter: number;
  windowWidth: number;
}

const VERTEX = `#version 300 es
in vec2 position;
out vec2 uv;
void main() {
  uv = vec2(position.x * 0.5 + 0.5, 0.5 - position.y * 0.5);
  gl_Position = vec4(position, 0.0, 1.0);
}`;

const fragment = (signed: boolean) => `#version 300 es
precision highp float;
precision highp ${signed ? 'isampler2D' : 'usampler2D'};
uniform ${signed ? 'isampler2D' : 'usampler2D'} pixels;
uniform vec2 size;
uniform vec4 voi; // slope, intercept, window centre, window width
in vec2 uv;
out vec4 colour;
void main() {
  float stored = float(texelFetch(pixels, ivec2(min(uv * size, size - 1.0)), 0).r);
  float value = stored * voi.x + voi.y;
  float grey = clamp((value - (voi.z - 0.5)) / (voi.w - 1.0) + 0.5, 0.0, 1.0);
  colour = vec4(grey, grey, grey, 1.0);
}`;

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? 'shader');
  return shader;
}

export class SliceRenderer {
  private readonly gl: WebGL2RenderingContext;
  private program: WebGLProgram | undefined;
  private geometry: SliceGeometry | undefined;
  private readonly textures = new Map<number, WebGLTexture>();
  /** Draws that showed another slice than the previous draw. */
  draws = 0;
  private shown = -1;

  constructor(canvas: HTMLCanvasElement) {
    const gl = canvas.getContext('webgl2', { antialias: false, depth: false, alpha: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('no WebGL2');
    this.gl = gl;
    // The quad is ready before any pixels arrive.
    const buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 2);
  }

  /** Compiles the program for the series' pixel type (done once, as soon as the metadata is known). */
  configure(geometry: SliceGeometry): void {
    const { gl } = this;
    this.geometry = geometry;
    const program = gl.createProgram()!;
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment(geometry.signed)));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? 'link');
    gl.useProgram(program);
    const position = gl.getAttribLocation(program, 'position');
    gl.enableVertexAttribArray(position);
    gl.vertexAttribPointer(position, 2, gl.FLOAT, false, 0, 0);
    gl.uniform1i(gl.getUniformLocation(program, 'pixels'), 0);
    gl.uniform2f(gl.getUniformLocation(program, 'size'), geometry.columns, geometry.rows);
    gl.uniform4f(gl.getUniformLocation(program, 'voi'), geometry.slope, geometry.intercept, geometry.windowCenter, geometry.windowWidth);
    this.program = program;
  }

  /** Uploads one slice's stored pixels (little-endian, as in the file). */
  upload(index: number, bytes: Uint8Array): void {
    const { gl } = this;
    const g = this.geometry!;
    const count = g.columns * g.rows;
    const wide = g.bytesPerSample === 2;
    const aligned = !wide || bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
    const pixels = !wide
      ? g.signed
        ? new Int8Array(aligned.buffer, aligned.byteOffset, count)
        : new Uint8Array(aligned.buffer, aligned.byteOffset, count)
      : g.signed
        ? new Int16Array(aligned.buffer, aligned.byteOffset, count)
        : new Uint16Array(aligned.buffer, aligned.byteOffset, count);
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    const format = wide ? (g.signed ? gl.R16I : gl.R16UI) : g.signed ? gl.R8I : gl.R8UI;
    const type = wide ? (g.signed ? gl.SHORT : gl.UNSIGNED_SHORT) : g.signed ? gl.BYTE : gl.UNSIGNED_BYTE;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, wide ? 2 : 1);
    gl.texStorage2D(gl.TEXTURE_2D, 1, format, g.columns, g.rows);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, g.columns, g.rows, gl.RED_INTEGER, type, pixels);
    this.textures.set(index, texture);
  }

  has(index: number): boolean {
    return this.textures.has(index);
  }

  get uploaded(): number {
    return this.textures.size;
  }

  /** Draws a slice; false when its texture is not there yet. */
  draw(index: number): boolean {
    const texture = this.textures.get(index);
    if (!texture || !this.program) return false;
    const { gl } = this;
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    if (index !== this.shown) this.draws += 1;
    this.shown = index;
    return true;
  }

  /** Waits for the GPU to finish what was drawn by reading one pixel back. */
  finish(): void {
    const { gl } = this;
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }
}
