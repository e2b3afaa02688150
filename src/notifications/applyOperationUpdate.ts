import type { Logger } from '../logger';
import { inviteRecordFrom, linkedTo } from '../operations/inviteRecord';
import { type InviteContextRecord, newOperationRecord, type OperationRecord } from '../operations/operationRecord';
import { mergeOperationChange, mergeState } from '../operations/operationStatusRules';
import type { OperationStore, RowWrite, Versioned } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import { logEvent } from '../telemetry';
import { scheduleWebhookIfStarting, type WebhookScheduler } from '../webhooks/webhookScheduler';
import type { OperationUpdate } from './parseNotification';

export type OperationApplyResult = 'applied' | 'unchanged' | 'unmatched';

export interface OperationUpdateDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  log: Logger;
  graphCallback?: Record<string, string>;
}

/**
 * Applies an operation notification. Matched by operation id; without one, by clientContext
 * within the call. A notification for an operation we have no record of creates the record.
 */
export async function applyOperationUpdate(
  deps: OperationUpdateDeps,
  update: OperationUpdate,
  now: string,
): Promise<OperationApplyResult> {
  if (update.operationId) return applyById(deps, update, update.operationId, now);
  if (!update.clientContext) {
    deps.log.warn(
      `Operation notification for call ${update.callId} has neither an id nor a clientContext; not stored.`,
    );
    return 'unmatched';
  }
  const clientContext = update.clientContext;
  return retryOnConflict(async () => {
    const ctx = await deps.operations.getInviteContext(update.callId, clientContext);
    if (!ctx) {
      deps.log.warn(`Operation notification for call ${update.callId} matches no clientContext; not stored.`);
      return 'unmatched';
    }
    if (ctx.value.operationId) return applyById(deps, update, ctx.value.operationId, now);
    // Graph has not answered the invite yet: keep what the callbacks say on the invite's row, in arrival order.
    const early = ctx.value.early
      ? mergeState(ctx.value.early, update)
      : { record: { status: update.status, resultInfo: update.resultInfo, extra: update.extra }, changed: true };
    if (!early.changed) return 'unchanged';
    await deps.operations.updateInviteContext({ ...ctx.value, early: early.record }, ctx.etag);
    return 'applied';
  });
}

async function applyById(
  deps: OperationUpdateDeps,
  update: OperationUpdate,
  operationId: string,
  now: string,
): Promise<OperationApplyResult> {
  const { callId } = update;
  const { operations } = deps;
  return retryOnConflict(async () => {
    const existing = await operations.get(callId, operationId);
    if (existing) return applyTo(deps, existing, update, now);

    // First we hear of this id: an operation of another kind, or an invite whose answer has not reached us.
    const ctx = update.clientContext ? await operations.getInviteContext(callId, update.clientContext) : undefined;
    if (ctx?.value.operationId) {
      // The invite is kept under an id of the service's own (its answer never arrived): this is Graph's id for it.
      const kept = await operations.get(callId, ctx.value.operationId);
      if (kept && kept.value.graphOperationId === null) return applyTo(deps, kept, update, now, operationId);
    }
    const invite = ctx && !ctx.value.operationId ? ctx : undefined;
    const ids = { id: operationId, graphOperationId: operationId };
    let record: OperationRecord = invite
      ? mergeOperationChange(inviteRecordFrom(invite.value, ids, now), update, now).record
      : newOperationRecord(
          {
            callId,
            ...ids,
            type: update.type,
            status: update.status,
            clientContext: update.clientContext ?? null,
            resultInfo: update.resultInfo,
            extra: update.extra,
            participants: update.participants ?? null,
          },
          now,
        );
    record = await scheduleWebhookIfStarting(deps, undefined, record, now);
    const context: RowWrite<InviteContextRecord> | undefined = invite && {
      value: linkedTo(invite.value, operationId),
      etag: invite.etag,
    };
    await operations.save({ operation: { value: record }, context });
    logUpdate(deps, record);
    return 'applied';
  });
}

/** Merges a change into a stored operation by the status rule; `graphOperationId` names Graph's id when just learned. */
async function applyTo(
  deps: OperationUpdateDeps,
  existing: Versioned<OperationRecord>,
  update: OperationUpdate,
  now: string,
  graphOperationId?: string,
): Promise<OperationApplyResult> {
  const { callId, id } = existing.value;
  const merged = mergeOperationChange(existing.value, update, now);
  if (merged.conflictingTerminal) {
    deps.log.warn(
      `Operation ${id} of call ${callId} is ${existing.value.status}; ignoring later ${merged.conflictingTerminal}.`,
    );
  }
  if (!merged.changed && !graphOperationId) return 'unchanged';
  let record = graphOperationId ? { ...merged.record, graphOperationId } : merged.record;
  record = await scheduleWebhookIfStarting(deps, existing.value, record, now);
  await deps.operations.save({ operation: { value: record, etag: existing.etag } });
  logUpdate(deps, record);
  return 'applied';
}

function logUpdate(deps: OperationUpdateDeps, op: OperationRecord) {
  logEvent(deps.log, 'operation.updated', {
    callId: op.callId,
    operationId: op.id,
    graphOperationId: op.graphOperationId,
    clientContext: op.clientContext,
    type: op.type,
    status: op.status,
    inviteTraceParent: op.inviteTraceParent,
    graphCallback: deps.graphCallback,
  });
}
