import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';

import { boundedMap } from '../boundedMap';
import type { CallRequestRecord, StartedCall, StartedWith } from '../calls/callRecords';
import type { CallStore, KeepAliveTiming, LiveCall } from '../calls/callStore';
import type { WebhookState } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import type { RosterCommit } from '../roster/rosterCommits';
import { emptyRosterHead, type HeadRead } from '../roster/rosterHead';
import type { CallRecord, PresenceEntry, RosterPage } from '../roster/rosterRecord';
import type { RosterStore } from '../roster/rosterStore';
import type { CallEventBody } from '../schemas/responses';
import type { ResultInfo } from '../schemas/resultInfo';
import type {
  AllCallsSubscriptionRecord,
  CallSubscriptionRecord,
  EventSubscriptionStore,
} from '../webhooks/eventSubscriptions';
import { fromChunks, toChunks } from './chunkedJson';
import { fromJsonText, fromText, toJsonText } from './entityValues';
import { HeadCache } from './headCache';
import {
  ALL_CALLS_SUBSCRIPTIONS_PARTITION,
  ALL_CALLS_SUBSCRIPTIONS_VERSION_ROW_KEY,
  CALL_REQUESTS_PARTITION,
  CALL_ROW_KEY,
  callRequestRowKey,
  escapeKey,
  EVENT_END,
  EVENT_PREFIX,
  eventRowKey,
  HEADS_SINCE_CREATION_ROW_KEY,
  LIVE_CALLS_PARTITION,
  PARTICIPANT_END,
  PARTICIPANT_PREFIX,
  participantRowKey,
  ROSTER_HEAD_ROW_KEY,
  subscriptionRowKey,
  TABLE_META_PARTITION,
  TENANT_ROW_KEY,
} from './keys';
import {
  fromAllCallsSubscriptionEntity,
  fromEventEntity,
  fromHeadEntity,
  fromSubscriptionEntity,
  legacyHead,
  participantOf,
  toAllCallsSubscriptionEntity,
  toEventEntity,
  toHeadEntity,
  toParticipantAction,
  toSubscriptionEntity,
} from './rosterEntities';
import { byKeys, firstRows, keyRange, keySpan, MAX_KEYS_PER_QUERY, rowOrNone } from './rowQueries';
import { isConflict, isNotFound, isPreconditionFailed, preconditionFailed } from './storageErrors';
import type { Tables } from './tableClients';
import { submitTransaction } from './tableTransaction';

const ALL_CALLS_FRESH_MS = 1000;
const ALL_CALLS_RELIST_MS = 60_000;
const TABLE_META_RECHECK_MS = 60_000;

interface AllCallsList {
  checkedAt: number;
  listedAt: number;
  version?: string;
  records: Promise<AllCallsSubscriptionRecord[]>;
}

const allCallsVersionRow = () => ({
  partitionKey: ALL_CALLS_SUBSCRIPTIONS_PARTITION,
  rowKey: ALL_CALLS_SUBSCRIPTIONS_VERSION_ROW_KEY,
  kind: 'allCallsSubscriptionsVersion',
});

/**
 * The roster table (rosterEntities.ts lists a call's rows). A roster change is one transaction
 * over the call's partition, conditioned on its head's ETag; the heads this instance wrote or read
 * last are kept in memory, so that a call's next change needs no read while no other instance
 * wrote it (a stale one fails its commit with 412 and is read again).
 */
export class RosterRepository implements RosterStore, CallStore, EventSubscriptionStore {
  private readonly heads = new HeadCache();
  /** The subscriptions to every call, as last read: a roster change with events reads them. */
  private allCalls: AllCallsList | undefined;
  private headsSince = { known: false, checkedAt: -Infinity };

  constructor(private readonly tables: () => Promise<Tables>) {}

  private async client(): Promise<TableClient> {
    return (await this.tables()).roster;
  }

