import type { TableEntity } from '@azure/data-tables';

import { primaryIdentity } from '../roster/participantKey';
import type { ParticipantWrite } from '../roster/rosterCommits';
import { emptyRosterHead, type MemberState, type RosterHead, type SubscriptionRef } from '../roster/rosterHead';
import type { Participant } from '../schemas/participant';
import type { CallEventBody, CallEventType } from '../schemas/responses';
import type { AllCallsSubscriptionRecord, CallSubscriptionRecord, EventDelivery } from '../webhooks/eventSubscriptions';
import { fromChunks, toChunks } from './chunkedJson';
import { fromJsonText, fromText, toJsonText } from './entityValues';
import {
  ALL_CALLS_SUBSCRIPTIONS_PARTITION,
  escapeKey,
  eventRowKey,
  participantRowKey,
  ROSTER_HEAD_ROW_KEY,
  subscriptionRowKey,
} from './keys';

// The roster table's rows of a call (partition = canonical call id), besides the call's own row:
// - `roster` (kind rosterHead): who is in the call now, as `members` (key -> digest, `~` when in the
//   lobby, spread over chunks), and the counters (generation, lastSequence, rosterSequence,
//   deltaSequence as decimal text, incomingAt, endedAt), the call's event subscriptions;
// - `p:<escaped key>` (kind participant): the participant's JSON in chunks, its primary
//   `identityId`, `present` (false once it left), `isInLobby`;
// - `e:<sequence, 12 digits>` (kind event): one event, as the API shows it;
// - `s:<subscription id>` (kind eventSubscription): a subscription to the call's events, or the
//   call's feed of one to every call, with its cursor and the delivery under way (JSON).
// Subscriptions to every call are rows of partition `~event-subscriptions` (kind allCallsSubscription),
// beside that partition's version row (keys.ts). Every row of a call carries `lastModifiedDateTime`,
// which retention reads; the version row and the table's `~meta` row carry none, so never age out.

const LOBBY = '~';

export function toHeadEntity(callId: string, head: RosterHead): TableEntity<Record<string, unknown>> {
  // No prototype: a participant id `__proto__` is a key like any other.
  const members: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, state] of head.members) members[key] = state.digest + (state.inLobby ? LOBBY : '');
  return {
    partitionKey: callId,
    rowKey: ROSTER_HEAD_ROW_KEY,
    kind: 'rosterHead',
    generation: head.generation,
    lastSequence: head.lastSequence,
    rosterSequence: head.rosterSequence?.toString() ?? '',
    deltaSequence: head.deltaSequence?.toString() ?? '',
    incomingAt: head.incomingAt ?? '',
    endedAt: head.endedAt ?? '',
    ...toChunks('subscriptions', head.subscriptions),
    lastModifiedDateTime: head.lastModifiedDateTime ?? '',
    ...toChunks('members', members),
  };
}

export function fromHeadEntity(e: Record<string, unknown>): RosterHead {
  const members = new Map<string, MemberState>();
  for (const [key, value] of Object.entries(fromChunks<Record<string, string>>(e, 'members') ?? {})) {
    const inLobby = value.endsWith(LOBBY);
    members.set(key, { digest: inLobby ? value.slice(0, -1) : value, inLobby });
  }
  const bigintOf = (v: unknown) => (typeof v === 'string' && v !== '' ? BigInt(v) : null);
  return {
    members,
    generation: Number(e.generation ?? 0),
    lastSequence: Number(e.lastSequence ?? 0),
    rosterSequence: bigintOf(e.rosterSequence),
    deltaSequence: bigintOf(e.deltaSequence),
    incomingAt: fromText(e.incomingAt),
    endedAt: fromText(e.endedAt),
    subscriptions: fromChunks<SubscriptionRef[]>(e, 'subscriptions') ?? [],
    lastModifiedDateTime: fromText(e.lastModifiedDateTime),
  };
}

/**
 * A head for a call whose participant rows an earlier version wrote without one: everyone its
 * rows show present, with no digest, so the next roster rewrites their rows once (without events).
 */
