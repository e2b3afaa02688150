import type { JWTVerifyGetKey } from 'jose';

import { settingUrlProblem } from '../net/addresses';

/** The signing keys could not be fetched, so no token can be judged now: 503, Graph retries. */
export class SigningKeysUnavailableError extends Error {
  constructor(reason: string) {
    super(`signing keys unavailable: ${reason}`);
    this.name = 'SigningKeysUnavailableError';
  }
}

export interface SigningKeySourceOptions {
  openIdConfigurationUrl: string;
  allowLoopback: boolean;
  /** Least time between two fetches, whether the last one worked or failed. */
  cooldownMs: number;
  /** Age at which the OpenID metadata and its keys are read again even if every kid is known. */
  maxAgeMs: number;
  fetchTimeoutMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The keys that sign Graph's callback tokens, from the `jwks_uri` of the OpenID metadata. They are
 * read again, metadata first (the `jwks_uri` may move), when a token names an unknown `kid` and
 * when they are a day old — but never more than once per cooldown, whether the last read worked
 * or failed, so a flood of forged `kid`s or an outage of the key endpoint costs one fetch. Keys
 * that were read once stay in use while a later read fails.
 */
export class SigningKeySource {
  private keys: JWTVerifyGetKey | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private attemptAt = Number.NEGATIVE_INFINITY;
  private lastError: string | undefined;
  private reading: Promise<void> | undefined;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: SigningKeySourceOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** A key resolver for jose's `jwtVerify`. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys || this.now() - this.readAt >= this.options.maxAgeMs) await this.readIfAllowed();
    if (!this.keys) throw new SigningKeysUnavailableError(this.lastError ?? 'not read yet');
    try {
      return await this.keys(header, token);
    } catch (err) {
      const { errors } = await import('jose');
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      const readBefore = this.readAt;
      await this.readIfAllowed();
      // Not read again (cooling down after a failure): whether this kid is genuine cannot be told now.
      if (this.readAt === readBefore && this.lastError) throw new SigningKeysUnavailableError(this.lastError);
      return this.keys(header, token);
    }
  };

  private async readIfAllowed(): Promise<void> {
    if (this.reading) return this.reading;
    if (this.now() - this.attemptAt < this.options.cooldownMs) return;
    this.attemptAt = this.now();
    this.reading = this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      const metadata = (await this.getJson(
        this.options.openIdConfigurationUrl,
        'CALLBACK_OPENID_CONFIGURATION_URL',
      )) as { jwks_uri?: unknown };
      const jwks = await this.getJson(metadata.jwks_uri, 'jwks_uri');
      const { createLocalJWKSet } = await import('jose');
      this.keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
      this.readAt = this.now();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  private async getJson(value: unknown, what: string): Promise<unknown> {
    const problem = settingUrlProblem(value, this.options.allowLoopback);
    if (problem) throw new Error(`${what} ${problem}`);
    const res = await this.fetch(String(value), { signal: AbortSignal.timeout(this.options.fetchTimeoutMs) });
    if (!res.ok) throw new Error(`${what} answered ${res.status}`);
    return res.json();
  }
}
