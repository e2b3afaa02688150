import type { Config } from '../config';
import { tenantKey } from '../ids';
import { SigningKeySource, SigningKeysUnavailableError } from './signingKeySource';
import { VerifiedTokens } from './verifiedTokens';

/** The token is missing or does not prove the callback came from Graph for our bot: 401. */
export class CallbackTokenError extends Error {
  constructor(readonly reason: string) {
    super(`callback token rejected: ${reason}`);
    this.name = 'CallbackTokenError';
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
// The OpenID metadata and its keys are read again at least daily, so a moved jwks_uri or a withdrawn key is noticed.
const KEYS_MAX_AGE_MS = 24 * 3600 * 1000;

function bearerToken(authorization: string | null | undefined): string {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new CallbackTokenError(authorization ? 'not a Bearer token' : 'no Authorization header');
  return match[1];
}

/**
 * Validates Graph's callback bearer token: RS256 signature by a key from the OpenID metadata's
 * JWKS, issuer, audience (the bot's app id), expiry and not-before with 5 minutes' skew, tenant.
 * Keys come from a SigningKeySource: cached, read again for an unknown `kid` or daily, at most once per cooldown.
 */
export function createCallbackTokenValidator(cfg: Config['callback'], allowLoopback: boolean): CallbackTokenValidator {
  const keys = new SigningKeySource({
    openIdConfigurationUrl: cfg.openIdConfigurationUrl,
    allowLoopback,
    cooldownMs: cfg.keyRefreshCooldownMs,
    maxAgeMs: KEYS_MAX_AGE_MS,
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
  });
  const verified = new VerifiedTokens<CallbackClaims>(MAX_CLOCK_SKEW_SECONDS);
  const allowedTenants = cfg.allowedTenants === 'any' ? undefined : new Set(cfg.allowedTenants.map(tenantKey));

  return {
    async validate(authorization) {
      const token = bearerToken(authorization);
      const known = verified.get(token, Date.now() / 1000);
      if (known) return known;
      const { jwtVerify, errors } = await import('jose');
      try {
        const { payload } = await jwtVerify(token, keys.getKey, {
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
        if (err instanceof CallbackTokenError || err instanceof SigningKeysUnavailableError) throw err;
        if (err instanceof errors.JOSEError) throw new CallbackTokenError(err.code);
        throw new SigningKeysUnavailableError(err instanceof Error ? err.message : 'key fetch failed');
      }
    },
  };
}
