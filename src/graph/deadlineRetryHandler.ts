import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';

import { GraphUnavailable } from '../errors';
import { classifyGraphStatus, retryAfterSeconds } from './graphErrors';

/** Passed with a request: when it may last be sent, and Graph's `request-id` of the last answer (for the logs). */
export class GraphRequestOptions implements MiddlewareOptions {
  requestId: string | undefined;
  constructor(readonly sendBefore?: number) {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries throttled and unavailable answers (429, 503) honouring `Retry-After`, like the Graph
 * client's own RetryHandler, but never 500/502/504 (which that handler retries), and within one
 * total deadline: that handler may wait minutes, while our callers must get an answer (503 +
 * Retry-After) in seconds. Each attempt is aborted at the deadline, and nothing is sent after a
 * request's `sendBefore` (a slow token must not let an invite go out after its claim expired).
 */
export class DeadlineRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly deadlineMs: number,
    private readonly firstBackoffMs = 250,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('DeadlineRetryHandler needs a next middleware');
    const options = context.middlewareControl?.getMiddlewareOptions(GraphRequestOptions) as
      GraphRequestOptions | undefined;
    const deadline = Math.min(Date.now() + this.deadlineMs, options?.sendBefore ?? Number.POSITIVE_INFINITY);
    if (Date.now() >= deadline) throw new GraphUnavailable(0, 1); // not sent at all
    for (let attempt = 0; ; attempt++) {
      context.options = { ...context.options, signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) };
      await this.next.execute(context);
      const response = context.response;
      if (options && response) options.requestId = response.headers.get('request-id') ?? options.requestId;
      // Only answers that say Graph did not act are sent again (an invite is not idempotent).
      if (!response || classifyGraphStatus(response.status) !== 'throttled') return;
      const header = response.headers.get('retry-after');
      const delayMs = header
        ? retryAfterSeconds(header, 1, Number.MAX_SAFE_INTEGER) * 1000
        : this.firstBackoffMs * 2 ** attempt;
      // Waiting past the deadline would be a hang: hand the last answer back instead.
      if (Date.now() + delayMs >= deadline) return;
      await response.arrayBuffer().catch(() => undefined);
      await sleep(delayMs);
    }
  }
}
