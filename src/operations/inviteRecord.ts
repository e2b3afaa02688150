import { type InviteContextRecord, newOperationRecord, type OperationRecord } from './operationRecord';
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
  const record = newOperationRecord(
    {
      callId: ctx.callId,
      ...ids,
      type: 'inviteParticipantsOperation',
      status: 'notStarted',
      clientContext: ctx.clientContext,
      participants: ctx.participants,
      createdDateTime: ctx.createdDateTime,
      callbackUrl: ctx.callbackUrl,
    },
    now,
  );
  return ctx.early ? mergeOperationChange(record, ctx.early, now).record : record;
}

/** The invite's row once it is linked to the record it is kept under. */
export const linkedTo = (ctx: InviteContextRecord, operationId: string): InviteContextRecord => ({
  ...ctx,
  operationId,
  sendingSince: null,
  early: null,
});
