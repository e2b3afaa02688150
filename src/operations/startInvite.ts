import { randomUUID } from 'node:crypto';

import { GraphOutcomeUnknownError, GraphRejectedError, GraphUnavailableError } from '../graph/graphErrors';
import type { GraphGateway } from '../graph/graphGateway';
import { ApiError, conflict, payloadTooLarge, serviceUnavailable } from '../http/apiError';
import { canonicalOperationId } from '../ids';
import type { Logger } from '../logger';
import { CommsOperation, MAX_EXTRA_CHARS, operationExtra } from '../schemas/commsOperation';
import type { InviteRequest } from '../schemas/inviteRequest';
import { MAX_CHUNKED_BYTES, storedSizeBytes } from '../storage/chunkedJson';
import type { OperationRepository, Versioned } from '../storage/operationRepository';
import { isConflict, isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import { scheduleWebhookIfStarting, type WebhookScheduler } from '../webhooks/webhookScheduler';
import { inviteRecordFrom, linkedTo } from './inviteRecord';
import { type InviteContextRecord, newOperationRecord, type OperationRecord } from './operationRecord';
import { mergeOperationChange } from './operationStatusRules';
import { retryOnConflict } from './retryOnConflict';
import { stableHash } from './stableHash';

const PASSED_THROUGH_STATUSES = new Set([400, 403, 404, 409]);

export interface InviteDeps {
  operations: OperationRepository;
  graph: () => Promise<GraphGateway>;
  webhooks: WebhookScheduler;
  graphDeadlineMs: number;
  retryAfterSeconds: { running: number; unavailable: number };
  requestBodyLimitBytes: number;
  now: () => Date;
  log: Logger;
  /** The W3C traceparent of the invite request, kept on the operation to link its callbacks. */
  traceParent?: string;
}

export interface InviteCommand {
  /** The call id as the caller wrote it: Graph is called with it. */
  callIdAsGiven: string;
  /** The canonical call id: the storage partition. */
  callId: string;
  request: InviteRequest;
  /** The body as sent, for the idempotency digest. */
  rawBody: unknown;
}

/**
 * Starts an invite: records it under its clientContext before Graph is called (so callbacks
 * match even if we crash), calls Graph, and stores Graph's operation. A repeat with the same
 * clientContext answers from storage; a different body under the same clientContext is 409.
 */
export async function startInvite(deps: InviteDeps, cmd: InviteCommand): Promise<OperationRecord> {
  const clientContext = cmd.request.clientContext ?? randomUUID();
  const requestHash = stableHash({ ...(cmd.rawBody as object), clientContext });
  if (storedSizeBytes(cmd.request.participants) > MAX_CHUNKED_BYTES) throw payloadTooLarge(deps.requestBodyLimitBytes);

  const claim = await claimInvite(deps, cmd, clientContext, requestHash);
  if ('existing' in claim) return claim.existing;

  const { callbackUrl: _ours, ...graphBody } = cmd.request;
  let answer: { operation: unknown; requestId?: string };
  try {
    // Sent only while the claim holds: a retry may take the invite over once the deadline has passed.
    const sendBefore = Date.parse(claim.context.value.sendingSince!) + deps.graphDeadlineMs;
    answer = await (
      await deps.graph()
    ).inviteParticipants(cmd.callIdAsGiven, { ...graphBody, clientContext }, sendBefore);
  } catch (err) {
    throw await onGraphFailure(deps, claim, err);
  }

  const parsed = CommsOperation.safeParse(answer.operation);
  const graphId = parsed.success && parsed.data.id?.trim();
  if (!parsed.success || !graphId) {
    await releaseSendingClaim(deps, claim.context);
    throw new ApiError(502, 'UpstreamError', 'Graph accepted the invite but its answer had no operation id.');
  }
  const now = deps.now().toISOString();
  const id = canonicalOperationId(graphId);
  const accepted = newOperationRecord(
    {
      callId: cmd.callId,
      id,
      graphOperationId: id,
      type: 'inviteParticipantsOperation',
      status: parsed.data.status,
      clientContext,
      resultInfo: parsed.data.resultInfo ?? null,
      extra: boundedExtra(parsed.data),
      participants: cmd.request.participants,
      createdDateTime: claim.context.value.createdDateTime,
      callbackUrl: cmd.request.callbackUrl ?? null,
      inviteTraceParent: deps.traceParent ?? null,
    },
    now,
  );
  const recorded = await recordAcceptedInvite(deps, claim.context, accepted);
  logEvent(deps.log, 'invite.accepted', {
    callId: recorded.callId,
    operationId: recorded.id,
    graphOperationId: recorded.graphOperationId,
    clientContext,
    status: recorded.status,
    graphRequestId: answer.requestId,
    inviteTraceParent: recorded.inviteTraceParent,
  });
  return recorded;
}

/** The other fields of Graph's answer, unless absurdly large (then the answer's status and id still count). */
function boundedExtra(answer: CommsOperation): Record<string, unknown> {
  const extra = operationExtra(answer);
  return JSON.stringify(extra).length <= MAX_EXTRA_CHARS ? extra : {};
}

/** The right to call Graph for an invite: its row, and whether an earlier attempt's outcome is unknown. */
interface SendingClaim {
  context: Versioned<InviteContextRecord>;
  /** True when an earlier attempt's answer never came: that attempt may have started, so the row must stay. */
  retaken: boolean;
}
type Claim = { existing: OperationRecord } | SendingClaim;

/** Takes the right to call Graph for this clientContext, or finds the invite's existing answer. */
async function claimInvite(
  deps: InviteDeps,
  cmd: InviteCommand,
  clientContext: string,
  requestHash: string,
): Promise<Claim> {
  const { callId } = cmd;
  const now = deps.now();
  const nowIso = now.toISOString();
  const fresh: InviteContextRecord = {
    callId,
    clientContext,
    requestHash,
    operationId: null,
    sendingSince: nowIso,
    early: null,
    participants: cmd.request.participants,
    createdDateTime: nowIso,
    callbackUrl: cmd.request.callbackUrl ?? null,
  };
  return retryOnConflict(async () => {
    const found = await deps.operations.getInviteContext(callId, clientContext);
    if (!found) {
      const etag = await deps.operations.createInviteContext(fresh);
      return { context: { value: fresh, etag }, retaken: false };
    }
    const ctx = found.value;
    if (ctx.requestHash !== requestHash) {
      throw conflict('An invite with this clientContext was already made for this call with a different body.');
    }
    if (ctx.operationId) {
      const op = await deps.operations.get(callId, ctx.operationId);
      if (op) return { existing: op.value };
    }
    const sendingFor = ctx.sendingSince ? now.getTime() - Date.parse(ctx.sendingSince) : Infinity;
    if (sendingFor < deps.graphDeadlineMs + 2000) {
      throw serviceUnavailable(
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
async function onGraphFailure(deps: InviteDeps, claim: SendingClaim, err: unknown): Promise<Error> {
  const { context } = claim;
  if (err instanceof GraphRejectedError) {
    await forgetClaim(deps, claim);
    logEvent(
      deps.log,
      'invite.refused',
      { ...about(context), graphStatus: err.status, graphCode: err.graphCode, graphRequestId: err.requestId },
      'warn',
    );
    // Graph's 400/403/404/409 describe the invite and pass through; others (401: our credentials) are a bad gateway.
    const status = PASSED_THROUGH_STATUSES.has(err.status) ? err.status : 502;
    return new ApiError(status, 'UpstreamError', `Graph refused the invite: ${err.graphMessage || err.graphCode}`, [
      { path: 'graph', code: err.graphCode, message: err.graphMessage },
    ]);
  }
  if (err instanceof GraphUnavailableError) {
    await forgetClaim(deps, claim);
    logEvent(
      deps.log,
      'invite.graphUnavailable',
      { ...about(context), graphStatus: err.status, graphRequestId: err.requestId },
      'warn',
    );
    const why = err.status
      ? `Graph is throttling or unavailable (${err.status})`
      : 'Graph could not be reached in time; nothing was sent';
    return serviceUnavailable(`${why}; retry later.`, err.retryAfterSeconds);
  }
  if (err instanceof GraphOutcomeUnknownError) {
    // The invite may have started: keep the record so its callbacks still match.
    await releaseSendingClaim(deps, context);
    logEvent(
      deps.log,
      'invite.outcomeUnknown',
      { ...about(context), reason: err.reason, graphStatus: err.status, graphRequestId: err.requestId },
      'warn',
    );
    return serviceUnavailable(
      'Graph gave no clear answer; the invite may have started. Retry with the same clientContext.',
      deps.retryAfterSeconds.unavailable,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Graph did not act on this request (refused or throttled): nothing of it is kept. Only a first
 * attempt's row goes, though; after an attempt whose outcome is unknown the row stays (released,
 * so a retry calls Graph again) for that attempt's callbacks to match.
 */
async function forgetClaim(deps: InviteDeps, claim: SendingClaim): Promise<void> {
  if (claim.retaken) return releaseSendingClaim(deps, claim.context);
  try {
    await deps.operations.deleteInviteContext(claim.context.value, claim.context.etag);
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    await releaseSendingClaim(deps, claim.context); // a callback wrote to the row meanwhile: keep it
  }
}

const about = (context: Versioned<InviteContextRecord>) => ({
  callId: context.value.callId,
  clientContext: context.value.clientContext,
});

/** Marks the invite as no longer being sent, so a retry may call Graph again. */
async function releaseSendingClaim(deps: InviteDeps, context: Versioned<InviteContextRecord>): Promise<void> {
  await retryOnConflict(async () => {
    const current = await deps.operations.getInviteContext(context.value.callId, context.value.clientContext);
    if (!current || current.value.operationId) return;
    await deps.operations.updateInviteContext({ ...current.value, sendingSince: null }, current.etag);
  });
}

/**
 * Stores Graph's operation and links it to the invite row in one transaction. Usually nothing
 * changed since the claim and one write lands. If callbacks got there first (the invite row
 * moved on, or the operation exists), Graph's answer is merged after what they reported: it
 * arrived later. The request's participants stand over Graph's echo, which drops `replacesCallId`.
 */
async function recordAcceptedInvite(
  deps: InviteDeps,
  claimed: Versioned<InviteContextRecord>,
  accepted: OperationRecord,
): Promise<OperationRecord> {
  try {
    const record = await scheduleWebhookIfStarting(deps, undefined, accepted, accepted.lastModifiedDateTime);
    await deps.operations.save({
      operation: { value: record },
      context: { value: linkedTo(claimed.value, accepted.id), etag: claimed.etag },
    });
    return record;
  } catch (err) {
    if (!isConflict(err) && !isPreconditionFailed(err)) throw err;
  }
  const { callId } = accepted;
  const now = accepted.lastModifiedDateTime;
  return retryOnConflict(async () => {
    const ctx = await deps.operations.getInviteContext(callId, claimed.value.clientContext);
    // The record a callback already linked the invite to (Graph's id, or the service's own), else Graph's id.
    const id = ctx?.value.operationId ?? accepted.id;
    const existing = await deps.operations.get(callId, id);
    const before =
      existing?.value ?? (ctx && inviteRecordFrom(ctx.value, { id, graphOperationId: accepted.graphOperationId }, now));
    let record = before ? mergeOperationChange(before, accepted, now).record : accepted;
    record = {
      ...record,
      graphOperationId: record.graphOperationId ?? accepted.graphOperationId,
      participants: accepted.participants,
      // The invite's row has the callbackUrl as it stands now (an unsubscribe may have removed it).
      callbackUrl: ctx ? ctx.value.callbackUrl : record.callbackUrl,
      inviteTraceParent: record.inviteTraceParent ?? accepted.inviteTraceParent,
    };
    record = await scheduleWebhookIfStarting(deps, existing?.value, record, now);
    const linkedContext =
      ctx && ctx.value.operationId !== id ? { value: linkedTo(ctx.value, id), etag: ctx.etag } : undefined;
    await deps.operations.save({ operation: { value: record, etag: existing?.etag }, context: linkedContext });
    return record;
  });
}
