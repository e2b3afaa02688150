import type { CallStore } from '../calls/callStore';
import { toCallBody } from '../calls/callUseCases';
import { outcomesSettled } from '../invitees/inviteeOutcomes';
import type { OperationRecord, WebhookState } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import { describeOperation, type ReadDeps } from '../operations/readOperations';
import { retryOnConflict } from '../operations/retryOnConflict';
import type { CallRecord } from '../roster/rosterRecord';
import { isTerminal } from '../schemas/operationStatus';
import { type EventSubscriptionStore, SUBSCRIPTION_SUBJECT_PREFIX } from './eventSubscriptions';
import { eventSubscriptionSubject } from './eventSubscriptionSubject';

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

export interface SubjectDeps extends ReadDeps {
  calls: CallStore;
  eventSubscriptions: EventSubscriptionStore;
}

export function webhookSubject(deps: SubjectDeps, callId: string, subjectId: string): WebhookSubject {
  if (subjectId === CALL_SUBJECT) return callSubject(deps, callId);
  if (subjectId.startsWith(SUBSCRIPTION_SUBJECT_PREFIX))
    return eventSubscriptionSubject(deps, callId, subjectId.slice(SUBSCRIPTION_SUBJECT_PREFIX.length));
  return operationSubject(deps, callId, subjectId);
}

/** An operation's completion webhook: ready once it is completed or failed; the body waits for the invitees' outcomes. */
function operationSubject(deps: SubjectDeps, callId: string, operationId: string): WebhookSubject {
  let loaded: Versioned<OperationRecord> | undefined;
  return {
    about: { callId, operationId },
    async load() {
      loaded = await deps.operations.get(callId, operationId);
      if (!loaded) return undefined;
      const op = loaded.value;
      return { webhook: op.webhook, callbackUrl: op.callbackUrl, ready: isTerminal(op.status), etag: loaded.etag };
    },
    async body() {
      const op = loaded!.value;
      const body = await describeOperation(deps, op);
      const settled = outcomesSettled(body.invitees ?? []);
      return {
        body,
        settleAt: settled ? 0 : Date.parse(op.terminalDateTime ?? op.lastModifiedDateTime) + deps.ringTimeoutMs,
      };
    },
    async claim(webhook) {
      await deps.operations.save({ operation: { value: { ...loaded!.value, webhook }, etag: loaded!.etag } });
    },
    async set(webhook) {
      await retryOnConflict(async () => {
        const current = await deps.operations.get(callId, operationId);
        if (!current || current.value.webhook?.status === 'cancelled') return;
        await deps.operations.save({ operation: { value: { ...current.value, webhook }, etag: current.etag } });
      });
    },
  };
}

/** A started call's webhook: ready once the call is established or over. */
function callSubject(deps: SubjectDeps, callId: string): WebhookSubject {
  let loaded: Versioned<CallRecord> | undefined;
  return {
    about: { callId },
    async load() {
      loaded = await deps.calls.getCall(callId);
      const call = loaded?.value;
      if (!loaded || !call?.started) return undefined;
      const ready = call.state === 'established' || call.state === 'terminated';
      return { webhook: call.webhook ?? null, callbackUrl: call.started.callbackUrl, ready, etag: loaded.etag };
    },
    async body() {
      return { body: toCallBody(callId, loaded!.value), settleAt: 0 };
    },
    claim: (webhook) => deps.calls.saveCallWebhook(callId, webhook, loaded!.etag),
    async set(webhook) {
      await retryOnConflict(async () => {
        const current = await deps.calls.getCall(callId);
        if (!current || current.value.webhook?.status === 'cancelled') return;
        await deps.calls.saveCallWebhook(callId, webhook, current.etag);
      });
    },
  };
}
