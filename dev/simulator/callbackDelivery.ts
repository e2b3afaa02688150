import type { SigningKeys, TokenClaims } from './signingKeys';

export interface Delivery {
  url: string;
  status: number;
  payload: unknown;
  at: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delivers callbacks as Graph does: POST with a fresh signed bearer token, and delivers again
 * (with back-off) when the endpoint answers 5xx or cannot be reached.
 */
export class CallbackDelivery {
  readonly log: Delivery[] = [];

  constructor(
    private readonly keys: SigningKeys,
    private readonly claims: () => TokenClaims,
    private readonly retryDelayMs: () => number,
    private readonly maxAttempts = 4,
  ) {}

  /** Delivers once per attempt until the endpoint takes it; returns the last status (0: unreachable). */
  async deliver(url: string, payload: unknown, token?: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const bearer = token ?? (await this.keys.sign(this.claims()));
      let status = 0;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
          body: JSON.stringify(payload),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      this.log.push({ url, status, payload, at: new Date().toISOString() });
      const failed = status === 0 || status >= 500;
      // A test's own token (forged or expired) is delivered once, as it is.
      if (!failed || attempt >= this.maxAttempts || token !== undefined) return status;
      await sleep(this.retryDelayMs() * attempt);
    }
  }
}
