import { randomUUID } from 'node:crypto';

import type { CallStore } from '../calls/callStore';
import { graphIdForInvite } from '../calls/inviteIntoCall';
import { forgetClaim, releaseClaim } from '../claims/requestClaim';
import { GraphAnswerUnusable, GraphOutcomeUnknown, GraphRefused, GraphUnavailable } from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import { canonicalOperationId } from '../ids';
import { CommsOperation, MAX_EXTRA_CHARS, operationExtra } from '../schemas/commsOperation';
import type { InviteRequest } from '../schemas/inviteRequest';
import { isConflict, isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import { scheduleWebhookIfStarting } from '../webhooks/webhookScheduler';
import { type ClaimDeps, claimInvite, inviteRows, type SendingClaim } from './inviteClaim';
import { inviteRecordFrom, linkedTo } from './inviteRecord';
import { newOperationRecord, type OperationRecord } from './operationRecord';
import { mergeOperationChange } from './operationStatusRules';
import { retryOnConflict } from './retryOnConflict';
import { stableHash } from './stableHash';

export interface InviteDeps extends ClaimDeps {
  graph: () => Promise<GraphGateway>;
  /** The calls the service started: what Graph would refuse of an invite into one is refused first. */
  calls: Pick<CallStore, 'getCall'>;
  /** The W3C traceparent of the invite request, kept on the operation to link its callbacks. */
  traceParent?: string;
}

export interface InviteCommand {
  /** The call id as the caller wrote it: Graph is called with it, unless the service owns the call. */
  callIdAsGiven: string;
  /** The canonical call id: the storage partition. */
  callId: string;
  request: InviteRequest;
  /** The body as sent, for the idempotency digest. */
  rawBody: unknown;
}

/**
 * Starts an invite: claim → call Graph → record. The claim writes the invite's row under its
 * clientContext before Graph is called, or finds the invite already made (a repeat answers from
 * storage, a different body is a Conflict); Graph's answer is then recorded as the operation.
 */
export async function startInvite(deps: InviteDeps, cmd: InviteCommand): Promise<OperationRecord> {
  const graphCallId = await graphIdForInvite(deps.calls, cmd, cmd.request.participants);
  const clientContext = cmd.request.clientContext ?? randomUUID();
  const claim = await claimInvite(deps, {
    callId: cmd.callId,
    clientContext,
    requestHash: stableHash({ ...(cmd.rawBody as object), clientContext }),
    operationId: null,
    sendingSince: null,
    early: null,
    participants: cmd.request.participants,
    createdDateTime: '',
    callbackUrl: cmd.request.callbackUrl ?? null,
  });
  if ('existing' in claim) return claim.existing;
  const answer = await callGraph(deps, { ...cmd, callIdAsGiven: graphCallId }, claim, clientContext);
  const recorded = await recordAcceptedInvite(deps, claim, answer.operation);
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

/**
 * Sends the invite, only while the claim holds (a retry may take the invite over once Graph's
 * deadline has passed), and turns Graph's answer into the operation to record. When Graph did not
 * act, nothing of this attempt is kept; when the outcome is unknown, the row stays for callbacks.
 */
async function callGraph(
  deps: InviteDeps,
  cmd: InviteCommand,
  claim: SendingClaim,
  clientContext: string,
): Promise<{ operation: OperationRecord; requestId?: string }> {
  const { callbackUrl: _ours, ...graphBody } = cmd.request;
  const sendBefore = Date.parse(claim.context.value.sendingSince!) + deps.graphDeadlineMs;
  let answer: { operation: unknown; requestId?: string };
  try {
    const graph = await deps.graph();
    answer = await graph.inviteParticipants(cmd.callIdAsGiven, { ...graphBody, clientContext }, sendBefore);
  } catch (err) {
    await onGraphFailure(deps, claim, err);
    throw err;
  }
  const parsed = CommsOperation.safeParse(answer.operation);
  const graphId = parsed.success && parsed.data.id?.trim();
  if (!parsed.success || !graphId) {
    await releaseClaim(inviteRows(deps.operations, claim.context.value));
    throw new GraphAnswerUnusable('Graph accepted the invite but its answer had no operation id.');
  }
  const id = canonicalOperationId(graphId);
  const operation = newOperationRecord(
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
    deps.now().toISOString(),
  );
  return { operation, requestId: answer.requestId };
}

/** What a failed Graph call leaves behind, and the log line that says why. */
async function onGraphFailure(deps: InviteDeps, claim: SendingClaim, err: unknown): Promise<void> {
  const about = { callId: claim.context.value.callId, clientContext: claim.context.value.clientContext };
  if (err instanceof GraphRefused) {
    await forgetClaim(inviteRows(deps.operations, claim.context.value), claim);
    logEvent(
      deps.log,
      'invite.refused',
      { ...about, graphStatus: err.status, graphCode: err.graphCode, graphRequestId: err.requestId },
      'warn',
    );
  } else if (err instanceof GraphUnavailable) {
    await forgetClaim(inviteRows(deps.operations, claim.context.value), claim);
    logEvent(
      deps.log,
      'invite.graphUnavailable',
      { ...about, graphStatus: err.status, graphRequestId: err.requestId },
      'warn',
    );
  } else if (err instanceof GraphOutcomeUnknown) {
    // The invite may have started: keep its row so its callbacks still match.
    await releaseClaim(inviteRows(deps.operations, claim.context.value));
    logEvent(
      deps.log,
      'invite.outcomeUnknown',
      { ...about, reason: err.reason, graphStatus: err.status, graphRequestId: err.requestId },
      'warn',
    );
  }
}

/** The other fields of Graph's answer, unless absurdly large (then the answer's status and id still count). */
function boundedExtra(answer: CommsOperation): Record<string, unknown> {
  const extra = operationExtra(answer);
  return JSON.stringify(extra).length <= MAX_EXTRA_CHARS ? extra : {};
}

/**
 * Stores Graph's operation and links it to the invite row in one transaction. Usually nothing
 * changed since the claim and one write lands. If callbacks got there first (the invite row
 * moved on, or the operation exists), Graph's answer is merged after what they reported: it
 * arrived later. The request's participants stand over Graph's echo, which drops `replacesCallId`.
 */
async function recordAcceptedInvite(
  deps: InviteDeps,
  claim: SendingClaim,
  accepted: OperationRecord,
): Promise<OperationRecord> {
  try {
    const record = await scheduleWebhookIfStarting(deps, undefined, accepted, accepted.lastModifiedDateTime);
    await deps.operations.save({
      operation: { value: record },
      context: { value: linkedTo(claim.context.value, accepted.id), etag: claim.context.etag },
    });
    return record;
  } catch (err) {
    if (!isConflict(err) && !isPreconditionFailed(err)) throw err;
  }
  const { callId } = accepted;
  const now = accepted.lastModifiedDateTime;
  return retryOnConflict(async () => {
    const ctx = await deps.operations.getInviteContext(callId, claim.context.value.clientContext);
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
