import { randomUUID } from 'node:crypto';

import { Conflict, InProgress } from '../errors';
import type { Logger } from '../logger';
import { isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import { scheduleWebhookIfStarting, type WebhookScheduler } from '../webhooks/webhookScheduler';
import { inviteRecordFrom, linkedTo } from './inviteRecord';
import type { InviteContextRecord, OperationRecord } from './operationRecord';
import type { OperationStore, Versioned } from './operationStore';
import { retryOnConflict } from './retryOnConflict';

export interface ClaimDeps {
  operations: OperationStore;
  webhooks: WebhookScheduler;
  graphDeadlineMs: number;
  retryAfterSeconds: { running: number };
  now: () => Date;
  log: Logger;
}

/** The right to call Graph for an invite: its row, and whether an earlier attempt's outcome is unknown. */
export interface SendingClaim {
  context: Versioned<InviteContextRecord>;
  /** True when an earlier attempt's answer never came: that attempt may have started, so the row must stay. */
  retaken: boolean;
}

/** Either the invite is known already (its operation answers the request), or this request may call Graph. */
export type Claim = { existing: OperationRecord } | SendingClaim;

/**
 * Takes the right to call Graph for this clientContext, writing the invite's row before Graph is
 * called (so callbacks match even if the answer is lost), or finds the invite's existing answer.
 * A different body under the same clientContext is a Conflict; an attempt still within Graph's
 * deadline makes the request wait (InProgress).
 */
export async function claimInvite(deps: ClaimDeps, wanted: InviteContextRecord): Promise<Claim> {
  const { callId, clientContext } = wanted;
  return retryOnConflict(async () => {
    const found = await deps.operations.getInviteContext(callId, clientContext);
    const now = deps.now();
    const nowIso = now.toISOString();
    if (!found) {
      const fresh = { ...wanted, sendingSince: nowIso, createdDateTime: nowIso };
      const etag = await deps.operations.createInviteContext(fresh);
      return { context: { value: fresh, etag }, retaken: false };
    }
    const ctx = found.value;
    if (ctx.requestHash !== wanted.requestHash) {
      throw new Conflict('An invite with this clientContext was already made for this call with a different body.');
    }
    if (ctx.operationId) {
      const op = await deps.operations.get(callId, ctx.operationId);
      if (op) return { existing: op.value };
    }
    const sendingFor = ctx.sendingSince ? now.getTime() - Date.parse(ctx.sendingSince) : Infinity;
    if (sendingFor < deps.graphDeadlineMs + 2000) {
      throw new InProgress(
        'An invite with this clientContext is being sent to Graph right now; retry shortly.',
        deps.retryAfterSeconds.running,
      );
    }
    if (ctx.early) {
      // Graph's answer never arrived, but callbacks without an operation id (its form for several
      // invitees) proved the invite started: answer from them under an id of the service's own.
      const record = await scheduleWebhookIfStarting(
        deps,
        undefined,
        inviteRecordFrom(ctx, { id: randomUUID(), graphOperationId: null }, nowIso),
        nowIso,
      );
      await deps.operations.save({
        operation: { value: record },
        context: { value: linkedTo(ctx, record.id), etag: found.etag },
      });
      logEvent(deps.log, 'invite.answeredFromCallbacks', {
        callId,
        operationId: record.id,
        clientContext,
        status: record.status,
      });
      return { existing: record };
    }
    // Graph's answer never arrived last time and nothing since showed the invite started: call Graph again.
    const retaken = { ...ctx, sendingSince: nowIso };
    const etag = await deps.operations.updateInviteContext(retaken, found.etag);
    return { context: { value: retaken, etag }, retaken: true };
  });
}

/** Marks the invite as no longer being sent, so a retry may call Graph again; the row stays for callbacks. */
export async function releaseClaim(deps: Pick<ClaimDeps, 'operations'>, claim: SendingClaim): Promise<void> {
  await retryOnConflict(async () => {
    const current = await deps.operations.getInviteContext(
      claim.context.value.callId,
      claim.context.value.clientContext,
    );
    if (!current || current.value.operationId) return;
    await deps.operations.updateInviteContext({ ...current.value, sendingSince: null }, current.etag);
  });
}

/**
 * Graph did not act on this request (refused or throttled): nothing of it is kept. Only a first
 * attempt's row goes, though; after an attempt whose outcome is unknown the row stays (released,
 * so a retry calls Graph again) for that attempt's callbacks to match.
 */
export async function forgetClaim(deps: Pick<ClaimDeps, 'operations'>, claim: SendingClaim): Promise<void> {
  if (claim.retaken) return releaseClaim(deps, claim);
  try {
    await deps.operations.deleteInviteContext(claim.context.value, claim.context.etag);
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    await releaseClaim(deps, claim); // a callback wrote to the row meanwhile: keep it
  }
}
