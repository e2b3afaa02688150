import type { WebhookState } from '../operations/operationRecord';

/** The subject id of a call's own webhook in queue messages and the sweep's index (never an operation id: not a GUID). */
export const CALL_SUBJECT = '~call';

/** What a webhook is about, as delivery needs it: an operation, a call the service started, or an event subscription. */
export interface WebhookSubject {
  /** For the logs: the call, and the operation or subscription. */
  about: Record<string, unknown>;
  /**
   * The subject as it stands, or undefined while it is not stored. `idle`: nothing to deliver now,
   * nor to wait for (an event subscription that has delivered every event so far).
   */
  load(): Promise<
    | { webhook: WebhookState | null; callbackUrl: string | null; ready: boolean; etag: string; idle?: boolean }
    | undefined
  >;
  /** The body to POST (of the subject as last loaded), and until when to wait for it to settle (epoch ms; 0: now). */
  body(): Promise<{ body: unknown; settleAt: number }>;
  /** Writes the webhook state if the subject is unchanged since it was loaded (else a 412). */
  claim(webhook: WebhookState): Promise<void>;
  /**
   * Writes the webhook state on the subject's latest version, unless it was cancelled meanwhile;
   * `more`: after a delivery, there is another to make (the subscription's next event).
   */
  set(webhook: WebhookState): Promise<{ more?: boolean } | void>;
}
