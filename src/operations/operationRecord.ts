import type { OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';

/** What this service knows of one Graph operation of a call. */
export interface OperationRecord {
  callId: string;
  id: string;
  type: string;
  clientContext: string | null;
  status: OperationStatus;
  resultInfo: ResultInfo | null;
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
}

/** Delivery of the completion webhook of one operation. */
export interface WebhookState {
  status: 'pending' | 'delivering' | 'delivered' | 'cancelled' | 'failed';
  attempts: number;
  /** When the current status was entered. */
  since: string;
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
  /** Status and result reported by callbacks that matched before any operation id was known. */
  earlyStatus: OperationStatus | null;
  earlyResultInfo: ResultInfo | null;
  createdDateTime: string;
  callbackUrl: string | null;
}
