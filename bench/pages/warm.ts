/**
 * The blank WebGL page each fresh browser opens first: it starts the GPU process and SwiftShader and
 * presents a few frames, so no page pays for that in its own numbers.
 */
export {};

const canvas = document.querySelector('canvas')!;
const gl = canvas.getContext('webgl2');
let drawn = 0;
const draw = () => {
  gl?.clearColor(drawn / 10, 0, 0, 1);
  gl?.clear(gl.COLOR_BUFFER_BIT);
  gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  if (++drawn < 5) requestAnimationFrame(draw);
  else document.title = gl ? 'warm' : 'warm: no WebGL2';
};
requestAnimationFrame(draw);
