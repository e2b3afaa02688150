import type { JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { settingUrlProblem } from '../net/addresses';
import { canonicalGuid } from '../ids';
import { VerifiedTokens } from './verifiedTokens';

/** The token is missing or does not prove the callback came from Graph for our bot: 401. */
export class CallbackTokenError extends Error {
  constructor(readonly reason: string) {
    super(`callback token rejected: ${reason}`);
    this.name = 'CallbackTokenError';
  }
}

/** The signing keys could not be fetched, so no token can be judged now: 503, Graph retries. */
export class SigningKeysUnavailableError extends Error {
  constructor(reason: string) {
    super(`signing keys unavailable: ${reason}`);
    this.name = 'SigningKeysUnavailableError';
  }
}

export interface CallbackClaims {
  issuer: string;
  tenantId?: string;
  appId?: string;
}

export interface CallbackTokenValidator {
  /** Resolves with the token's claims, or rejects with CallbackTokenError / SigningKeysUnavailableError. */
  validate(authorization: string | null | undefined): Promise<CallbackClaims>;
}

const MAX_CLOCK_SKEW_SECONDS = 300;
const FETCH_TIMEOUT_MS = 5000;
// jose error codes that mean "this token is bad", as opposed to "the key source failed".
const KEY_SOURCE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

function bearerToken(authorization: string | null | undefined): string {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new CallbackTokenError(authorization ? 'not a Bearer token' : 'no Authorization header');
  return match[1];
}

function checkedUrl(value: unknown, allowLoopback: boolean, what: string): URL {
  const problem = settingUrlProblem(value, allowLoopback);
  if (problem) throw new SigningKeysUnavailableError(`${what} ${problem}`);
  return new URL(String(value));
}

/**
 * Validates Graph's callback bearer token: RS256 signature by a key from the OpenID metadata's
 * JWKS, issuer, audience (the bot's app id), expiry and not-before with 5 minutes' skew, tenant.
 * Keys are cached by jose and fetched again, at most once per cooldown, for an unknown `kid`.
 */
export function createCallbackTokenValidator(cfg: Config['callback'], allowLoopback: boolean): CallbackTokenValidator {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const verified = new VerifiedTokens<CallbackClaims>(MAX_CLOCK_SKEW_SECONDS);
  const tenantKey = (t: string) => canonicalGuid(t) ?? t.toLowerCase();
  const allowedTenants = cfg.allowedTenants === 'any' ? undefined : new Set(cfg.allowedTenants.map(tenantKey));

  const loadKeySet = async (): Promise<JWTVerifyGetKey> => {
    const { createRemoteJWKSet } = await import('jose');
    const metadataUrl = checkedUrl(cfg.openIdConfigurationUrl, allowLoopback, 'CALLBACK_OPENID_CONFIGURATION_URL');
    let metadata: { jwks_uri?: unknown };
    try {
      const res = await fetch(metadataUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`OpenID metadata answered ${res.status}`);
      metadata = (await res.json()) as { jwks_uri?: unknown };
    } catch (err) {
      throw new SigningKeysUnavailableError(err instanceof Error ? err.message : 'OpenID metadata unavailable');
    }
    const jwksUrl = checkedUrl(metadata.jwks_uri, allowLoopback, 'jwks_uri');
    return createRemoteJWKSet(jwksUrl, {
      cooldownDuration: cfg.keyRefreshCooldownMs,
      timeoutDuration: FETCH_TIMEOUT_MS,
    });
  };

  return {
    async validate(authorization) {
      const token = bearerToken(authorization);
      const known = verified.get(token, Date.now() / 1000);
      if (known) return known;
      keySet ??= loadKeySet().catch((err: unknown) => {
        keySet = undefined; // try the metadata again on the next callback
        throw err;
      });
      const keys = await keySet;
      const { jwtVerify, errors } = await import('jose');
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ['RS256'],
          issuer: cfg.issuers,
          audience: cfg.audience,
          clockTolerance: MAX_CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp'],
        });
        const tenantId = typeof payload.tid === 'string' ? payload.tid : undefined;
        // Whenever tenants are restricted, a token that names none is refused too.
        if (allowedTenants && !(tenantId && allowedTenants.has(tenantKey(tenantId)))) {
          throw new CallbackTokenError('tenant not allowed');
        }
        const appId = typeof payload.appid === 'string' ? payload.appid : undefined;
        const claims = { issuer: String(payload.iss), tenantId, appId };
        verified.remember(token, claims, payload.nbf ?? payload.iat ?? 0, payload.exp!);
        return claims;
      } catch (err) {
        if (err instanceof CallbackTokenError) throw err;
        if (err instanceof errors.JOSEError && !KEY_SOURCE_CODES.has(err.code)) throw new CallbackTokenError(err.code);
        throw new SigningKeysUnavailableError(err instanceof Error ? err.message : 'key fetch failed');
      }
    },
  };
}
