import { randomUUID } from 'node:crypto';

import {
  Conflict,
  GraphAnswerUnusable,
  GraphOutcomeUnknown,
  GraphRefused,
  GraphUnavailable,
  InProgress,
} from '../errors';
import type { GraphGateway } from '../graph/graphGateway';
import { canonicalGuid } from '../ids';
import type { Logger } from '../logger';
import type { Versioned } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import { stableHash } from '../operations/stableHash';
import type { CallRecord } from '../roster/rosterRecord';
import { isPreconditionFailed } from '../storage/storageErrors';
import { logEvent } from '../telemetry';
import type { CallRequestRecord, StartedCall } from './callRecords';
import type { CallStore } from './callStore';
import type { CallPlan } from './parseStartCallRequest';
import { type CallStateDeps, recordCallState } from './recordCallState';

export interface StartCallDeps extends CallStateDeps {
  calls: CallStore;
  graph: () => Promise<GraphGateway>;
  graphDeadlineMs: number;
  retryAfterSeconds: { running: number };
  now: () => Date;
  log: Logger;
}

export interface StartCallCommand {
  plan: CallPlan;
  /** The body as sent, for the idempotency digest. */
  rawBody: unknown;
  /** Graph's callbackUri for the call: this service's /api/notifications. */
  callbackUri: string;
}

/** A call the service started, as stored. */
export interface StartedCallView {
  callId: string;
  call: CallRecord;
}

/**
 * Starts a call: claim → call Graph → record, as invites do. The request's row (by clientContext)
 * is written before Graph is called, so one Graph call is made however many retries or instances
 * send the same request; a repeat answers with the call; another request under the same
 * clientContext is a Conflict. Graph has no idempotency key for calls, so after an unknown outcome
 * (no answer, 5xx) the row stays and the next retry calls Graph again once the deadline has passed.
 */
export async function startCall(deps: StartCallDeps, cmd: StartCallCommand): Promise<StartedCallView> {
  const clientContext = cmd.plan.request.clientContext ?? randomUUID();
  const claim = await claimCallRequest(deps, {
    clientContext,
    requestHash: stableHash({ ...(cmd.rawBody as object), clientContext }),
    callId: null,
    sendingSince: null,
    createdDateTime: '',
    startedWith: cmd.plan.startedWith,
    callbackUrl: cmd.plan.request.callbackUrl ?? null,
  });
  if ('existing' in claim) return claim.existing;

  const body = {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: cmd.callbackUri,
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    ...cmd.plan.graphBody,
  };
  let answer: { call: unknown; requestId?: string };
  try {
    const sendBefore = Date.parse(claim.context.value.sendingSince!) + deps.graphDeadlineMs;
    answer = await (await deps.graph()).createCall(body, sendBefore);
  } catch (err) {
    await onGraphFailure(deps, claim, err);
    throw err;
  }
  const callId = canonicalGuid(String((answer.call as { id?: unknown } | null)?.id ?? ''));
  if (!callId) {
    await releaseCallRequest(deps, claim.context);
    throw new GraphAnswerUnusable('Graph accepted the call but its answer had no call id.');
  }
  const started = await recordStartedCall(deps, claim.context, callId);
  logEvent(deps.log, 'call.started', { callId, clientContext, graphRequestId: answer.requestId });
  return started;
}

type Claim = { existing: StartedCallView } | { context: Versioned<CallRequestRecord>; retaken: boolean };

async function claimCallRequest(deps: StartCallDeps, wanted: CallRequestRecord): Promise<Claim> {
  return retryOnConflict(async () => {
    const found = await deps.calls.getCallRequest(wanted.clientContext);
    const nowIso = deps.now().toISOString();
    if (!found) {
      const fresh = { ...wanted, sendingSince: nowIso, createdDateTime: nowIso };
      return { context: { value: fresh, etag: await deps.calls.createCallRequest(fresh) }, retaken: false };
    }
    if (found.value.requestHash !== wanted.requestHash) {
      throw new Conflict('A call was already requested with this clientContext and a different body.');
    }
    if (found.value.callId) return { existing: await ensureCallRecord(deps, found.value, found.value.callId) };
    const sendingFor = found.value.sendingSince ? Date.parse(nowIso) - Date.parse(found.value.sendingSince) : Infinity;
    if (sendingFor < deps.graphDeadlineMs + 2000) {
      throw new InProgress(
        'A call with this clientContext is being started right now; retry shortly.',
        deps.retryAfterSeconds.running,
      );
    }
    const retaken = { ...found.value, sendingSince: nowIso };
    return {
      context: { value: retaken, etag: await deps.calls.updateCallRequest(retaken, found.etag) },
      retaken: true,
    };
  });
}

/** What a failed create-call leaves: nothing when Graph did not act (unless an earlier attempt's outcome is unknown). */
async function onGraphFailure(
  deps: StartCallDeps,
  claim: { context: Versioned<CallRequestRecord>; retaken: boolean },
  err: unknown,
) {
  const about = { clientContext: claim.context.value.clientContext };
  if ((err instanceof GraphRefused || err instanceof GraphUnavailable) && !claim.retaken) {
    try {
      await deps.calls.deleteCallRequest(claim.context.value, claim.context.etag);
    } catch (deleteErr) {
      if (!isPreconditionFailed(deleteErr)) throw deleteErr;
    }
  } else if (err instanceof GraphRefused || err instanceof GraphUnavailable || err instanceof GraphOutcomeUnknown) {
    await releaseCallRequest(deps, claim.context);
  } else {
    return;
  }
  const graphStatus = (err as { status?: number }).status;
  logEvent(deps.log, 'call.startFailed', { ...about, reason: err.name, graphStatus }, 'warn');
}

async function releaseCallRequest(deps: StartCallDeps, context: Versioned<CallRequestRecord>): Promise<void> {
  await retryOnConflict(async () => {
    const current = await deps.calls.getCallRequest(context.value.clientContext);
    if (!current || current.value.callId) return;
    await deps.calls.updateCallRequest({ ...current.value, sendingSince: null }, current.etag);
  });
}

/**
 * Graph's call id goes onto the request's row first (that is the commit: retries now answer with
 * this call), then the call's own row and the live-call index are written from it.
 */
async function recordStartedCall(
  deps: StartCallDeps,
  context: Versioned<CallRequestRecord>,
  callId: string,
): Promise<StartedCallView> {
  const linked = { ...context.value, callId, sendingSince: null };
  try {
    await deps.calls.updateCallRequest(linked, context.etag);
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    await retryOnConflict(async () => {
      const current = await deps.calls.getCallRequest(linked.clientContext);
      if (current) await deps.calls.updateCallRequest({ ...current.value, callId, sendingSince: null }, current.etag);
    });
  }
  return ensureCallRecord(deps, linked, callId);
}

/** The call's record, written from the request's row if it is not there yet (a write that failed before). */
async function ensureCallRecord(
  deps: StartCallDeps,
  request: CallRequestRecord,
  callId: string,
): Promise<StartedCallView> {
  const found = await deps.calls.getCall(callId);
  if (found?.value.started) return { callId, call: found.value };
  const started: StartedCall = {
    clientContext: request.clientContext,
    startedWith: request.startedWith,
    createdDateTime: request.createdDateTime,
    callbackUrl: request.callbackUrl,
  };
  const now = deps.now().toISOString();
  await deps.calls.recordStartedCall(callId, started, now, found?.value.state !== 'terminated');
  // Graph's notifications may have come first: what follows from them now (the call's webhook) is done here.
  return { callId, call: await recordCallState(deps, callId, null, null, now) };
}
