import type { StartedCall } from '../calls/callRecords';
import type { WebhookState } from '../operations/operationRecord';
import type { Participant } from '../schemas/participant';
import type { ResultInfo } from '../schemas/resultInfo';

export interface RosterEntry {
  key: string;
  participant: Participant;
}

/** The call-level facts kept beside the roster: last known state and when anything last changed. */
export interface CallRecord {
  state: string | null;
  resultInfo: ResultInfo | null;
  lastModifiedDateTime: string | null;
  /** How the service started the call; absent for calls it only observes. */
  started?: StartedCall;
  /** When the service turned the call away (an incoming call), so it does so once. */
  rejectedAt?: string;
  /** Delivery of the call to the caller's callbackUrl once established or over (calls the service started). */
  webhook?: WebhookState | null;
}

/** Whether an identity is, or was, in a call's roster: what an invitee's outcome is derived from. */
export interface PresenceEntry {
  callId: string;
  identityId: string;
  present: boolean;
  isInLobby: boolean;
  lastModifiedDateTime: string;
}

/** One page of a call's roster, with what describes the whole roster. */
export interface RosterPage {
  call: CallRecord | undefined;
  /** Participants in the call now (departed ones are not listed), in key order, from the page's start. */
  entries: RosterEntry[];
  /** Where the next page starts, while more remain (opaque to callers). */
  next?: string;
  /** The latest change to the call or its roster, departures included. */
  lastModifiedDateTime: string | null;
  /** Whether any roster or call notification was ever stored for the call. */
  known: boolean;
}
