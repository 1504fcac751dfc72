/**
 * The browsers the tests run in besides Chromium, as Web Test Runner launchers, each driving a browser
 * installed by Debian (scripts/ensure-system-deps.sh) and never one downloaded by a test tool:
 *
 * - Firefox ESR through WebDriver BiDi (puppeteer-core, already here for Chromium), headless (no WebGL:
 *   the viewer's CPU renderer path) or on a virtual X display (Mesa's llvmpipe WebGL2);
 * - WebKit (WebKitGTK's MiniBrowser, Safari's engine) through WebKitWebDriver, the W3C WebDriver of
 *   Debian's webkit2gtk-driver, on a virtual X display (it has no headless mode);
 * - Chromium with WebGL turned off (--disable-webgl --disable-3d-apis), as a hospital virtual desktop
 *   with a blocked GPU offers it.
 *
 * The virtual display is one Xvfb for the whole run, started on first use and stopped with the last browser.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chromeLauncher } from '@web/test-runner-chrome';
import type { BrowserLauncher, SessionResult } from '@web/test-runner-core';
import * as puppeteerCore from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import { freePort } from './orthanc.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

// --- One virtual X display for the run -----------------------------------------------------------------

let xvfb: { process: ChildProcess; display: string; users: number } | undefined;

/** Starts Xvfb (or counts one more user of it) and returns its DISPLAY, e.g. ":99". */
async function useDisplay(): Promise<string> {
  if (xvfb) {
    xvfb.users++;
    return xvfb.display;
  }
  // -displayfd: Xvfb picks a free display number and writes it to file descriptor 3 once it is ready.
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready`)));
  });
  xvfb = { process: child, display: `:${number}`, users: 1 };
  return xvfb.display;
}

async function releaseDisplay(): Promise<void> {
  if (!xvfb || --xvfb.users > 0) return;
  const { process: child } = xvfb;
  xvfb = undefined;
  if (child.exitCode === null) {
    child.kill();
    await once(child, 'exit');
  }
}

// --- Firefox --------------------------------------------------------------------------------------------

/**
 * Firefox ESR through puppeteer-core's WebDriver BiDi. `display`: on the virtual X display, where Mesa
 * gives it WebGL2; else headless, where it has none.
 */
export function firefoxLauncher({ display = false }: { display?: boolean } = {}): BrowserLauncher {
  const prefs = {
    // No first-run pages, updates, telemetry or remote settings: the run reaches no network but loopback.
    'browser.shell.checkDefaultBrowser': false,
    'app.update.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    // Software WebGL counts as WebGL (Firefox blocks llvmpipe by default on some setups).
    'webgl.force-enabled': display,
  };
  const launchOptions = { browser: 'firefox' as const, executablePath: FIREFOX_PATH, headless: !display, extraPrefsFirefox: prefs, env: { ...process.env } };
  const inner = chromeLauncher({ puppeteer: puppeteerCore as never, launchOptions });
  const name = display ? 'Firefox (X display)' : 'Firefox (headless)';
  return wrapWithDisplay(inner, name, display, (value) => (launchOptions.env.DISPLAY = value));
}

/** Chromium with WebGL turned off: what a browser with a blocked GPU offers a page. */
export function chromiumWithoutWebglLauncher(): BrowserLauncher {
  const launcher = chromeLauncher({
    launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, '--disable-webgl', '--disable-webgl2', '--disable-3d-apis'] },
  });
  (launcher as { name: string }).name = 'Chromium (WebGL off)';
  return launcher;
}

/** Runs a launcher with Xvfb's DISPLAY set before its first browser starts (when `display`). */
function wrapWithDisplay(inner: BrowserLauncher, name: string, display: boolean, setDisplay: (value: string) => void): BrowserLauncher {
  let displayStarted = false;
  const startSession = inner.startSession.bind(inner);
  const stop = inner.stop?.bind(inner);
  inner.name = name;
  inner.startSession = async (sessionId, url) => {
    if (display && !displayStarted) {
      setDisplay(await useDisplay());
      displayStarted = true;
    }
    return startSession(sessionId, url);
  };
  inner.stop = async () => {
    await stop?.();
    if (displayStarted) await releaseDisplay();
    displayStarted = false;
  };
  return inner;
}

// --- WebKit through W3C WebDriver -----------------------------------------------------------------------

/** W3C WebDriver key codes of the key names the tests press (sendKeys({ press })). */
const KEYS: Record<string, string> = {
  Backspace: '\uE003',
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Control: '\uE009',
  Alt: '\uE00A',
  Escape: '\uE00C',
  Space: ' ',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Delete: '\uE017',
  Meta: '\uE03D',
};

const BUTTONS: Record<string, number> = { left: 0, middle: 1, right: 2 };

/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver: one browser window for the run, each test file
 * loaded in it in turn. Implements what @web/test-runner-commands asks of a `webdriver` launcher
 * (sendKeys, sendMouse) with W3C actions.
 */
export class WebkitLauncher implements BrowserLauncher {
  name = 'WebKit';
  type = 'webdriver';
  concurrency = 1;
  private driver: ChildProcess | undefined;
  private base = '';
  private session: Promise<string> | undefined;
  private readonly active = new Set<string>();
  private displayStarted = false;

  private async command(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as { value?: { error?: string; message?: string } | unknown };
    const value = answer.value as { error?: string; message?: string } | null | undefined;
    if (!response.ok) throw new Error(`WebKitWebDriver ${method} ${path}: ${value?.error ?? response.status} ${value?.message ?? ''}`);
    return answer.value;
  }

  private async start(): Promise<string> {
    const display = await useDisplay();
    this.displayStarted = true;
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    this.driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: 'ignore' });
    // Until the driver answers (it takes a moment to listen).
    for (let attempt = 0; ; attempt++) {
      try {
        await this.command('GET', '/status');
        break;
      } catch (error) {
        if (attempt > 100 || this.driver.exitCode !== null) throw new Error("WebKitWebDriver did not start", { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const created = (await this.command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          pageLoadStrategy: 'eager',
          'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
        },
      },
    })) as { sessionId: string };
    await this.command('POST', `/session/${created.sessionId}/window/rect`, { width: 1024, height: 768 }).catch(() => undefined);
    return created.sessionId;
  }

  private id(): Promise<string> {
    this.session ??= this.start();
    return this.session;
  }

  async startSession(sessionId: string, url: string): Promise<void> {
    const id = await this.id();
    this.active.add(sessionId);
    await this.command('POST', `/session/${id}/url`, { url });
  }

  isActive(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  async getBrowserUrl(): Promise<string | undefined> {
    return this.session ? ((await this.command('GET', `/session/${await this.session}/url`)) as string) : undefined;
  }

  async stopSession(sessionId: string): Promise<SessionResult> {
    this.active.delete(sessionId);
    // An empty page stops what the test page still runs (timers, workers).
    await this.command('POST', `/session/${await this.id()}/url`, { url: 'about:blank' }).catch(() => undefined);
    return {};
  }

  startDebugSession(): Promise<void> {
    throw new Error('WebKit runs without a debug mode here');
  }

  async stop(): Promise<void> {
    if (this.session) await this.command('DELETE', `/session/${await this.session.catch(() => '')}`).catch(() => undefined);
    this.session = undefined;
    if (this.driver && this.driver.exitCode === null) {
      this.driver.kill();
      await once(this.driver, 'exit');
    }
    this.driver = undefined;
    if (this.displayStarted) await releaseDisplay();
    this.displayStarted = false;
  }

  private async actions(actions: unknown[]): Promise<void> {
    await this.command('POST', `/session/${await this.id()}/actions`, { actions });
  }

  /** sendKeys({ press: 'Shift+Tab' }) and sendKeys({ type: 'abc' }) (one key per entry). */
  async sendKeys(_sessionId: string, keys: string[]): Promise<void> {
    const steps: unknown[] = [];
    for (const entry of keys) {
      const parts = entry.length > 1 && entry.includes('+') ? entry.split('+') : [entry];
      const values = parts.map((part) => KEYS[part] ?? part);
      for (const value of values) steps.push({ type: 'keyDown', value });
      for (const value of [...values].reverse()) steps.push({ type: 'keyUp', value });
    }
    await this.actions([{ type: 'key', id: 'keyboard', actions: steps }]);
  }

  private pointer(actions: unknown[]): Promise<void> {
    return this.actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions }]);
  }

  /**
   * A point WebDriver can reach. W3C actions refuse points outside the window (DevTools' input, which the
   * tests were written with, does not), so a point below the window's bottom scrolls the page to bring it
   * into the window. Points are taken as the tests compute them: from the unscrolled page.
   */
  private async reachable(x: number, y: number): Promise<[number, number]> {
    const id = await this.id();
    const script = `const [x, y] = arguments;
      const left = x - scrollX < 0 || x - scrollX >= innerWidth ? x - innerWidth / 2 : scrollX;
      const top = y - scrollY < 0 || y - scrollY >= innerHeight ? y - innerHeight / 2 : scrollY;
      if (left !== scrollX || top !== scrollY) scrollTo(left, top);
      return [x - scrollX, y - scrollY];`;
    const [atX, atY] = (await this.command('POST', `/session/${id}/execute/sync`, { script, args: [x, y] })) as [number, number];
    return [Math.round(atX), Math.round(atY)];
  }

  async sendMouseMove(_sessionId: string, x: number, y: number): Promise<void> {
    const [atX, atY] = await this.reachable(x, y);
    return this.pointer([{ type: 'pointerMove', origin: 'viewport', x: atX, y: atY, duration: 0 }]);
  }

  async sendMouseClick(_sessionId: string, x: number, y: number, button = 'left'): Promise<void> {
    const b = BUTTONS[button] ?? 0;
    const [atX, atY] = await this.reachable(x, y);
    return this.pointer([
      { type: 'pointerMove', origin: 'viewport', x: atX, y: atY, duration: 0 },
      { type: 'pointerDown', button: b },
      { type: 'pointerUp', button: b },
    ]);
  }

  sendMouseDown(_sessionId: string, button = 'left'): Promise<void> {
    return this.pointer([{ type: 'pointerDown', button: BUTTONS[button] ?? 0 }]);
  }

  sendMouseUp(_sessionId: string, button = 'left'): Promise<void> {
    return this.pointer([{ type: 'pointerUp', button: BUTTONS[button] ?? 0 }]);
  }

  async resetMouse(): Promise<void> {
    await this.command('DELETE', `/session/${await this.id()}/actions`);
  }
}

export function webkitLauncher(): BrowserLauncher {
  return new WebkitLauncher();
}

// --- Test groups ----------------------------------------------------------------------------------------

type Group = { name: string; files: string; browsers?: BrowserLauncher[] };

/** Launchers by the names FILMLESS_TEST_ENGINES takes (made on first use: each one is a browser to start). */
const ENGINE_LAUNCHERS: Record<string, () => BrowserLauncher> = {
  firefox: () => firefoxLauncher({ display: true }),
  'firefox-headless': () => firefoxLauncher(),
  webkit: () => webkitLauncher(),
  'chromium-nowebgl': () => chromiumWithoutWebglLauncher(),
};

/**
 * npm test's groups beyond Chromium's: the element suite in Firefox ESR and in WebKit, and the engine
 * contract (test/engines: a study from the PACS without WebGL, the core contract) in headless Firefox
 * and in Chromium with WebGL turned off.
 */
export function engineGroups(): Group[] {
  // FILMLESS_TEST_ENGINE_GROUPS=0: Chromium's groups only (scripts/fresh-clone-test.sh, after npm test ran them all).
  if (process.env.FILMLESS_TEST_ENGINE_GROUPS === '0') return [];
  const firefox = ENGINE_LAUNCHERS.firefox!();
  return [
    { name: 'element-firefox', files: 'test/element/**/*.test.ts', browsers: [firefox] },
    { name: 'element-webkit', files: 'test/element/**/*.test.ts', browsers: [ENGINE_LAUNCHERS.webkit!()] },
    { name: 'nowebgl-firefox', files: 'test/engines/**/*.test.ts', browsers: [ENGINE_LAUNCHERS['firefox-headless']!()] },
    { name: 'nowebgl-chromium', files: 'test/engines/**/*.test.ts', browsers: [ENGINE_LAUNCHERS['chromium-nowebgl']!()] },
  ];
}

/**
 * FILMLESS_TEST_FILES' group: in Chromium, or with FILMLESS_TEST_ENGINES=firefox,webkit,… one group per
 * engine named (`chromium` for the default one): firefox, firefox-headless, webkit, chromium-nowebgl.
 */
export function selectedGroups(files: string, engines = process.env.FILMLESS_TEST_ENGINES): Group[] {
  if (!engines) return [{ name: 'selected', files }];
  return engines.split(',').map((engine) => {
    if (engine === 'chromium') return { name: 'selected', files };
    const launcher = ENGINE_LAUNCHERS[engine];
    if (!launcher) throw new Error(`FILMLESS_TEST_ENGINES: no engine ${engine} (${Object.keys(ENGINE_LAUNCHERS).join(', ')}, chromium)`);
    return { name: `selected-${engine}`, files, browsers: [launcher()] };
  });
}
