/** How the service started a call, as the caller asked it (the passcode is never kept). */
export type StartedWith =
  | {
      meeting: {
        joinWebUrl?: string;
        joinMeetingId?: string;
        threadId?: string;
        organizerId?: string;
        tenantId: string;
      };
    }
  | { targets: unknown[] }
  /** A call someone placed to the bot, which the service answered (INCOMING_CALLS=answer). */
  | { answered: { caller: Record<string, unknown> | null; groupCall?: true } };

/** What the call's row says of a call this service started, beside Graph's state of it. */
export interface StartedCall {
  /** The start request's idempotency key; null for a call the service answered. */
  clientContext: string | null;
  startedWith: StartedWith;
  createdDateTime: string;
  /** Where the call is POSTed once established or terminated; a secret, never shown. */
  callbackUrl: string | null;
  /**
   * The call's id as Graph wrote it (`57DAB8B1...` or `57dab8b1-...`): Graph is called with that form.
   * Absent on rows an earlier version wrote (then the canonical id is used).
   */
  graphCallId?: string;
  /** The Teams resource account the call was placed from or to; Graph takes phone numbers only into such calls. */
  applicationInstanceId?: string | null;
  /** The tenant the call was placed in: only that tenant's callback tokens may change it (src/notifications/callTenants.ts). */
  tenantId?: string;
}

/** The id Graph is called with: the form Graph wrote it in for a call the service owns, else the caller's. */
export const graphIdOf = (started: StartedCall | undefined, callIdAsGiven: string) =>
  started?.graphCallId ?? callIdAsGiven;

/**
 * A request to start a call, by its clientContext, written before Graph is called: it holds
 * everything the call's record is made from, so a record lost to a storage failure is made again.
 */
export interface CallRequestRecord extends StartedCall {
  clientContext: string;
  /** Digest of the request: the same clientContext with another request is a conflict. */
  requestHash: string;
  /** Graph's call id once Graph answered. */
  callId: string | null;
  /** When the current attempt to call Graph started; an attempt older than the Graph deadline is over. */
  sendingSince: string | null;
}
