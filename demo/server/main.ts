/**
 * `npm start`: the whole Filmless demo on one port, with no PACS needed, on the production viewer.
 *
 *   npm start                  builds dist/ and the demo pages when they are missing or stale (see
 *                              production-build.ts), then serves them; serves ../shared/dicom if it
 *                              exists, else sample studies it generates into .cache/samples
 *   npm start -- <folder>      serves the DICOM files under <folder> (sub-folders included)
 *   npm start -- --samples     serves the generated sample studies even when ../shared/dicom exists
 *   npm run dev                the same server with Vite's dev server on the TypeScript source instead
 *                              of the builds (`--dev`): for working on the code, reloads on save
 *
 * Environment:
 *   PORT=8080                  the port (default 8080)
 *   HOST=127.0.0.1             the address to bind (default loopback only, since anyone who can reach
 *                              the server can read its studies); HOST=0.0.0.0 admits phones on the LAN
 *   FILMLESS_DATA=<folder>     same as the folder argument; the argument wins
 *   FILMLESS_UPSTREAM=<url>    forward /dicom-web to a real PACS instead of serving a folder, e.g.
 *                              Orthanc's http://127.0.0.1:8042/dicom-web. Browsers never see the PACS:
 *                              the demo token is checked here and not passed on; credentials written
 *                              into the URL (http://user:password@host/…) go to the PACS as Basic auth.
 *                              The demo page then has no study list: type an accession number.
 *   FILMLESS_ALLOWED_ORIGINS   comma-separated origins of pages elsewhere that may call /dicom-web
 *                              and /shared/dicom-web (CORS), e.g. a HIS at http://his.local:3000. They
 *                              still need a token.
 *   FILMLESS_SHARE_TTL=7d      how long share links (and their access codes) work
 *   FILMLESS_TOKEN_KEY(_FILE)  the ES256 private key that signs share tokens (PEM, or a file); default
 *                              a key pair made at start-up, so links stop working when the demo restarts.
 *                              With FILMLESS_TOKEN_ISSUER / FILMLESS_TOKEN_AUDIENCE as gateway/token-cli.ts reads
 *                              them, tokens from `token-cli.ts issue` open /shared/dicom-web too.
 *
 * Routes:
 *   /dicom-web/…               DICOMweb (QIDO-RS, WADO-RS) for the demo pages, behind the session token
 *   /shared/dicom-web/…        DICOMweb for shared links: study-scoped signed tokens (policy mode)
 *   /demo/session              {dicomwebUrl, token, studies, source} for the demo's own pages
 *   /demo/share-token          POST {studyInstanceUID} with the session token: share token, access code, link
 *   /demo/redeem               POST {code}: the share link of an access code (failed attempts limited)
 *   /demo/access               where a patient types the access code from a result sheet
 *   /demo/consult/token        POST {room} with the session token: a room token for the consultation relay
 *   /demo/consult/ws           the consultation relay (WebSocket; rooms by id, room token, size/rate limits)
 *   /demo/consult.html?room=…  the consultation room: one presents, the others follow (consult-page.ts)
 *   /demo/, /demo/his.html, /demo/result-sheet.html?study=<uid>
 *                              the demo pages (built into .cache/demo-build; with --dev, Vite's source)
 *   /filmless-viewer.js        the viewer script the pages load, from dist/ (with --dev, src/cdn.ts)
 *   /viewer.html               the standalone viewer page that share links open (dist/viewer.html)
 *   /                          redirects to /demo/
 *
 * The server itself is demo-server.ts (`startDemoServer`); this file reads the command line and the
 * environment, picks the data and prints where to go.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DataFolderError,
  chooseDataFolder,
  describeDataFolder,
  prepareDataFolder,
} from './demo-data-folder.js';
import { isLoopbackOrigin, parseOriginList } from './demo-origins.js';
import { ACCESS_PAGE_PATH, DICOMWEB_PATH, SHARED_DICOMWEB_PATH, StartupError, startDemoServer, type DemoServer, type DemoSource } from './demo-server.js';
import { BuildError, ensureProductionBuilds } from './production-build.js';
import { KeyConfigError, keySourceFromEnv, type KeySource } from '../../gateway/token-keys.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface DemoConfig {
  port: number;
  host: string;
  folderArgument: string | undefined;
  preferSamples: boolean;
  dev: boolean;
  dataEnv: string | undefined;
  upstreamUrl: string | undefined;
  extraOrigins: string[];
  shareTtl: string | undefined;
  tokenKey: KeySource | undefined;
  tokenIssuer: string | undefined;
  tokenAudience: string | undefined;
}

function readConfig(args: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const unknown = flags.filter((flag) => flag !== '--samples' && flag !== '--dev');
  if (unknown.length > 0) {
    throw new StartupError(`Unknown option ${unknown.join(' ')}. The options are described at the top of demo/server/main.ts.`);
  }
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT=${env.PORT} is not a port number.`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    folderArgument: args.find((arg) => !arg.startsWith('--')),
    preferSamples: flags.includes('--samples'),
    dev: flags.includes('--dev'),
    dataEnv: env.FILMLESS_DATA || undefined,
    upstreamUrl: env.FILMLESS_UPSTREAM || undefined,
    extraOrigins: parseOriginList(env.FILMLESS_ALLOWED_ORIGINS),
    shareTtl: env.FILMLESS_SHARE_TTL || undefined,
    tokenKey: keySourceFromEnv(env, 'FILMLESS_TOKEN_KEY'),
    tokenIssuer: env.FILMLESS_TOKEN_ISSUER || undefined,
    tokenAudience: env.FILMLESS_TOKEN_AUDIENCE || undefined,
  };
}

async function chooseSource(config: DemoConfig): Promise<DemoSource> {
  if (config.upstreamUrl) {
    if (config.folderArgument || config.dataEnv) console.log('FILMLESS_UPSTREAM is set, so no folder is served.');
    return upstreamSource(config.upstreamUrl);
  }

  const choice = chooseDataFolder({
    argument: config.folderArgument,
    env: config.dataEnv,
    sharedFolder: join(REPO_ROOT, '../shared/dicom'),
    samplesFolder: join(REPO_ROOT, '.cache/samples'),
    preferSamples: config.preferSamples,
  });
  const folder = resolve(choice.folder);
  const shown = { ...choice, folder: displayPath(folder) };
  // Written once (about two seconds) and kept; later starts find them in place.
  if (choice.kind === 'samples') console.log(`Preparing the sample studies in ${shown.folder}…`);
  await prepareDataFolder({ ...choice, folder });
  return { folder, description: describeDataFolder(shown) };
}

/** Paths inside or beside the working folder read better relative (`../shared/dicom`), others absolute. */
function displayPath(folder: string): string {
  const fromHere = relative(process.cwd(), folder) || '.';
  return fromHere.startsWith(`..${sep}..`) || isAbsolute(fromHere) ? folder : fromHere;
}

