/**
 * How a test skipped on one engine carries its reason (engines.ts' skipOn writes it into the test's
 * name, summary-reporter.ts reads it back). No browser globals here: the reporter runs in Node.
 */
export function engineSkipMark(engine: string, reason: string): string {
  return `[skipped on ${engine}: ${reason.replace(/[[\]]/g, '')}]`;
}

/** The engine and reason of a marked name, or undefined. */
export function readEngineSkipMark(name: string): { engine: string; reason: string } | undefined {
  const found = /\[skipped on (\w+): ([^\]]+)\]/.exec(name);
  return found ? { engine: found[1]!, reason: found[2]! } : undefined;
}
