import { z } from 'zod';

import { canonicalGuid, canonicalOperationId } from '../ids';
import { Call } from '../schemas/call';
import { type ChangeType, CommsNotification } from '../schemas/commsNotification';
import { CommsOperation, MAX_EXTRA_CHARS, operationExtra, operationTypeName } from '../schemas/commsOperation';
import type { OperationStatus } from '../schemas/operationStatus';
import { DeltaParticipants, int64, Participant } from '../schemas/participant';
import type { ResultInfo } from '../schemas/resultInfo';
import { findIllFormedText } from '../schemas/wellFormedText';
import { MAX_CHUNKED_BYTES, storedSizeBytes } from '../storage/chunkedJson';
import { callIdFromPath, callIdInPathAsWritten, operationIdFromPath } from './resourcePath';

export interface OperationUpdate {
  kind: 'operation';
  callId: string;
  /** Canonical operation id, when the body or the path carries one. */
  operationId?: string;
  clientContext?: string;
  type: string;
  status: OperationStatus;
  resultInfo: ResultInfo | null;
  /** Every field reported beyond the modelled ones. */
  extra: Record<string, unknown>;
  participants?: unknown[];
}

export interface RosterUpdate {
  kind: 'roster';
  callId: string;
  changeType: ChangeType;
  participants: Participant[];
  /** A delta roster's `sequenceNumber` (`deltaParticipants`); absent for an array of participants. */
  deltaSequence?: bigint;
}

export interface CallUpdate {
  kind: 'call';
  callId: string;
  changeType: ChangeType;
  state: string | null;
  resultInfo: ResultInfo | null;
  /** Who placed the call (`source.identity`), as an incoming call reports it. */
  caller: Record<string, unknown> | null;
  /**
   * The call id in the form Graph wrote it: Graph is called with that form. The answer page's
   * incoming call is `57DAB8B1894C409AB240BD8BEAE78896`, while the service keys calls by the dashed GUID.
   */
  graphCallId: string;
  /** The Teams resource account an incoming call was placed to (`targets[].identity.applicationInstance`). */
  calledApplicationInstanceId: string | null;
  /** An invitation into a group call or meeting: Graph's notification then carries chatInfo and meetingInfo (call-answer). */
  groupCall: boolean;
}

export interface IgnoredNotification {
  kind: 'ignored';
  reason: string;
}

export interface MalformedNotification {
  kind: 'malformed';
  reason: string;
}

export type ParsedNotification =
  OperationUpdate | RosterUpdate | CallUpdate | IgnoredNotification | MalformedNotification;

const malformed = (reason: string): MalformedNotification => ({ kind: 'malformed', reason });

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues.map((i) => `${[prefix, ...i.path].join('.')}: ${i.message}`).join('; ');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const odataTypeOf = (v: Record<string, unknown>) => (typeof v['@odata.type'] === 'string' ? v['@odata.type'] : '');

/**
 * Turns one commsNotification into the update it describes. Dispatch is on what `resourceData`
 * is, not on the path: example 2 of reference 004 sends a roster under `/operations/participants`.
 */
export function parseNotification(item: unknown): ParsedNotification {
  const illFormed = findIllFormedText(item);
  if (illFormed) return malformed(`${['notification', ...illFormed].join('.')}: holds half of a UTF-16 surrogate pair`);
  const parsed = CommsNotification.safeParse(item);
  if (!parsed.success) return malformed(describeIssues(parsed.error, 'notification'));
  const n = parsed.data;
  const path = n.resource || n.resourceUrl || '';
  const data = n.resourceData;
  if (data === undefined || data === null) return { kind: 'ignored', reason: 'no resourceData' };

  const callId = callIdFromPath(path) ?? (n.resourceUrl ? callIdFromPath(n.resourceUrl) : undefined);
  if (!callId) return malformed(`resource ${JSON.stringify(path).slice(0, 200)} names no call id (a GUID)`);

  if (Array.isArray(data)) {
    // Only participants at a participants path are a roster (example 2 of reference 004 sends one at
    // /operations/participants); the create-call page sends content-sharing sessions as arrays too.
    if (![n.resource, n.resourceUrl].some((p) => p && /\/participants\/?$/i.test(p))) {
      return { kind: 'ignored', reason: `an array at ${JSON.stringify(path).slice(0, 200)} is not a roster` };
    }
    const other = data
      .map((item) => (isObject(item) ? odataTypeOf(item) : ''))
      .find((t) => t && !/\.participant$/i.test(t));
    if (other)
      return { kind: 'ignored', reason: `resourceData items of type ${other.slice(0, 100)} are not participants` };
    return parseRoster(callId, n.changeType, data);
  }
  if (!isObject(data)) return malformed('resourceData must be an object or an array');

  const odataType = odataTypeOf(data);
  if (/operation$/i.test(odataType)) return parseOperation(callId, path, n.resourceUrl, data);
  if (/\.call$/i.test(odataType)) return parseCall(callId, graphFormOf(callId, data.id, path), n.changeType, data);
  // Delta roster (callOptions.isDeltaRosterEnabled): the participants changed since the last one.
  if (/\.deltaParticipants$/i.test(odataType)) return parseDeltaRoster(callId, n.changeType, data);
  return { kind: 'ignored', reason: `resourceData of type ${odataType || 'unknown'} is not modelled` };
}

