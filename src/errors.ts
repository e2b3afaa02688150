/**
 * What can go wrong, as the use cases say it. Nothing here knows of HTTP: the one mapper
 * (src/http/errorResponse.ts) gives each its status, Graph's error envelope and Retry-After.
 * Each message is one sentence a person can act on. Storage faults are the SDK's own errors,
 * sorted by src/storage/storageErrors.ts.
 */

/** One invalid field: its JSON path (`participants[0].identity`) and what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
  code?: string;
}

abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is not valid; nothing was stored and Graph was not called. */
export class InvalidInput extends DomainError {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** One invalid field, said once: its path leads the message too. */
export const invalidField = (path: string, message: string) =>
  new InvalidInput(`${path}: ${message}`, [{ path, message }]);

export class NotFound extends DomainError {}

/** An idempotency key was used before with a different request. */
export class Conflict extends DomainError {}

export class PayloadTooLarge extends DomainError {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** The same idempotency key is being handled right now: try again in a moment. */
export class InProgress extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * App settings still hold Key Vault references App Service could not resolve (their literal
 * `@Microsoft.KeyVault(...)` text): the service does not act on settings it cannot read.
 */
export class SettingsUnresolved extends DomainError {
  constructor(readonly names: readonly string[]) {
    super(
      `These app settings hold Key Vault references that did not resolve: ${names.join(', ')}. ` +
        "Give the app's identity access to the vault, then restart the app.",
    );
  }
}

/** Other writers kept changing the same record: a retry a little later will land. */
export class WriteContention extends DomainError {
  constructor(readonly attempts: number) {
    super(`The record kept changing under ${attempts} attempts to write it; retry shortly.`);
  }
}

/** Graph refused the request (a 4xx other than 429): nothing was started. */
export class GraphRefused extends DomainError {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    readonly graphMessage: string,
    readonly requestId?: string,
  ) {
    super(`Graph refused the request: ${graphMessage || graphCode}`);
  }
}

/** Graph stayed throttled or unavailable (429, 503) until the deadline, or (status 0) nothing was sent: nothing was started. */
export class GraphUnavailable extends DomainError {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number,
    readonly requestId?: string,
  ) {
    super(
      status
        ? `Graph is throttling or unavailable (${status}); retry later.`
        : 'Graph could not be reached in time and nothing was sent; retry later.',
    );
  }
}

/**
 * Graph's answer does not say whether the request took effect: none came (timeout, reset) or it was
 * 500, 502, 504 or another status that may follow the work being done. Never sent again blindly.
 */
export class GraphOutcomeUnknown extends DomainError {
  constructor(
    readonly reason: string,
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super('Graph gave no clear answer; the request may have taken effect. Retry with the same clientContext.');
  }
}

/** Graph accepted the request, but its answer cannot be used (it names no operation). */
export class GraphAnswerUnusable extends DomainError {}

/** Anything thrown, as an Error, so callers never cast. */
export function ensureError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : JSON.stringify(err));
}
