import type { WebhookState } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import type { CallRecord } from '../roster/rosterRecord';
import type { CallRequestRecord, StartedCall } from './callRecords';

/** A call in the live-call index: its id, and the form Graph wrote it in (Graph is called with that). */
export interface LiveCall {
  callId: string;
  graphCallId: string;
}

/** When a call's keep-alive is due, and how long one instance holds the right to send it. */
export interface KeepAliveTiming {
  dueAfterMs: number;
  claimMs: number;
}

/**
 * Where calls are kept (beside their rosters: src/storage/rosterRepository.ts; in memory in the unit
 * tests): each call's row (Graph's state, and how the service started it), the requests to start
 * calls by clientContext, and the index of live calls the service started, which keep-alive reads
 * instead of every call ever seen. Conditional writes fail with 409/412 as in OperationStore.
 */
export interface CallStore {
  getCall(callId: string): Promise<Versioned<CallRecord> | undefined>;
  /** Writes the call's state; `etag` undefined creates the row (409 if it appeared meanwhile). */
  saveCall(callId: string, call: CallRecord, etag: string | undefined): Promise<void>;
  /** Records how the service started the call and (while it is not over) puts it in the live-call index. */
  recordStartedCall(callId: string, started: StartedCall, now: string, live: boolean): Promise<void>;

  getCallRequest(clientContext: string): Promise<Versioned<CallRequestRecord> | undefined>;
  createCallRequest(record: CallRequestRecord): Promise<string>;
  updateCallRequest(record: CallRequestRecord, etag: string): Promise<string>;
  deleteCallRequest(record: CallRequestRecord, etag: string): Promise<void>;

  /** The live calls the service started. */
  liveCalls(): Promise<LiveCall[]>;
  /**
   * Takes the right to send this call's keep-alive now: false while its last successful one is
   * younger than `dueAfterMs`, or another instance took the right within `claimMs`.
   */
  claimKeepAlive(callId: string, now: string, timing: KeepAliveTiming): Promise<boolean>;
  /** Graph took the call's keep-alive claimed at `at`: the next is due `dueAfterMs` after it. */
  recordKeepAlive(callId: string, at: string): Promise<void>;
  /** Takes the call out of the live-call index (it terminated). */
  endLive(callId: string): Promise<void>;
  /** Writes the call's webhook state if the row is unchanged since read (else a 412). */
  saveCallWebhook(callId: string, webhook: WebhookState, etag: string): Promise<void>;
  /**
   * Takes the right to reject an incoming call; false when it was taken before (a notification
   * delivered twice); a 412/409 when the call's row changed since read (read again and retry).
   */
  claimReject(callId: string, now: string): Promise<boolean>;
  /** Gives the right back: the reject did not reach Graph, a redelivered notification tries again. */
  releaseReject(callId: string): Promise<void>;
  /**
   * Takes an incoming call as one the service owns, before answering it: records how (the caller)
   * and puts it in the live-call index. False when it is already owned (a notification delivered
   * twice, another instance) or has ended; a 412/409 when the call's row changed since read (read
   * again and retry).
   */
  claimAnswer(callId: string, answered: StartedCall, now: string): Promise<boolean>;
  /** Gives the call back: Graph did not take the answer (a redelivered notification tries again). */
  releaseAnswer(callId: string): Promise<void>;
  /**
   * The tenant the call belongs to: the one recorded, else `tenantId`, recorded now (the first to be
   * recorded wins); undefined while none is known.
   */
  bindTenant(callId: string, tenantId: string | undefined, now: string): Promise<string | undefined>;
}