  async readHead(callId: string, options: { fresh?: boolean } = {}): Promise<HeadRead> {
    const cached = options.fresh ? undefined : this.heads.get(callId);
    if (cached) return { ...cached, cached: true };
    const client = await this.client();
    const e = await rowOrNone<Record<string, unknown>>(client, callId, ROSTER_HEAD_ROW_KEY);
    if (!e) {
      if (await this.everyCallHasHead(client)) return { head: emptyRosterHead() };
      const present = [];
      const filter = `${keyRange(callId, PARTICIPANT_PREFIX, PARTICIPANT_END)} and ${odata`present eq ${true}`}`;
      for await (const e of client.listEntities<Record<string, unknown>>({
        queryOptions: { filter, select: ['key', 'isInLobby'] },
      }))
        present.push(e);
      return { head: legacyHead(present) };
    }
    const read: HeadRead = { head: fromHeadEntity(e), etag: e.etag };
    this.heads.set(callId, read);
    return read;
  }

  /**
   * Whether the table says every call in it has a roster head (keys.ts): known for good once read,
   * asked again a minute later when not (the instance that created the table may not have said so yet).
   */
  private async everyCallHasHead(client: TableClient): Promise<boolean> {
    if (this.headsSince.known || Date.now() - this.headsSince.checkedAt < TABLE_META_RECHECK_MS)
      return this.headsSince.known;
    const marker = await rowOrNone(client, TABLE_META_PARTITION, HEADS_SINCE_CREATION_ROW_KEY, ['PartitionKey']);
    this.headsSince = { known: Boolean(marker), checkedAt: Date.now() };
    return this.headsSince.known;
  }

  async commit(callId: string, commit: RosterCommit, etag: string | undefined): Promise<string> {
    const client = await this.client();
    const now = commit.head.lastModifiedDateTime ?? new Date().toISOString();
    const head = toHeadEntity(callId, commit.head);
    const actions: TransactionAction[] = [
      etag === undefined ? ['create', head] : ['update', head, 'Replace', { etag }],
      ...commit.participants.map((write): TransactionAction => ['upsert', ...toParticipantAction(callId, write, now)]),
      // Upserts: the head's ETag already makes the commit exclusive, and an event row left behind
      // by an interrupted purge must not block the call's next events.
      ...commit.events.map((event): TransactionAction => ['upsert', toEventEntity(event), 'Replace']),
      ...(commit.subscriptions?.create ?? []).map((record): TransactionAction => [
        'upsert',
        toSubscriptionEntity(record, new Date().toISOString()),
        'Replace',
      ]),
      ...(commit.subscriptions?.remove ?? []).map(
        // A Merge that marks the row ended, not a delete: a delete of a row already gone fails the transaction.
        (id): TransactionAction => [
          'upsert',
          {
            partitionKey: callId,
            rowKey: subscriptionRowKey(id),
            ended: true,
            removed: true,
            lastModifiedDateTime: new Date().toISOString(),
          },
          'Merge',
        ],
      ),
    ];
    let written: string | undefined;
    try {
      const result = await submitTransaction(client, actions);
      written = result.subResponses[0]?.etag;
    } catch (err) {
      // Whatever happened, what this instance holds of the head may be stale now.
      this.heads.delete(callId);
      if (etag !== undefined && isNotFound(err)) throw preconditionFailed(`The roster head of call ${callId} is gone.`);
      throw err;
    }
    if (written) this.heads.set(callId, { head: commit.head, etag: written });
    else this.heads.delete(callId);
    return written ?? '';
  }

