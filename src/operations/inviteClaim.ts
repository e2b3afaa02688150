import { randomUUID } from 'node:crypto';

import {
  type Claim as RequestClaim,
  claimRequest,
  type ClaimRows,
  type ClaimTiming,
  type SendingClaim as RequestSendingClaim,
} from '../claims/requestClaim';
import type { Logger } from '../logger';
import { logEvent } from '../telemetry';
import { scheduleWebhookIfStarting, type WebhookScheduler } from '../webhooks/webhookScheduler';
import { inviteRecordFrom, linkedTo } from './inviteRecord';
import type { InviteContextRecord, OperationRecord } from './operationRecord';
import type { OperationStore } from './operationStore';

export interface ClaimDeps extends ClaimTiming {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  log: Logger;
}

export type SendingClaim = RequestSendingClaim<InviteContextRecord>;
export type Claim = RequestClaim<InviteContextRecord, OperationRecord>;

/** The invite's row, by its call and clientContext, linked once it names an operation. */
export const inviteRows = (
  operations: OperationStore,
  { callId, clientContext }: Pick<InviteContextRecord, 'callId' | 'clientContext'>,
): ClaimRows<InviteContextRecord> => ({
  read: () => operations.getInviteContext(callId, clientContext),
  create: (row) => operations.createInviteContext(row),
  update: (row, etag) => operations.updateInviteContext(row, etag),
  remove: (row, etag) => operations.deleteInviteContext(row, etag),
  isLinked: (row) => row.operationId !== null,
});

/**
 * Takes the right to call Graph for this invite (its row is written before Graph is called, so
 * callbacks match even if the answer is lost), or finds the invite's operation.
 */
export function claimInvite(deps: ClaimDeps, wanted: InviteContextRecord): Promise<Claim> {
  const { callId, clientContext } = wanted;
  return claimRequest(
    deps,
    inviteRows(deps.operations, wanted),
    {
      conflictMessage: 'An invite with this clientContext was already made for this call with a different body.',
      inProgressMessage: 'An invite with this clientContext is being sent to Graph right now; retry shortly.',
      answerLinked: async (found) => (await deps.operations.get(callId, found.value.operationId!))?.value,
      answerUnanswered: async (found, nowIso) => {
        if (!found.value.early) return undefined;
        // Graph's answer never arrived, but callbacks without an operation id (its form for several
        // invitees) proved the invite started: answer from them under an id of the service's own.
        const record = await scheduleWebhookIfStarting(
          deps,
          undefined,
          inviteRecordFrom(found.value, { id: randomUUID(), graphOperationId: null }, nowIso),
          nowIso,
        );
        await deps.operations.save({
          operation: { value: record },
          context: { value: linkedTo(found.value, record.id), etag: found.etag },
        });
        logEvent(deps.log, 'invite.answeredFromCallbacks', {
          callId,
          operationId: record.id,
          clientContext,
          status: record.status,
        });
        return record;
      },
    },
    wanted,
  );
}
