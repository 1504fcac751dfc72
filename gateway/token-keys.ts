/**
 * Signing keys for Filmless access tokens.
 *
 * The algorithm is ES256 (ECDSA on P-256 with SHA-256), one key pair:
 * - the token issuer (the HIS, or token-cli.ts on its behalf) holds the PRIVATE key and signs;
 * - the gateway holds only the PUBLIC key and verifies, so a compromised gateway cannot mint tokens,
 *   which a shared HS256 secret would allow;
 * - ES256 rather than EdDSA because every JWT library and HSM a hospital's systems use speaks it.
 * Keys are PEM (PKCS#8 private, SPKI public) and come from configuration, never from code: an
 * environment variable holding the PEM, or one naming a file. Each key's id (`kid` in the token header)
 * is its RFC 7638 JWK thumbprint, so a gateway can accept an old and a new key during a rotation.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';

export const TOKEN_ALGORITHM = 'ES256';
/** The JWT `typ` header of Filmless access tokens (RFC 8725 3.11: no other JWT is mistaken for one). */
export const TOKEN_TYPE = 'filmless-access+jwt';

export interface SigningKey {
  privateKey: KeyObject;
  kid: string;
}

export interface VerificationKey {
  publicKey: KeyObject;
  kid: string;
}

/** A key given as PEM text, or as the path of a PEM file. */
export type KeySource = { pem: string; from: string } | { file: string; from: string };

/** A configuration problem, told in words an operator can act on (never containing key material). */
export class KeyConfigError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * Picks the key source from the environment: `<NAME>` holds PEM text (newlines may be written `\n`,
 * as env files need), `<NAME>_FILE` a path. Setting both is an error, so an old value never wins.
 */
export function keySourceFromEnv(env: NodeJS.ProcessEnv, name: string): KeySource | undefined {
  const pem = env[name];
  const file = env[`${name}_FILE`];
  if (pem && file) throw new KeyConfigError(`Set ${name} or ${name}_FILE, not both.`);
  if (pem) return { pem: pem.replace(/\\n/g, '\n'), from: name };
  if (file) return { file, from: `${name}_FILE (${file})` };
  return undefined;
}

function readPem(source: KeySource): string {
  if ('pem' in source) return source.pem;
  try {
    return readFileSync(source.file, 'utf8');
  } catch (error) {
    throw new KeyConfigError(`Cannot read the key file named by ${source.from}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function pemBlocks(source: KeySource): string[] {
  const blocks = readPem(source).match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new KeyConfigError(`${source.from} holds no PEM key.`);
  return blocks;
}

function assertP256(key: KeyObject, from: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyConfigError(`${from} is not a P-256 (ES256) key. Make one with: npx tsx gateway/token-cli.ts keygen`);
  }
}

/** The key id of a public key: its RFC 7638 thumbprint (SHA-256, base64url). */
export async function keyId(publicKey: KeyObject): Promise<string> {
  const jwk = publicKey.export({ format: 'jwk' });
  return calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! });
}

/** Loads the issuer's private key (the first PEM block of the source). */
export async function loadSigningKey(source: KeySource): Promise<SigningKey> {
  const [block] = pemBlocks(source);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(block!);
  } catch {
    throw new KeyConfigError(`${source.from} is not a private key in PEM (PKCS#8).`);
  }
  assertP256(privateKey, source.from);
  return { privateKey, kid: await keyId(createPublicKey(privateKey)) };
}

/**
 * Loads the keys a gateway accepts: every PEM block of the source, public keys as they are and private
 * keys reduced to their public half (for a single-machine setup; a gateway needs only public keys).
 */
export async function loadVerificationKeys(source: KeySource): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  for (const block of pemBlocks(source)) {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(block);
    } catch {
      throw new KeyConfigError(`${source.from} holds a PEM block that is not a key.`);
    }
    assertP256(publicKey, source.from);
    keys.push({ publicKey, kid: await keyId(publicKey) });
  }
  return keys;
}

/** A new key pair as PEM text, with its key id. */
export async function generateTokenKeyPair(): Promise<{ privatePem: string; publicPem: string; kid: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    kid: await keyId(publicKey),
  };
}
