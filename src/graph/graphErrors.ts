/** Graph answered the invite with a client error (400, 403, 404, 409, ...): nothing was started. */
export class GraphRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    readonly graphMessage: string,
    readonly requestId?: string,
  ) {
    super(`Graph refused the request: ${status} ${graphCode}`);
    this.name = 'GraphRejectedError';
  }
}

/** Graph stayed throttled or failing (429/5xx) until the deadline: nothing was started. */
export class GraphUnavailableError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number,
    readonly requestId?: string,
  ) {
    super(`Graph is unavailable: ${status}`);
    this.name = 'GraphUnavailableError';
  }
}

/** No answer from Graph arrived (timeout, reset): the invite may or may not have started. */
export class GraphNoAnswerError extends Error {
  constructor(readonly reason: string) {
    super(`No answer from Graph: ${reason}`);
    this.name = 'GraphNoAnswerError';
  }
}

/** Graph's `Retry-After` (seconds or an HTTP date) in whole seconds, capped. */
export function retryAfterSeconds(header: string | null | undefined, fallback: number, cap = 30): number {
  if (!header) return fallback;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return fallback;
  return Math.min(cap, Math.max(1, Math.ceil(seconds)));
}
