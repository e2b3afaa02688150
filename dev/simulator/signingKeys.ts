import { randomUUID } from 'node:crypto';

import type { CryptoKey, JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenClaims {
  iss: string;
  aud: string;
  tid: string;
  [claim: string]: unknown;
}

/** The simulator's own RS256 keys, published as a JWKS the service is configured to trust. */
export class SigningKeys {
  private keys: SigningKey[] = [];

  static async create(): Promise<SigningKeys> {
    const keys = new SigningKeys();
    await keys.rotate();
    return keys;
  }

  /** Publishes a new key (new `kid`) and signs with it from now on; old keys stay published. */
  async rotate(): Promise<string> {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    this.keys.unshift({ kid, privateKey, publicJwk });
    return kid;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** A token as Graph sends it with callbacks: valid for an hour, signed by the current key. */
  async sign(claims: TokenClaims, lifetimeSeconds = 3600): Promise<string> {
    const { SignJWT } = await import('jose');
    const current = this.keys[0];
    if (!current) throw new Error('no signing key');
    const now = Math.floor(Date.now() / 1000);
    // Explicit claims win over the defaults, so tests can forge nbf/exp/iat too.
    return new SignJWT({ iat: now, nbf: now, exp: now + lifetimeSeconds, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'JWT' })
      .sign(current.privateKey);
  }
}
