/**
 * Debian's Chromium as every tool here drives it (tests, demo smoke check, benchmark): one place for the
 * flags measured to give WebGL2 through SwiftShader in a headless container. Never --use-gl=swiftshader:
 * it removes WebGL altogether.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];
