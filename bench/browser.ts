/**
 * A fresh Debian Chromium for each sample: new user-data-dir (no cache, no state), software WebGL2
 * through SwiftShader with the flags the tests use, and a blank WebGL page first so the GPU process and
 * SwiftShader are up before the measured page starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';

export { CHROMIUM_ARGS, CHROMIUM_PATH };

export interface FreshBrowser {
  context: BrowserContext;
  /** The tab the warm-up ran in; the measured page is loaded in it next. */
  page: Page;
  userDataDir: string;
  close: () => Promise<void>;
}

export async function launchFresh(warmUrl: string): Promise<FreshBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'filmless-bench-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 800, height: 800 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(warmUrl);
    await page.waitForFunction(() => document.title.startsWith('warm'), undefined, { timeout: 30_000 });
    const title = await page.title();
    if (title !== 'warm') throw new Error(`warm-up page: ${title}`);
    return {
      context,
      page,
      userDataDir,
      close: async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
