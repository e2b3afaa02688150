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
  | { targets: unknown[] };

/** What the call's row says of a call this service started, beside Graph's state of it. */
export interface StartedCall {
  clientContext: string;
  startedWith: StartedWith;
  createdDateTime: string;
  /** Where the call is POSTed once established or terminated; a secret, never shown. */
  callbackUrl: string | null;
}

/**
 * A request to start a call, by its clientContext, written before Graph is called: it holds
 * everything the call's record is made from, so a record lost to a storage failure is made again.
 */
export interface CallRequestRecord extends StartedCall {
  /** Digest of the request: the same clientContext with another request is a conflict. */
  requestHash: string;
  /** Graph's call id once Graph answered. */
  callId: string | null;
  /** When the current attempt to call Graph started; an attempt older than the Graph deadline is over. */
  sendingSince: string | null;
}
