import { toCallBody } from '../calls/callBody';
import type { CallStore } from '../calls/callStore';
import { outcomesSettled } from '../invitees/inviteeOutcomes';
import type { OperationRecord } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import { describeOperation, type ReadDeps } from '../operations/readOperations';
import { retryOnConflict } from '../operations/retryOnConflict';
import type { CallRecord } from '../roster/rosterRecord';
import { isTerminal } from '../schemas/operationStatus';
import { type EventSubscriptionStore, SUBSCRIPTION_SUBJECT_PREFIX } from './eventSubscriptions';
import { eventSubscriptionSubject } from './eventSubscriptionSubject';
import { CALL_SUBJECT, type WebhookSubject } from './webhookSubject';

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
