import { isTerminal, type OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';

/** What this service knows of one Graph operation of a call. */
export interface OperationRecord {
  callId: string;
  /** The id the service keeps it under: Graph's, or one the service assigned (see graphOperationId). */
  id: string;
  /**
   * Graph's own operation id; null while unknown. It differs from `id` only for an invite whose
   * answer never arrived and that callbacks without an id proved started: the service then
   * gave it an id of its own, so a retry could answer from it.
   */
  graphOperationId: string | null;
  type: string;
  clientContext: string | null;
  status: OperationStatus;
  resultInfo: ResultInfo | null;
  /** Every other field Graph reported (a media operation's `completionReason`, ...), from the status that won. */
  extra: Record<string, unknown>;
  participants: unknown[] | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** When the status first became completed or failed (the ring timeout counts from here). */
  terminalDateTime: string | null;
  /** Where the final operation is POSTed (Logic Apps' webhook pattern); a secret, never shown. */
  callbackUrl: string | null;
  webhook: WebhookState | null;
  /** W3C traceparent of the request that started the invite: logged with its callbacks to link them. */
  inviteTraceParent: string | null;
  /**
   * The invitees' outcomes as written before the rosters they were read from were purged
   * (retention): what an invitee's outcome falls back to once its roster rows are gone.
   */
  inviteeOutcomes: SavedOutcome[] | null;
}

/** One invitee's outcome as kept on its operation. */
export interface SavedOutcome {
  key: string;
  outcome: string;
  lastChangedDateTime: string;
}

/** Delivery of the completion webhook of one operation. */
export interface WebhookState {
  status: 'pending' | 'delivering' | 'delivered' | 'cancelled' | 'failed';
  attempts: number;
  /** When the current status was entered. */
  since: string;
  /** When the next attempt is due (pending): a message that comes earlier waits until then. */
  nextAttemptAt?: string;
  lastError?: string;
}

/**
 * An invite as it stands before and after Graph answers it, keyed by clientContext within the call.
 * It exists before Graph is called, so callbacks that carry only the clientContext still match.
 */
export interface InviteContextRecord {
  callId: string;
  clientContext: string;
  /** Digest of the request body: the same clientContext with another body is a conflict. */
  requestHash: string;
  /** Graph's operation id once Graph answered (or a callback named it). */
  operationId: string | null;
  /** When the current attempt to call Graph started; an attempt older than the Graph deadline is over. */
  sendingSince: string | null;
  /** What callbacks reported before any operation id was known, merged in arrival order; null if none came. */
  early: OperationState | null;
  /** The participants as the request gave them: Graph's echo drops `replacesCallId`, so these are kept (null in rows from before). */
  participants: unknown[] | null;
  createdDateTime: string;
  callbackUrl: string | null;
}

/** The part of an operation its status rule governs. */
export interface OperationState {
  status: OperationStatus;
  resultInfo: ResultInfo | null;
  extra: Record<string, unknown>;
}

type Known = Pick<OperationRecord, 'callId' | 'id' | 'graphOperationId' | 'type' | 'status'>;

/** A record of which nothing is known yet beyond the given fields; terminal from `now` if its status is. */
export function newOperationRecord(known: Known & Partial<OperationRecord>, now: string): OperationRecord {
  return {
    clientContext: null,
    resultInfo: null,
    extra: {},
    participants: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    terminalDateTime: isTerminal(known.status) ? now : null,
    callbackUrl: null,
    webhook: null,
    inviteTraceParent: null,
    inviteeOutcomes: null,
    ...known,
  };
}
