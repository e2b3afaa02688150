import type { InviteContextRecord, OperationRecord } from './operationRecord';
import { mergeOperationChange } from './operationStatusRules';

/**
 * The operation record of an invite as its row tells it, before Graph's answer is recorded:
 * the request's participants and callbackUrl, and what callbacks that arrived without an
 * operation id reported, in their order. Changes that arrive later are merged onto it.
 */
export function inviteRecordFrom(
  ctx: InviteContextRecord,
  ids: { id: string; graphOperationId: string | null },
  now: string,
): OperationRecord {
  const record: OperationRecord = {
    callId: ctx.callId,
    ...ids,
    type: 'inviteParticipantsOperation',
    clientContext: ctx.clientContext,
    status: 'notStarted',
    resultInfo: null,
    extra: {},
    participants: ctx.participants,
    createdDateTime: ctx.createdDateTime,
    lastModifiedDateTime: now,
    terminalDateTime: null,
    callbackUrl: ctx.callbackUrl,
    webhook: null,
    inviteTraceParent: null,
  };
  return ctx.early ? mergeOperationChange(record, ctx.early, now).record : record;
}

/** The invite's row once it is linked to the record it is kept under. */
export const linkedTo = (ctx: InviteContextRecord, operationId: string): InviteContextRecord => ({
  ...ctx,
  operationId,
  sendingSince: null,
  early: null,
});
