/**
 * The revocation list: token ids (`jti`) the gateway refuses although their signature and lifetime are
 * fine (a token handed to the wrong person, a consultation that ended early).
 *
 * File format, one token id per line; `#` starts a comment; blank lines are ignored:
 *
 *     # revoked 2026-04-12 by the imaging desk, ticket 4711
 *     Qm9ndXMtdG9rZW4taWQ
 *
 * The gateway reloads the file when it changes (and on SIGHUP). A reload that fails keeps the list it
 * had and reports the error: an unreadable file never silently re-admits revoked tokens, and a
 * gateway whose file is missing at start does not start. Entries can be removed once the tokens they
 * name have expired.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';

export function parseRevocationList(text: string): Set<string> {
  const ids = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const id = line.replace(/#.*/, '').trim();
    if (id) ids.add(id);
  }
  return ids;
}

export class RevocationList {
  private ids: Set<string>;
  /** The file the list is read from, if any. */
  readonly path: string | undefined;

  private constructor(ids: Iterable<string>, path: string | undefined) {
    this.ids = new Set(ids);
    this.path = path;
  }

  /** A list kept in memory only (tests, or a gateway without a revocation file). */
  static inMemory(ids: Iterable<string> = []): RevocationList {
    return new RevocationList(ids, undefined);
  }

  /** Reads the file now; throws if it cannot be read. */
  static async fromFile(path: string): Promise<RevocationList> {
    return new RevocationList(parseRevocationList(await readFile(path, 'utf8')), path);
  }

  has(jti: string): boolean {
    return this.ids.has(jti);
  }

  /** The ids now on the list. */
  list(): string[] {
    return [...this.ids];
  }

  get size(): number {
    return this.ids.size;
  }

  /** Adds an id in memory (the file, if any, is not written: use appendRevocation for that). */
  add(jti: string): void {
    this.ids.add(jti);
  }

  /** Reads the file again and replaces the list; on failure the old list stays and the error is thrown. */
  async reload(): Promise<number> {
    if (!this.path) return this.ids.size;
    this.ids = parseRevocationList(await readFile(this.path, 'utf8'));
    return this.ids.size;
  }

  /**
   * Reloads whenever the file's modification time changes (polled every `intervalMs`; polling works
   * on every file system, including network shares). Returns a function that stops watching.
   */
  watch(intervalMs: number, report: (error: unknown, count?: number) => void): () => void {
    const path = this.path;
    if (!path) return () => undefined;
    const listener = (current: { mtimeMs: number }, previous: { mtimeMs: number }) => {
      if (current.mtimeMs === previous.mtimeMs) return;
      this.reload().then(
        (count) => report(undefined, count),
        (error: unknown) => report(error),
      );
    };
    watchFile(path, { interval: intervalMs, persistent: false }, listener);
    return () => unwatchFile(path, listener);
  }
}

/** Appends one token id to a revocation file (token-cli.ts `revoke`). */
export async function appendRevocation(path: string, jti: string, note?: string): Promise<void> {
  if (!/^[A-Za-z0-9._~-]+$/.test(jti)) throw new Error('A token id has only URL-safe characters');
  const comment = note ? ` # ${note.replace(/[\r\n]+/g, ' ')}` : '';
  await appendFile(path, `${jti}${comment}\n`, { encoding: 'utf8', mode: 0o640 });
}