function upstreamSource(upstreamUrl: string): DemoSource {
  let url: URL;
  try {
    url = new URL(upstreamUrl);
  } catch {
    throw new StartupError('FILMLESS_UPSTREAM is not a URL.'); // not echoed: it may hold a password
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StartupError('FILMLESS_UPSTREAM must be an http(s) URL.');
  // Credentials in the URL stay out of the console and the page.
  const shown = `${url.origin}${url.pathname}`;
  console.log(`Forwarding ${DICOMWEB_PATH} and ${SHARED_DICOMWEB_PATH} to the DICOMweb server at ${shown} (FILMLESS_UPSTREAM).`);
  return { upstreamUrl, shown };
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const started = performance.now();
  if (config.dev) console.log('Development mode: Vite serves the TypeScript source (the first page load takes a while).');
  else await ensureProductionBuilds((line) => console.log(line));
  const source = await chooseSource(config);
  const demo = await startDemoServer({
    source,
    pages: config.dev ? 'dev' : 'production',
    port: config.port,
    host: config.host,
    extraOrigins: config.extraOrigins,
    ...(config.shareTtl ? { shareTtl: config.shareTtl } : {}),
    ...(config.tokenKey ? { tokenKey: config.tokenKey } : {}),
    ...(config.tokenIssuer ? { tokenIssuer: config.tokenIssuer } : {}),
    ...(config.tokenAudience ? { tokenAudience: config.tokenAudience } : {}),
  });
  console.log(`Ready in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  printAddresses(config, demo);
  stopOnSignal(demo);
}

function printAddresses(config: DemoConfig, demo: DemoServer): void {
  const main = demo.url;
  console.log(`\n  Filmless demo:  ${main}/demo/   (${config.dev ? 'development: TypeScript source through Vite' : 'production build: dist/'})`);
  console.log(`  HIS example:    ${main}/demo/his.html`);
  console.log(`  Consultation:   ${main}/demo/consult.html?role=presenter (the others join with the room address it shows)`);
  console.log(`  Access codes:   ${main}${ACCESS_PAGE_PATH} (result sheets: ${main}/demo/result-sheet.html?study=<uid>)`);
  console.log(`  DICOMweb:       ${main}${DICOMWEB_PATH} (bearer token required)`);
  console.log(`  Shared links:   ${main}${SHARED_DICOMWEB_PATH} (study-scoped tokens signed with ${demo.keyOrigin})`);
  const network = demo.origins.filter((origin) => origin !== main && !isLoopbackOrigin(origin));
  if (network.length > 0) console.log(`  On the network: ${network.map((origin) => `${origin}/demo/`).join('  ')}`);
  if (config.extraOrigins.length > 0) console.log(`  CORS also for:  ${config.extraOrigins.join(', ')}`);
  console.log('\n  Press Ctrl+C to stop.\n');
}

function stopOnSignal(demo: DemoServer): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1); // a second Ctrl+C means "now"
    stopping = true;
    console.log('Stopping the demo…');
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof DataFolderError || error instanceof KeyConfigError || error instanceof BuildError) {
    console.error(`Filmless demo: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
