/**
 * Browser engines in the tests: which one runs this page, and tests marked as not run on one of them,
 * with the reason next to the mark. A marked test is registered as skipped with the engine and the
 * reason in its name; the summary reporter counts it as skipped and npm test prints the reason.
 *
 *   skipOn('webkit', 'WebDriver cannot emulate forced colours').it('follows forced colours', async () => …);
 */
import { engineSkipMark } from './engine-skip-mark.js';

export type Engine = 'chromium' | 'firefox' | 'webkit';

/** The engine of this page, from its user agent (Chromium says Chrome; WebKitGTK says Safari only). */
export const ENGINE: Engine = /Firefox\//.test(navigator.userAgent) ? 'firefox' : /Chrom(e|ium)\//.test(navigator.userAgent) ? 'chromium' : 'webkit';

/** Whether a WebGL2 context can be made on this page (a probe context, released at once). */
export function hasWebgl2(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  return gl !== null;
}

/** `it` and `describe` that skip on the engines named, with the reason in the skipped test's name. */
export function skipOn(engines: Engine | Engine[], reason: string): { it: Mocha.TestFunction | Mocha.PendingTestFunction; describe: Mocha.SuiteFunction | Mocha.PendingSuiteFunction } {
  const list = Array.isArray(engines) ? engines : [engines];
  if (!list.includes(ENGINE)) return { it, describe };
  const mark = (title: string) => `${title} ${engineSkipMark(ENGINE, reason)}`;
  return {
    it: ((title: string) => it.skip(mark(title))) as Mocha.PendingTestFunction,
    describe: ((title: string, fn: (this: Mocha.Suite) => void) => describe.skip(mark(title), fn)) as Mocha.PendingSuiteFunction,
  };
}
