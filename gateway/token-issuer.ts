/**
 * Issues Filmless access tokens: short-lived, study-scoped, signed JWTs (ES256, see token-keys.ts).
 * This is what a HIS does when a user opens images (or what token-cli.ts does for it). The token is
 * handed to the page that embeds the viewer and nowhere else: never log it, never put it in a URL query.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { parseDuration, readClaims, type FilmlessTokenClaims, type TokenPurpose } from './token-claims.js';
import { TOKEN_ALGORITHM, TOKEN_TYPE, type SigningKey } from './token-keys.js';

export interface TokenIssuerOptions {
  key: SigningKey;
  /** The JWT `iss`: names the system that signs (e.g. `https://his.hospital.example`). */
  issuer: string;
  /** The JWT `aud`: names the gateway the token is for (e.g. `https://images.hospital.example/dicom-web`). */
  audience: string;
  /** Longest lifetime this issuer grants, in seconds (default 24 h); longer requests are refused. */
  maxLifetimeSeconds?: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

export interface TokenRequest {
  /** StudyInstanceUIDs the token opens. */
  studies: string[];
  purpose: TokenPurpose;
  /** Lifetime: seconds, or `90s`, `15m`, `12h`, `7d`. */
  ttl: string | number;
  /** Accession number the token is for (the gateway then refuses searches for any other). */
  accession?: string;
  /** Issuer of Accession Number. */
  issuer?: string;
  /** Most DICOMweb requests the token may make. A viewer load takes several: allow ten or more. */
  uses?: number;
  /** Seconds from now before the token becomes valid (default 0). */
  notBeforeSeconds?: number;
  /** Opaque id of the user the token is for; recorded in the audit log. */
  subject?: string;
}

export interface IssuedToken {
  /** The compact JWT. Hand it to the page; do not log it. */
  token: string;
  jti: string;
  expiresAt: Date;
  claims: FilmlessTokenClaims;
}

export class TokenRequestError extends Error {}

const DEFAULT_MAX_LIFETIME = 24 * 3600;

export function createTokenIssuer(options: TokenIssuerOptions): { issue: (request: TokenRequest) => Promise<IssuedToken> } {
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME;
  const now = options.now ?? (() => new Date());
  return {
    async issue(request) {
      const ttl = parseDuration(request.ttl);
      if (ttl === undefined) throw new TokenRequestError(`ttl "${request.ttl}" is not a duration (e.g. 900, 15m, 12h)`);
      const iat = Math.floor(now().getTime() / 1000);
      const nbf = iat + Math.max(0, Math.floor(request.notBeforeSeconds ?? 0));
      if (nbf + ttl - iat > maxLifetime) throw new TokenRequestError(`the token would live longer than this issuer's maximum of ${maxLifetime} s`);
      const payload = {
        jti: randomBytes(16).toString('base64url'),
        studies: request.studies,
        purpose: request.purpose,
        ...(request.accession !== undefined ? { accession: request.accession } : {}),
        ...(request.issuer !== undefined ? { issuer: request.issuer } : {}),
        ...(request.uses !== undefined ? { uses: request.uses } : {}),
        ...(request.subject !== undefined ? { sub: request.subject } : {}),
      };
      // The same checks the gateway applies: never sign a token the gateway would refuse.
      const claims = readClaims({ ...payload, iss: options.issuer, iat, nbf, exp: nbf + ttl });
      if (typeof claims === 'string') throw new TokenRequestError(claims);
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: TOKEN_TYPE, kid: options.key.kid })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(iat)
        .setNotBefore(nbf)
        .setExpirationTime(nbf + ttl)
        .sign(options.key.privateKey);
      return { token, jti: claims.jti, expiresAt: new Date(claims.exp * 1000), claims };
    },
  };
}
