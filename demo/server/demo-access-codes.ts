/**
 * Short access codes for share links, the kind printed on a result sheet for a patient to type:
 * eight characters shown as `XXXX-XXXX`. The code is not the token: the server keeps, in memory, which
 * share link each code stands for and until when, and hands the link over when the code is typed at
 * `/demo/access` (with attempts limited per client, see demo-attempt-limit.ts).
 *
 * The alphabet is Crockford's base 32 (digits and letters without I, L, O and U), so a code read
 * aloud or copied from paper has no look-alikes: a typed O counts as 0, an I or L as 1, and case,
 * spaces and dashes do not matter. Eight characters are 40 random bits (about 10^12 codes).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 8;
/** Expired codes are remembered this long, so a patient is told "expired" rather than "wrong". */
const KEEP_EXPIRED_MS = 30 * 24 * 3600 * 1000;
/** A bound on memory: past it, the entries that expire soonest are dropped first. */
const MAX_CODES = 100_000;

/** What an access code stands for. */
export interface AccessGrant {
  studyInstanceUID: string;
  /** The share token the code unlocks (it goes into the link's fragment). */
  token: string;
  expiresAtMs: number;
}

export type AccessLookup =
  | { status: 'valid'; grant: AccessGrant }
  | { status: 'expired'; expiresAtMs: number }
  | { status: 'unknown' };

/** `ABCD2345` → `ABCD-2345`. */
export function formatAccessCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A typed code in its stored form (eight characters of the alphabet), or undefined when it cannot be
 * one. Forgiving of what people do on paper and phones: lower case, spaces, dashes, O for 0, I or L for 1.
 */
export function normalizeAccessCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const code = typed
    .toUpperCase()
    .replace(/[\s\-–—._]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== CODE_LENGTH) return undefined;
  for (const character of code) if (!ALPHABET.includes(character)) return undefined;
  return code;
}

function randomCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Access codes of this server run (a restart forgets them, as it forgets the signing key it generated). */
export class AccessCodeStore {
  private readonly codes = new Map<string, AccessGrant>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Makes a new code for the grant; returns it in stored form (format it for people with formatAccessCode). */
  add(grant: AccessGrant): string {
    this.sweep();
    let code = randomCode();
    while (this.codes.has(code)) code = randomCode();
    this.codes.set(code, { ...grant });
    return code;
  }

  /** What a typed code stands for; the code is normalized first. */
  lookup(typed: string): AccessLookup {
    const code = normalizeAccessCode(typed);
    const grant = code === undefined ? undefined : this.codes.get(code);
    if (!grant) return { status: 'unknown' };
    if (grant.expiresAtMs <= this.now()) return { status: 'expired', expiresAtMs: grant.expiresAtMs };
    return { status: 'valid', grant: { ...grant } };
  }

  get size(): number {
    return this.codes.size;
  }

  private sweep(): void {
    const horizon = this.now() - KEEP_EXPIRED_MS;
    for (const [code, grant] of this.codes) if (grant.expiresAtMs < horizon) this.codes.delete(code);
    if (this.codes.size < MAX_CODES) return;
    const soonest = [...this.codes].sort((a, b) => a[1].expiresAtMs - b[1].expiresAtMs);
    for (const [code] of soonest.slice(0, this.codes.size - MAX_CODES + 1)) this.codes.delete(code);
  }
}
