import { randomUUID } from 'node:crypto';

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

  private readonly chains = new Map<string, { chainId: string; scenarioId: string }>();

  /**
   * The headers Graph sends with each callback for Microsoft support: a request id per delivery,
   * a message id per notification, and the call chain and scenario ids, one per call.
   */
  private supportHeaders(payload: unknown): Record<string, string> {
    const first = (payload as { value?: Array<{ resource?: string; resourceUrl?: string }> } | undefined)?.value?.[0];
    const callId = /calls\/([^/]+)/i.exec(first?.resource ?? first?.resourceUrl ?? '')?.[1]?.toLowerCase() ?? '';
    let chain = this.chains.get(callId);
    if (!chain) this.chains.set(callId, (chain = { chainId: randomUUID(), scenarioId: randomUUID() }));
    return {
      'client-request-id': randomUUID(),
      'Scenario-Id': chain.scenarioId,
      'X-Microsoft-Skype-Chain-ID': chain.chainId,
      'X-Microsoft-Skype-Message-ID': randomUUID(),
    };
  }

  /** Delivers once per attempt until the endpoint takes it; returns the last status (0: unreachable). */
  async deliver(url: string, payload: unknown, token?: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const bearer = token ?? (await this.keys.sign(this.claims()));
      let status: number;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${bearer}`,
            ...this.supportHeaders(payload),
          },
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
