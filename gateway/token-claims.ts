/**
 * What a Filmless access token says, and the checks both the issuer and the gateway apply to it.
 *
 * A token is a signed JWT (see token-keys.ts for the algorithm). It is readable by anyone who holds it
 * (signed, not encrypted), so it carries identifiers only: study UIDs, an accession number, a token id.
 * Never put a patient's name or birth date in it.
 */

/** The JWT `iss` and `aud` the CLI and the gateway use unless configured (set your own per site). */
export const DEFAULT_TOKEN_ISSUER = 'filmless-token-issuer';
export const DEFAULT_TOKEN_AUDIENCE = 'filmless-gateway';

/** Why the token was issued; recorded in every audit line. */
export type TokenPurpose = 'patient' | 'clinician' | 'consult';
export const TOKEN_PURPOSES: readonly TokenPurpose[] = ['patient', 'clinician', 'consult'];

/** The claims of a verified token, as the gateway uses them. */
export interface FilmlessTokenClaims {
  /** Token id (`jti`): what the audit log, the use counter and the revocation list refer to. */
  jti: string;
  /** StudyInstanceUIDs the token opens; nothing else is reachable with it. */
  studies: string[];
  purpose: TokenPurpose;
  /** Accession number the token was issued for; searches by another accession number are refused. */
  accession?: string;
  /** Issuer of Accession Number (the hospital's namespace), not the JWT `iss`. */
  issuer?: string;
  /** How many DICOMweb requests the token may make (a viewer load takes several); absent: no limit. */
  uses?: number;
  /** Who the token was issued to, as an opaque id of the issuing system (a user id, never a name). */
  sub?: string;
  /** The JWT `iss`: the system that signed it. */
  tokenIssuer: string;
  /** Seconds since the epoch. */
  iat: number;
  nbf: number;
  exp: number;
}

/** Most studies one token may open: a token is for one visit or one consultation, not a worklist. */
export const MAX_STUDIES_PER_TOKEN = 20;
/** DICOM UIDs: digits and dots, at most 64 characters (PS3.5 9.1). */
const UID = /^[0-9]+(\.[0-9]+)*$/;
/** Text without DICOM wildcards (`*`, `?`), value separators (`\`) or control characters. */
function isExactText(text: string): boolean {
  if (text === '' || /[*?\\]/.test(text)) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
const JTI = /^[A-Za-z0-9._~-]{8,128}$/;

export function isUid(value: string): boolean {
  return value.length <= 64 && UID.test(value);
}

/**
 * Checks the Filmless-specific claims of a payload (the registered claims `exp`, `nbf`, `iss`, `aud`
 * are checked by jose before this). Returns the claims, or a sentence saying what is wrong.
 */
export function readClaims(payload: Record<string, unknown>): FilmlessTokenClaims | string {
  const { jti, studies, purpose, accession, issuer, uses, sub, iss, iat, nbf, exp } = payload;
  if (typeof jti !== 'string' || !JTI.test(jti)) return 'jti must be 8 to 128 URL-safe characters';
  if (!Array.isArray(studies) || studies.length === 0) return 'studies must list at least one StudyInstanceUID';
  if (studies.length > MAX_STUDIES_PER_TOKEN) return `studies may list at most ${MAX_STUDIES_PER_TOKEN} UIDs`;
  if (!studies.every((uid): uid is string => typeof uid === 'string' && isUid(uid))) {
    return 'studies must hold StudyInstanceUIDs (digits and dots, no wildcards)';
  }
  if (typeof purpose !== 'string' || !TOKEN_PURPOSES.includes(purpose as TokenPurpose)) {
    return `purpose must be one of ${TOKEN_PURPOSES.join(', ')}`;
  }
  if (accession !== undefined && !(typeof accession === 'string' && accession.length <= 64 && isExactText(accession))) {
    return 'accession must be an exact accession number (no wildcards)';
  }
  if (issuer !== undefined && !(typeof issuer === 'string' && issuer.length <= 64 && isExactText(issuer))) {
    return 'issuer (of the accession number) must be exact text';
  }
  if (uses !== undefined && !(typeof uses === 'number' && Number.isSafeInteger(uses) && uses > 0)) {
    return 'uses must be a positive whole number';
  }
  if (sub !== undefined && !(typeof sub === 'string' && sub.length <= 128)) return 'sub must be a short opaque id';
  if (typeof iss !== 'string') return 'iss is required';
  for (const [name, value] of [['iat', iat], ['nbf', nbf], ['exp', exp]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} is required`;
  }
  return {
    jti,
    studies: [...new Set(studies)],
    purpose: purpose as TokenPurpose,
    ...(accession !== undefined ? { accession: accession as string } : {}),
    ...(issuer !== undefined ? { issuer: issuer as string } : {}),
    ...(uses !== undefined ? { uses: uses as number } : {}),
    ...(sub !== undefined ? { sub: sub as string } : {}),
    tokenIssuer: iss,
    iat: iat as number,
    nbf: nbf as number,
    exp: exp as number,
  };
}

/**
 * Reads a duration as the CLI and the configuration write it: `90` (seconds), `90s`, `15m`, `12h`, `7d`.
 * Returns seconds, or undefined for anything else.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : undefined;
  const match = /^\s*(\d+)\s*(s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