  async identitiesOf(callId: string, keys: string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    if (keys.length === 0) return found;
    const client = await this.client();
    const rowKeys = [...new Set(keys.map(participantRowKey))].sort();
    const wanted = new Set(rowKeys);
    // A few by key; many (a meeting's end) by the range their keys span, in one pass.
    const filters =
      rowKeys.length <= MAX_KEYS_PER_QUERY * 4
        ? Array.from({ length: Math.ceil(rowKeys.length / MAX_KEYS_PER_QUERY) }, (_, i) =>
            byKeys(callId, rowKeys.slice(i * MAX_KEYS_PER_QUERY, (i + 1) * MAX_KEYS_PER_QUERY)),
          )
        : [keySpan(callId, rowKeys)];
    await Promise.all(
      filters.map(async (filter) => {
        for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          if (!wanted.has(e.rowKey!)) continue;
          const identity = participantOf(e)?.info?.identity;
          if (identity) found.set(String(e.key), identity as Record<string, unknown>);
        }
      }),
    );
    return found;
  }

  /** Who of the given identities is, or was, in the calls' rosters (any identity kind). */
  async presence(callIds: string[], identityIds: string[]): Promise<PresenceEntry[]> {
    if (identityIds.length === 0) return [];
    const client = await this.client();
    const select = ['identityId', 'present', 'isInLobby', 'lastModifiedDateTime'];
    const entry = (callId: string, e: Record<string, unknown>): PresenceEntry => ({
      callId,
      identityId: String(e.identityId),
      present: e.present !== false,
      isInLobby: e.isInLobby === true,
      lastModifiedDateTime: String(e.lastModifiedDateTime),
    });
    const rowsOf = async (filter: string) => {
      const rows: Array<Record<string, unknown>> = [];
      for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } }))
        rows.push(e);
      return rows;
    };
    // A filter may hold 15 comparisons: the partition, the participant rows' key range, and the ids
    // in groups of 10. Past PRESENCE_BY_ID identities (a page of many invites), one pass over the
    // call's participant rows (1 000 a request) costs less than ⌈ids / 10⌉ queries.
    const wanted = new Set(identityIds);
    const groups: string[][] = [];
    for (let i = 0; i < identityIds.length; i += 10) groups.push(identityIds.slice(i, i + 10));
    const queries = callIds.flatMap((callId) => {
      const range = keyRange(callId, PARTICIPANT_PREFIX, PARTICIPANT_END);
      if (identityIds.length > PRESENCE_BY_ID) return [{ callId, filter: range, all: true }];
      return groups.map((ids) => ({
        callId,
        filter: `${range} and (${ids.map((id) => odata`identityId eq ${id}`).join(' or ')})`,
        all: false,
      }));
    });
    const found = await boundedMap(queries, PRESENCE_QUERIES_AT_ONCE, async ({ callId, filter, all }) =>
      (await rowsOf(filter)).filter((e) => !all || wanted.has(String(e.identityId))).map((e) => entry(callId, e)),
    );
    return found.flat();
  }

  async getCall(callId: string): Promise<Versioned<CallRecord> | undefined> {
    const e = await rowOrNone<Record<string, unknown>>(await this.client(), callId, CALL_ROW_KEY);
    return e && { value: fromCallEntity(e), etag: e.etag };
  }

  /** Writes the call's state; `etag` undefined creates the row (409 if it appeared meanwhile). */
  async saveCall(callId: string, call: CallRecord, etag: string | undefined): Promise<void> {
    const client = await this.client();
    const entity = {
      partitionKey: callId,
      rowKey: CALL_ROW_KEY,
      kind: 'call',
      state: call.state ?? '',
      resultInfo: toJsonText(call.resultInfo),
      lastModifiedDateTime: call.lastModifiedDateTime ?? '',
      ...(call.webhook ? { webhook: toJsonText(call.webhook) } : {}),
    };
    if (etag === undefined) await client.createEntity(entity);
    else await client.updateEntity(entity, 'Merge', { etag });
  }

  /** `etag`: write only over the row as read (null: only if there is none); undefined: whatever is there. */
  async recordStartedCall(
    callId: string,
    started: StartedCall,
    now: string,
    live: boolean,
    etag?: string | null,
  ): Promise<void> {
    const client = await this.client();
    // The live-call index first: a call Graph started is kept alive even if the row write after it fails.
    if (live)
      await client.upsertEntity(
        {
          partitionKey: LIVE_CALLS_PARTITION,
          rowKey: callId,
          kind: 'liveCall',
          callId,
          graphCallId: started.graphCallId ?? callId,
          lastKeepAliveAt: now,
          lastModifiedDateTime: now,
        },
        'Replace',
      );
    const entity = {
      partitionKey: callId,
      rowKey: CALL_ROW_KEY,
      kind: 'call',
      startedByService: true,
      ...startedCallColumns(started),
      lastModifiedDateTime: now,
    };
    if (etag === undefined) await client.upsertEntity(entity, 'Merge');
    else if (etag === null) await client.createEntity(entity);
    else await client.updateEntity(entity, 'Merge', { etag });
  }

  async getCallRequest(clientContext: string): Promise<Versioned<CallRequestRecord> | undefined> {
    const e = await rowOrNone<Record<string, unknown>>(
      await this.client(),
      CALL_REQUESTS_PARTITION,
      callRequestRowKey(clientContext),
    );
    return e && { value: fromCallRequestEntity(e), etag: e.etag };
  }

  async createCallRequest(record: CallRequestRecord): Promise<string> {
    return (await (await this.client()).createEntity(toCallRequestEntity(record))).etag ?? '';
  }

  async updateCallRequest(record: CallRequestRecord, etag: string): Promise<string> {
    return (await (await this.client()).updateEntity(toCallRequestEntity(record), 'Replace', { etag })).etag ?? '';
  }

  async deleteCallRequest(record: CallRequestRecord, etag: string): Promise<void> {
    try {
      await (
        await this.client()
      ).deleteEntity(CALL_REQUESTS_PARTITION, callRequestRowKey(record.clientContext), { etag });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async liveCalls(): Promise<LiveCall[]> {
    const client = await this.client();
    const calls: LiveCall[] = [];
    const filter = odata`PartitionKey eq ${LIVE_CALLS_PARTITION}`;
    const select = ['RowKey', 'graphCallId'];
    for await (const e of client.listEntities<{ graphCallId?: string }>({ queryOptions: { filter, select } })) {
      calls.push({ callId: e.rowKey!, graphCallId: e.graphCallId || e.rowKey! });
    }
    return calls;
  }

  async claimKeepAlive(callId: string, now: string, timing: KeepAliveTiming): Promise<boolean> {
    const client = await this.client();
    const row = await rowOrNone<{ lastKeepAliveAt?: string; keepAliveClaimedAt?: string }>(
      client,
      LIVE_CALLS_PARTITION,
      callId,
    );
    if (!row) return false; // it ended meanwhile
    const age = (at: string | undefined) => (at ? Date.parse(now) - Date.parse(at) : Infinity);
    if (age(row.lastKeepAliveAt) < timing.dueAfterMs || age(row.keepAliveClaimedAt) < timing.claimMs) return false;
    try {
      await client.updateEntity(
        { partitionKey: LIVE_CALLS_PARTITION, rowKey: callId, keepAliveClaimedAt: now, lastModifiedDateTime: now },
        'Merge',
        { etag: row.etag },
      );
      return true;
    } catch (err) {
      if (isPreconditionFailed(err) || isNotFound(err)) return false; // another instance took it
      throw err;
    }
  }

  async recordKeepAlive(callId: string, at: string): Promise<void> {
    try {
      await (
        await this.client()
      ).updateEntity(
        { partitionKey: LIVE_CALLS_PARTITION, rowKey: callId, lastKeepAliveAt: at, keepAliveClaimedAt: '' },
        'Merge',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err; // it ended meanwhile
    }
  }

  async endLive(callId: string): Promise<void> {
    try {
      await (await this.client()).deleteEntity(LIVE_CALLS_PARTITION, callId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async saveCallWebhook(callId: string, webhook: WebhookState, etag: string): Promise<void> {
    const entity = { partitionKey: callId, rowKey: CALL_ROW_KEY, webhook: toJsonText(webhook) };
    await (await this.client()).updateEntity(entity, 'Merge', { etag });
  }

  async claimReject(callId: string, now: string): Promise<boolean> {
    const client = await this.client();
    const found = await this.getCall(callId);
    if (found?.value.rejectedAt) return false;
    const entity = { partitionKey: callId, rowKey: CALL_ROW_KEY, kind: 'call', rejectedAt: now };
    if (found) await client.updateEntity(entity, 'Merge', { etag: found.etag });
    else await client.createEntity(entity);
    return true;
  }

  async claimAnswer(callId: string, answered: StartedCall, now: string): Promise<boolean> {
    const found = await this.getCall(callId);
    // Taken already, or over meanwhile (the caller hung up): nothing to answer.
    if (found?.value.started || found?.value.state === 'terminated') return false;
    // The index first, as for calls the service starts: an answered call is kept alive even if the row write fails.
    await this.recordStartedCall(callId, answered, now, true, found?.etag ?? null);
    return true;
  }

  async releaseAnswer(callId: string): Promise<void> {
    await this.endLive(callId);
    const entity = { partitionKey: callId, rowKey: CALL_ROW_KEY, startedByService: false };
    await (await this.client()).updateEntity(entity, 'Merge');
  }

  async bindTenant(callId: string, tenantId: string | undefined, now: string): Promise<string | undefined> {
    const client = await this.client();
    const read = async () =>
      (await rowOrNone<{ tenantId?: string }>(client, callId, TENANT_ROW_KEY, ['tenantId']))?.tenantId;
    if (!tenantId) return read();
    // Created first: a new call (the common case) costs one write; a known one a refused write and a read.
    try {
      const entity = {
        partitionKey: callId,
        rowKey: TENANT_ROW_KEY,
        kind: 'callTenant',
        tenantId,
        lastModifiedDateTime: now,
      };
      await client.createEntity(entity);
      return tenantId;
    } catch (err) {
      if (!isConflict(err)) throw err;
      return read(); // bound before
    }
  }

  async releaseReject(callId: string): Promise<void> {
    await (await this.client()).updateEntity({ partitionKey: callId, rowKey: CALL_ROW_KEY, rejectedAt: '' }, 'Merge');
  }

  async getCallSubscription(callId: string, id: string): Promise<Versioned<CallSubscriptionRecord> | undefined> {
    const e = await rowOrNone<Record<string, unknown>>(await this.client(), callId, subscriptionRowKey(id));
    if (!e) return undefined;
    // An unsubscribed one is kept as ended (its row is marked, not deleted: commit's removals).
    const value =
      e.removed === true
        ? { ...fromSubscriptionEntity({ ...e, subscriptionId: id }), ended: true }
        : fromSubscriptionEntity(e);
    return { value, etag: e.etag };
  }

  async saveCallSubscription(record: CallSubscriptionRecord, etag: string): Promise<void> {
    const entity = toSubscriptionEntity(record, new Date().toISOString());
    await (await this.client()).updateEntity(entity, 'Replace', { etag });
  }

  async allCallsSubscriptions(): Promise<AllCallsSubscriptionRecord[]> {
    // Checked at most once a second: every roster change with events asks.
    const held = this.allCalls;
    const now = Date.now();
    if (held && now - held.checkedAt < ALL_CALLS_FRESH_MS) return held.records;
    const next: AllCallsList = { checkedAt: now, listedAt: now, records: Promise.resolve([]) };
    next.records = (async () => {
      const client = await this.client();
      // The list is current while the partition's version row is as it was when it was listed.
      // An earlier version of the service made subscriptions without it: listed again each minute.
      next.version = await this.allCallsVersion(client);
      if (held && next.version === held.version && now - held.listedAt < ALL_CALLS_RELIST_MS) {
        next.listedAt = held.listedAt;
        return held.records;
      }
      const found: AllCallsSubscriptionRecord[] = [];
      const filter = odata`PartitionKey eq ${ALL_CALLS_SUBSCRIPTIONS_PARTITION}`;
      for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
        if (e.kind === 'allCallsSubscription') found.push(fromAllCallsSubscriptionEntity(e));
      return found;
    })();
    this.allCalls = next;
    next.records.catch(() => {
      if (this.allCalls === next) this.allCalls = undefined;
    });
    return next.records;
  }

  /** The ETag of the all-calls subscriptions' version row, made if there is none yet. */
  private async allCallsVersion(client: TableClient): Promise<string> {
    const row = await rowOrNone(client, ALL_CALLS_SUBSCRIPTIONS_PARTITION, ALL_CALLS_SUBSCRIPTIONS_VERSION_ROW_KEY, [
      'PartitionKey',
    ]);
    if (row) return row.etag;
    try {
      return (await client.createEntity(allCallsVersionRow())).etag ?? '';
    } catch (err) {
      if (isConflict(err)) return ''; // made meanwhile: the next check reads it
      throw err;
    }
  }

  async getAllCallsSubscription(id: string): Promise<AllCallsSubscriptionRecord | undefined> {
    const e = await rowOrNone<Record<string, unknown>>(
      await this.client(),
      ALL_CALLS_SUBSCRIPTIONS_PARTITION,
      escapeKey(id),
    );
    return e && fromAllCallsSubscriptionEntity(e);
  }

  // Made and ended together with a change of the version row (allCallsSubscriptions), in one transaction.
  async createAllCallsSubscription(record: AllCallsSubscriptionRecord): Promise<void> {
    await submitTransaction(await this.client(), [
      ['create', toAllCallsSubscriptionEntity(record)],
      ['upsert', allCallsVersionRow(), 'Replace'],
    ]);
    this.allCalls = undefined;
  }

  async deleteAllCallsSubscription(id: string): Promise<boolean> {
    this.allCalls = undefined;
    try {
      await submitTransaction(await this.client(), [
        ['delete', { partitionKey: ALL_CALLS_SUBSCRIPTIONS_PARTITION, rowKey: escapeKey(id) }],
        ['upsert', allCallsVersionRow(), 'Replace'],
      ]);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async rosterPage(callId: string, top: number, after?: string): Promise<RosterPage> {
    const client = await this.client();
    const present = `${keyRange(callId, PARTICIPANT_PREFIX, PARTICIPANT_END, after)} and ${odata`present eq ${true}`}`;
    const [participants, call, head] = await Promise.all([
      firstRows<Record<string, unknown>>(client, present, top),
      this.getCall(callId),
      this.headRow(client, callId),
    ]);
    // The roster's latest change is on its head; a call only an earlier version wrote has none.
    const summary = head ?? (await this.scanLatestChange(client, callId));
    const times = [summary.lastModifiedDateTime, call?.value.lastModifiedDateTime ?? ''].sort();
    return {
      call: call?.value,
      entries: participants.slice(0, top).map((e) => ({ key: String(e.key), participant: participantOf(e) ?? {} })),
      next: participants.length > top ? String(participants[top]!.rowKey) : undefined,
      lastModifiedDateTime: times.at(-1) || null,
      known: Boolean(head || call || summary.rows > 0),
    };
  }

  async eventsPage(
    callId: string,
    after: number,
    top: number,
  ): Promise<{ events: CallEventBody[]; next?: number; known: boolean }> {
    const client = await this.client();
    const filter = keyRange(callId, EVENT_PREFIX, EVENT_END, eventRowKey(after + 1));
    const [rows, head] = await Promise.all([
      firstRows<Record<string, unknown>>(client, filter, top),
      this.headRow(client, callId),
    ]);
    const events = rows.slice(0, top).map(fromEventEntity);
    return { events, next: rows.length > top ? events.at(-1)!.sequence : undefined, known: Boolean(head) };
  }

  /** The head's summary fields, read fresh (a page must not show what this instance last wrote only). */
  private async headRow(client: TableClient, callId: string) {
    const e = await rowOrNone<{ lastModifiedDateTime?: string }>(client, callId, ROSTER_HEAD_ROW_KEY, [
      'lastModifiedDateTime',
    ]);
    return e && { lastModifiedDateTime: e.lastModifiedDateTime ?? '', rows: 1 };
  }

  /** The latest change of a call written without a head, from a pass over one column of its rows. */
  private async scanLatestChange(client: TableClient, callId: string) {
    let lastModifiedDateTime = '';
    let rows = 0;
    for await (const e of client.listEntities<{ lastModifiedDateTime?: string }>({
      queryOptions: { filter: odata`PartitionKey eq ${callId}`, select: ['RowKey', 'lastModifiedDateTime'] },
    })) {
      if (e.rowKey === TENANT_ROW_KEY) continue; // who may change the call says nothing of its roster
      rows++;
      if (typeof e.lastModifiedDateTime === 'string' && e.lastModifiedDateTime > lastModifiedDateTime)
        lastModifiedDateTime = e.lastModifiedDateTime;
    }
    return { lastModifiedDateTime, rows };
  }
}

/** Identities looked up by id, in queries of 10; past this, the call's participant rows are read in one pass. */
const PRESENCE_BY_ID = 30;
/** Presence queries of one page sent at once. */
const PRESENCE_QUERIES_AT_ONCE = 4;

function fromCallEntity(e: Record<string, unknown>): CallRecord {
  return {
    state: fromText(e.state),
    resultInfo: fromJsonText<ResultInfo>(e.resultInfo),
    lastModifiedDateTime: fromText(e.lastModifiedDateTime),
    ...(e.startedByService === true
      ? {
          started: fromStartedCallColumns(e),
        }
      : {}),
    ...(fromText(e.rejectedAt) ? { rejectedAt: String(e.rejectedAt) } : {}),
    ...(fromText(e.webhook) ? { webhook: fromJsonText<WebhookState>(e.webhook) } : {}),
  };
}

function toCallRequestEntity(r: CallRequestRecord) {
  return {
    partitionKey: CALL_REQUESTS_PARTITION,
    rowKey: callRequestRowKey(r.clientContext),
    kind: 'callRequest',
    requestHash: r.requestHash,
    callId: r.callId ?? '',
    sendingSince: r.sendingSince ?? '',
    lastModifiedDateTime: r.createdDateTime,
    ...startedCallColumns(r),
  };
}

function fromCallRequestEntity(e: Record<string, unknown>): CallRequestRecord {
  return {
    ...fromStartedCallColumns(e),
    clientContext: String(e.clientContext),
    requestHash: String(e.requestHash),
    callId: fromText(e.callId),
    sendingSince: fromText(e.sendingSince),
  };
}

/** How the service started a call, as columns of the call's row and of the request's row. */
function startedCallColumns(started: StartedCall) {
  return {
    clientContext: started.clientContext ?? '',
    ...toChunks('startedWith', started.startedWith),
    createdDateTime: started.createdDateTime,
    callbackUrl: started.callbackUrl ?? '',
    graphCallId: started.graphCallId ?? '',
    applicationInstanceId: started.applicationInstanceId ?? '',
    tenantId: started.tenantId ?? '',
  };
}

function fromStartedCallColumns(e: Record<string, unknown>): StartedCall {
  const graphCallId = fromText(e.graphCallId);
  return {
    clientContext: fromText(e.clientContext),
    startedWith: fromChunks<StartedWith>(e, 'startedWith')!,
    createdDateTime: String(e.createdDateTime),
    callbackUrl: fromText(e.callbackUrl),
    ...(graphCallId ? { graphCallId } : {}),
    applicationInstanceId: fromText(e.applicationInstanceId),
    ...(fromText(e.tenantId) ? { tenantId: String(e.tenantId) } : {}),
  };
}
