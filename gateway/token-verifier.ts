/**
 * Verifies Filmless access tokens for the gateway: signature (ES256 only, by one of the configured
 * public keys), type, issuer, audience, lifetime, Filmless claims and the revocation list.
 * It answers with the claims or with a short reason for the audit log; it never logs the token.
 */
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type CompactJWSHeaderParameters } from 'jose';
import { readClaims, type FilmlessTokenClaims } from './token-claims.js';
import { TOKEN_ALGORITHM, TOKEN_TYPE, type VerificationKey } from './token-keys.js';
import type { RevocationList } from './token-revocation.js';

export interface TokenVerifierOptions {
  /** Public keys accepted (two during a key rotation). */
  keys: VerificationKey[];
  /** Expected JWT `iss`. */
  issuer: string;
  /** Expected JWT `aud` (this gateway). */
  audience: string;
  revocations?: RevocationList;
  /** Clock skew tolerated between issuer and gateway for `exp` and `nbf`, in seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Longest lifetime (exp − iat) accepted, in seconds (default 24 h): a mis-issued year-long token is refused. */
  maxLifetimeSeconds?: number;
  now?: () => Date;
}

/** Why a token was refused (audit log reason; the client only learns "invalid token"). */
export type TokenRejection =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'unknown-key'
  | 'signature'
  | 'wrong-type'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime'
  | 'claims'
  | 'revoked';

export type TokenCheck =
  | { ok: true; claims: FilmlessTokenClaims }
  /** `jti` is given only when the signature was good, so an audit line never repeats a forger's id. */
  | { ok: false; reason: TokenRejection; jti?: string };

export interface TokenVerifier {
  verify: (token: string | undefined) => Promise<TokenCheck>;
}

/** Longer strings are not parsed at all. */
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

class UnknownKey extends Error {}

function rejection(error: unknown): TokenRejection {
  if (error instanceof UnknownKey) return 'unknown-key';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not-yet-valid';
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'aud') return 'wrong-audience';
    if (error.claim === 'typ') return 'wrong-type';
    return 'claims';
  }
  return 'malformed';
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (options.keys.length === 0) throw new Error('The token verifier needs at least one public key');
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxLifetime = options.maxLifetimeSeconds ?? 24 * 3600;
  const now = options.now ?? (() => new Date());

  const keyFor = (header: CompactJWSHeaderParameters): KeyObject => {
    // With one key a token may omit `kid`; with several (a rotation) it must name one.
    const key = header.kid === undefined && options.keys.length === 1 ? options.keys[0] : options.keys.find((k) => k.kid === header.kid);
    if (!key) throw new UnknownKey();
    return key.publicKey;
  };

  return {
    async verify(token) {
      if (!token) return { ok: false, reason: 'missing' };
      if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return { ok: false, reason: 'malformed' };
      // Refuse other algorithms (and `none`) before any key is looked up.
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (alg !== TOKEN_ALGORITHM) return { ok: false, reason: 'algorithm' };

      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, keyFor, {
          algorithms: [TOKEN_ALGORITHM],
          typ: TOKEN_TYPE,
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: tolerance,
          currentDate: now(),
          requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
        }));
      } catch (error) {
        const reason = rejection(error);
        // Claim failures come after the signature check: their jti is the issuer's, safe to log.
        const signed = error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed;
        const jti = signed ? (error as errors.JWTExpired).payload.jti : undefined;
        return typeof jti === 'string' && jti.length <= 128 ? { ok: false, reason, jti } : { ok: false, reason };
      }
      const claims = readClaims(payload);
      if (typeof claims === 'string') return { ok: false, reason: 'claims' };
      if (claims.exp - claims.iat > maxLifetime || claims.nbf < claims.iat - tolerance) {
        return { ok: false, reason: 'lifetime', jti: claims.jti };
      }
      if (options.revocations?.has(claims.jti)) return { ok: false, reason: 'revoked', jti: claims.jti };
      return { ok: true, claims };
    },
  };
}