function parseRoster(callId: string, changeType: ChangeType, data: unknown[]): ParsedNotification {
  const participants = z.array(Participant).safeParse(data);
  if (!participants.success) return malformed(describeIssues(participants.error, 'resourceData'));
  if (participants.data.some((p) => storedSizeBytes(p) > MAX_CHUNKED_BYTES))
    return malformed('a participant is too large to store');
  return { kind: 'roster', callId, changeType, participants: participants.data };
}

function parseDeltaRoster(callId: string, changeType: ChangeType, data: Record<string, unknown>): ParsedNotification {
  const delta = DeltaParticipants.safeParse(data);
  if (!delta.success) return malformed(describeIssues(delta.error, 'resourceData'));
  const roster = parseRoster(callId, changeType, delta.data.participants ?? []);
  return roster.kind === 'roster' ? { ...roster, deltaSequence: int64(delta.data.sequenceNumber) } : roster;
}

function parseOperation(
  callId: string,
  path: string,
  resourceUrl: string | null | undefined,
  data: Record<string, unknown>,
): ParsedNotification {
  const op = CommsOperation.safeParse(data);
  if (!op.success) return malformed(describeIssues(op.error, 'resourceData'));
  const o = op.data;
  const extra = operationExtra(o);
  if (storedSizeBytes(o.participants) > MAX_CHUNKED_BYTES) return malformed('the operation is too large to store');
  if (JSON.stringify(extra).length > MAX_EXTRA_CHARS)
    return malformed(`the operation's other fields exceed ${MAX_EXTRA_CHARS} characters`);
  const operationId =
    (o.id?.trim() ? canonicalOperationId(o.id.trim()) : undefined) ??
    operationIdFromPath(o['@odata.id']) ??
    operationIdFromPath(path) ??
    operationIdFromPath(resourceUrl);
  return {
    kind: 'operation',
    callId,
    operationId,
    clientContext: o.clientContext ?? undefined,
    type: operationTypeName(o['@odata.type']),
    status: o.status,
    resultInfo: o.resultInfo ?? null,
    extra,
    participants: o.participants ?? undefined,
  };
}

function parseCall(
  callId: string,
  graphCallId: string,
  changeType: ChangeType,
  data: Record<string, unknown>,
): ParsedNotification {
  const call = Call.safeParse(data);
  if (!call.success) return malformed(describeIssues(call.error, 'resourceData'));
  const instance = (call.data.targets ?? []).map((t) => t?.identity?.applicationInstance?.id).find(Boolean);
  return {
    kind: 'call',
    callId,
    changeType,
    state: call.data.state ?? (changeType === 'deleted' ? 'terminated' : null),
    resultInfo: call.data.resultInfo ?? null,
    caller: (call.data.source?.identity as Record<string, unknown> | null | undefined) ?? null,
    graphCallId,
    calledApplicationInstanceId: (instance && canonicalGuid(instance)) ?? null,
    groupCall: Boolean(call.data.chatInfo || call.data.meetingInfo),
  };
}

/** The call id as Graph wrote it: the call's own `id` when it names the same call, else the path's segment. */
function graphFormOf(callId: string, id: unknown, path: string): string {
  if (typeof id === 'string' && canonicalGuid(id) === callId) return id;
  return callIdInPathAsWritten(path) ?? callId;
}
