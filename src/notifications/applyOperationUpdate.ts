import type { Logger } from '../logger';
import type { InviteContextRecord, OperationRecord } from '../operations/operationRecord';
import { laterStatus, mergeOperationChange } from '../operations/operationStatusRules';
import { retryOnConflict } from '../operations/retryOnConflict';
import { isTerminal } from '../schemas/operationStatus';
import type { OperationRepository, RowWrite } from '../storage/operationRepository';
import { scheduleWebhookIfStarting, type WebhookScheduler } from '../webhooks/webhookScheduler';
import type { OperationUpdate } from './parseNotification';
import { logEvent } from '../telemetry';

export type OperationApplyResult = 'applied' | 'unchanged' | 'unmatched';

export interface OperationUpdateDeps {
  operations: OperationRepository;
  webhooks: WebhookScheduler;
  log: Logger;
}

/**
 * Applies an operation notification. Matched by operation id; without one, by clientContext
 * within the call. A notification for an operation we have no record of creates the record.
 */
export async function applyOperationUpdate(deps: OperationUpdateDeps, update: OperationUpdate, now: string): Promise<OperationApplyResult> {
  if (update.operationId) return applyById(deps, update, update.operationId, now);
  if (!update.clientContext) {
    deps.log.warn(`Operation notification for call ${update.callId} has neither an id nor a clientContext; not stored.`);
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
    // Graph has not answered the invite yet: keep what the callback says on the invite's row.
    const earlyStatus = laterStatus(ctx.value.earlyStatus, update.status);
    const earlyResultInfo = ctx.value.earlyResultInfo ?? update.resultInfo;
    if (earlyStatus === ctx.value.earlyStatus && earlyResultInfo === ctx.value.earlyResultInfo) return 'unchanged';
    await deps.operations.updateInviteContext({ ...ctx.value, earlyStatus, earlyResultInfo }, ctx.etag);
    return 'applied';
  });
}

async function applyById(deps: OperationUpdateDeps, update: OperationUpdate, operationId: string, now: string): Promise<OperationApplyResult> {
  const { callId } = update;
  const { operations, log } = deps;
  return retryOnConflict(async () => {
    const existing = await operations.get(callId, operationId);
    if (existing) {
      const merged = mergeOperationChange(existing.value, update, now);
      if (merged.conflictingTerminal) {
        log.warn(`Operation ${operationId} of call ${callId} is ${existing.value.status}; ignoring later ${merged.conflictingTerminal}.`);
      }
      if (!merged.changed) return 'unchanged';
      const record = await scheduleWebhookIfStarting(deps.webhooks, existing.value, merged.record, now);
      await operations.save({ operation: { value: record, etag: existing.etag } });
      logUpdate(deps, record);
      return 'applied';
    }
    // First we hear of it: an operation of another kind, or an invite whose answer never reached us.
    const ctx = update.clientContext ? await operations.getInviteContext(callId, update.clientContext) : undefined;
    const invite = ctx && (!ctx.value.operationId || ctx.value.operationId === operationId) ? ctx : undefined;
    let record: OperationRecord = {
      callId,
      id: operationId,
      type: update.type,
      clientContext: update.clientContext ?? null,
      status: update.status,
      resultInfo: update.resultInfo,
      participants: update.participants ?? null,
      createdDateTime: invite?.value.createdDateTime ?? now,
      lastModifiedDateTime: now,
      terminalDateTime: isTerminal(update.status) ? now : null,
      callbackUrl: invite?.value.callbackUrl ?? null,
      webhook: null,
      inviteTraceParent: null,
    };
    if (invite?.value.earlyStatus) {
      record = mergeOperationChange(record, { status: invite.value.earlyStatus, resultInfo: invite.value.earlyResultInfo }, now).record;
    }
    record = await scheduleWebhookIfStarting(deps.webhooks, undefined, record, now);
    let context: RowWrite<InviteContextRecord> | undefined;
    if (invite && !invite.value.operationId) {
      context = { value: { ...invite.value, operationId, earlyStatus: null, earlyResultInfo: null }, etag: invite.etag };
    }
    await operations.save({ operation: { value: record }, context });
    logUpdate(deps, record);
    return 'applied';
  });
}

function logUpdate(deps: OperationUpdateDeps, op: OperationRecord) {
  logEvent(deps.log, 'operation.updated', {
    callId: op.callId,
    operationId: op.id,
    clientContext: op.clientContext,
    type: op.type,
    status: op.status,
    inviteTraceParent: op.inviteTraceParent,
  });
}