export function legacyHead(presentRows: Array<Record<string, unknown>>): RosterHead {
  const head = emptyRosterHead();
  for (const row of presentRows) head.members.set(String(row.key), { digest: '', inLobby: row.isInLobby === true });
  return head;
}

/** A participant's row: replaced as listed, or merged as departed (it keeps the identity it had). */
export function toParticipantAction(
  callId: string,
  write: ParticipantWrite,
  now: string,
): [TableEntity<Record<string, unknown>>, 'Merge' | 'Replace'] {
  const keys = { partitionKey: callId, rowKey: participantRowKey(write.key), kind: 'participant', key: write.key };
  if (!write.entry) return [{ ...keys, present: false, isInLobby: false, lastModifiedDateTime: now }, 'Merge'];
  const participant = write.entry.participant;
  return [
    {
      ...keys,
      identityId: primaryIdentity(participant.info?.identity)?.id ?? '',
      present: true,
      isInLobby: participant.isInLobby === true,
      ...toChunks('participant', participant),
      lastModifiedDateTime: now,
    },
    'Replace',
  ];
}

export const participantOf = (e: Record<string, unknown>) => fromChunks<Participant>(e, 'participant');

export function toEventEntity(event: CallEventBody): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: event.callId,
    rowKey: eventRowKey(event.sequence),
    kind: 'event',
    sequence: event.sequence,
    type: event.type,
    key: event.key ?? '',
    identity: toJsonText(event.identity),
    at: event.at,
    lastModifiedDateTime: event.at,
  };
}

export function fromEventEntity(e: Record<string, unknown>): CallEventBody {
  const identity = fromJsonText<Record<string, unknown>>(e.identity);
  const key = fromText(e.key);
  return {
    callId: String(e.partitionKey),
    sequence: Number(e.sequence),
    type: String(e.type) as CallEventType,
    ...(key ? { key } : {}),
    ...(identity ? { identity } : {}),
    at: String(e.at),
  };
}

export function toSubscriptionEntity(r: CallSubscriptionRecord, now: string): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: r.callId,
    rowKey: subscriptionRowKey(r.id),
    kind: 'eventSubscription',
    subscriptionId: r.id,
    scope: r.scope,
    callbackUrl: r.callbackUrl ?? '',
    identityId: r.identityId ?? '',
    types: toJsonText(r.types),
    clientContext: r.clientContext ?? '',
    cursor: r.cursor,
    delivery: toJsonText(r.delivery),
    ended: r.ended,
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: now,
  };
}

export function fromSubscriptionEntity(e: Record<string, unknown>): CallSubscriptionRecord {
  const identityId = fromText(e.identityId);
  const clientContext = fromText(e.clientContext);
  const types = fromJsonText<string[]>(e.types);
  return {
    callId: String(e.partitionKey),
    id: String(e.subscriptionId),
    scope: e.scope === 'all' ? 'all' : 'call',
    callbackUrl: fromText(e.callbackUrl),
    ...(identityId ? { identityId } : {}),
    ...(types ? { types } : {}),
    ...(clientContext ? { clientContext } : {}),
    cursor: Number(e.cursor ?? 0),
    delivery: fromJsonText<EventDelivery>(e.delivery),
    ended: e.ended === true,
    createdDateTime: String(e.createdDateTime),
  };
}

export function toAllCallsSubscriptionEntity(r: AllCallsSubscriptionRecord): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: ALL_CALLS_SUBSCRIPTIONS_PARTITION,
    rowKey: escapeKey(r.id),
    kind: 'allCallsSubscription',
    subscriptionId: r.id,
    callbackUrl: r.callbackUrl,
    types: toJsonText(r.types),
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.createdDateTime,
  };
}

export function fromAllCallsSubscriptionEntity(e: Record<string, unknown>): AllCallsSubscriptionRecord {
  const types = fromJsonText<string[]>(e.types);
  return {
    id: String(e.subscriptionId),
    callbackUrl: String(e.callbackUrl),
    ...(types ? { types } : {}),
    createdDateTime: String(e.createdDateTime),
  };
}
