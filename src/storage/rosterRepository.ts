import { createHash } from 'node:crypto';

import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';

import type { CallRequestRecord, StartedCall, StartedWith } from '../calls/callRecords';
import type { CallStore } from '../calls/callStore';
import type { WebhookState } from '../operations/operationRecord';
import type { Versioned } from '../operations/operationStore';
import { primaryIdentity } from '../roster/participantKey';
import type { CallRecord, PresenceEntry, RosterEntry, RosterPage } from '../roster/rosterRecord';
import type { RosterStore } from '../roster/rosterStore';
import type { ChangeType } from '../schemas/commsNotification';
import type { Participant } from '../schemas/participant';
import type { ResultInfo } from '../schemas/resultInfo';
import { fromChunks, toChunks } from './chunkedJson';
import { CoalescedUpserts } from './coalescedUpserts';
import { fromJsonText, fromText, toJsonText } from './entityValues';
import {
  CALL_REQUESTS_PARTITION,
  CALL_ROW_KEY,
  callRequestRowKey,
  LIVE_CALLS_PARTITION,
  PARTICIPANT_END,
  PARTICIPANT_PREFIX,
  participantRowKey,
} from './keys';
import { byKeys, firstRows, keyRange, keySpan, MAX_KEYS_PER_QUERY } from './rowQueries';
import { isNotFound, isPreconditionFailed } from './storageErrors';
import type { Tables } from './tableClients';
import { entityWireBytes, toTransactionBatches } from './transactionBatches';

/**
 * Rows of the roster table (partition = canonical call id): `kind: "participant"`, row
 * `p:` + escaped participant key, the participant's JSON in chunks, its primary `identityId`,
 * `present` (false once Graph reported it deleted), `isInLobby` and the `digest` of all that;
 * and one `kind: "call"` row `call` with the call's state. One participant changing writes its own row and nothing else:
 * the roster's lastModifiedDateTime is the latest of its rows'.
 */
export class RosterRepository implements RosterStore, CallStore {
  /** One participant's change, written together with the others of its call in the same turn. */
  // With a time limit: the call's next batch waits for this one, so a request that never
  // answered would hold every later change of the call up (a timeout is a fault: 503, redelivered).
  private readonly singleRows = new CoalescedUpserts({
    upsert: async ([entity, mode]) => {
      await (await this.client()).upsertEntity(entity, mode, { requestOptions: { timeout: BATCH_TIMEOUT_MS } });
    },
    transaction: async (writes) => {
      await (
        await this.client()
      ).submitTransaction(
        writes.map(([e, mode]): TransactionAction => ['upsert', e, mode]),
        { requestOptions: { timeout: BATCH_TIMEOUT_MS } },
      );
    },
  });

  constructor(private readonly tables: () => Promise<Tables>) {}

  private async client(): Promise<TableClient> {
    return (await this.tables()).roster;
  }

  /**
   * `created`/`updated` store the listed participants as present; `deleted` keeps them as
   * departed (a tombstone: the roster no longer shows them, an invitee's outcome becomes `left`).
   */
  async applyChange(callId: string, changeType: ChangeType, entries: RosterEntry[], now: string): Promise<void> {
    const client = await this.client();
    // One notification may list a participant twice; a transaction may name a row once.
    const unique = [...new Map(entries.map((e) => [e.key, e])).values()];
    const present = changeType !== 'deleted';
    if (unique.length === 0) {
      // Nothing to store for anyone, but the call has now been seen (its roster route answers 200).
      await client.upsertEntity(
        { partitionKey: callId, rowKey: CALL_ROW_KEY, kind: 'call', lastModifiedDateTime: now },
        'Merge',
      );
      return;
    }
    const writes = unique.map((e) => toParticipantWrite(callId, e, present, now));
    if (writes.length === 1) {
      // For one participant a read would cost what the write it might save costs: write.
      await this.singleRows.upsert(writes[0]!);
      return;
    }
    const changed = await this.changedOnly(client, callId, writes);
    for (const group of toTransactionBatches(changed, ([entity]) => entityWireBytes(entity))) {
      await client.submitTransaction(group.map(([entity, mode]): TransactionAction => ['upsert', entity, mode]));
    }
  }

  /**
   * The writes whose rows would change. A join burst arrives as notifications of up to 100
   * participants, redelivered and repeated; one read of the rows' digests saves the rewrite of
   * everyone a repeat names, so entity writes stay those that change a participant. Up to 12
   * participants are read by key (one filter holds 15 comparisons), more by the range their keys
   * span. A row also counts as changed when its `present` differs: a departure merged by an
   * older version of the service left the digest of the row it merged into. As before, Graph
   * does not sequence roster notifications: of two that change one participant at the same time,
   * the one whose read or write reaches storage last decides.
   */
  private async changedOnly(client: TableClient, callId: string, writes: ParticipantWrite[]) {
    const rowKeys = writes.map(([entity]) => entity.rowKey).sort();
    const filter = rowKeys.length <= MAX_KEYS_PER_QUERY ? byKeys(callId, rowKeys) : keySpan(callId, rowKeys);
    const stored = new Map<string, { digest?: string; present?: boolean }>();
    for await (const e of client.listEntities<{ digest?: string; present?: boolean }>({
      queryOptions: { filter, select: ['RowKey', 'digest', 'present'] },
    }))
      stored.set(e.rowKey!, e);
    return writes.filter(([entity]) => {
      const row = stored.get(entity.rowKey);
      return row?.digest !== entity.digest || row.present !== entity.present;
    });
  }

  /** Who of the given identities is, or was, in the calls' rosters (any identity kind). */
  async presence(callIds: string[], identityIds: string[]): Promise<PresenceEntry[]> {
    if (identityIds.length === 0) return [];
    const client = await this.client();
    const found: PresenceEntry[] = [];
    // A filter may hold 15 comparisons: the partition, the participant rows' key range, and the
    // ids in groups of 10.
    for (const callId of callIds) {
      for (let i = 0; i < identityIds.length; i += 10) {
        const ids = identityIds
          .slice(i, i + 10)
          .map((id) => odata`identityId eq ${id}`)
          .join(' or ');
        const filter = `${keyRange(callId, PARTICIPANT_PREFIX, PARTICIPANT_END)} and (${ids})`;
        for await (const e of client.listEntities<Record<string, unknown>>({
          queryOptions: { filter, select: ['identityId', 'present', 'isInLobby', 'lastModifiedDateTime'] },
        })) {
          found.push({
            callId,
            identityId: String(e.identityId),
            present: e.present !== false,
            isInLobby: e.isInLobby === true,
            lastModifiedDateTime: String(e.lastModifiedDateTime),
          });
        }
      }
    }
    return found;
  }

  async getCall(callId: string): Promise<Versioned<CallRecord> | undefined> {
    const client = await this.client();
    try {
      const e = await client.getEntity<Record<string, unknown>>(callId, CALL_ROW_KEY);
      return { value: fromCallEntity(e), etag: e.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
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

  async recordStartedCall(callId: string, started: StartedCall, now: string, live: boolean): Promise<void> {
    const client = await this.client();
    // The live-call index first: a call Graph started is kept alive even if the row write after it fails.
    if (live)
      await client.upsertEntity(
        {
          partitionKey: LIVE_CALLS_PARTITION,
          rowKey: callId,
          kind: 'liveCall',
          callId,
          lastKeepAliveAt: now,
          lastModifiedDateTime: now,
        },
        'Replace',
      );
    await client.upsertEntity(
      {
        partitionKey: callId,
        rowKey: CALL_ROW_KEY,
        kind: 'call',
        startedByService: true,
        clientContext: started.clientContext,
        ...toChunks('startedWith', started.startedWith),
        createdDateTime: started.createdDateTime,
        callbackUrl: started.callbackUrl ?? '',
        lastModifiedDateTime: now,
      },
      'Merge',
    );
  }

  async getCallRequest(clientContext: string): Promise<Versioned<CallRequestRecord> | undefined> {
    const client = await this.client();
    try {
      const e = await client.getEntity<Record<string, unknown>>(
        CALL_REQUESTS_PARTITION,
        callRequestRowKey(clientContext),
      );
      return { value: fromCallRequestEntity(e), etag: e.etag };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
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

  async liveCalls(): Promise<string[]> {
    const client = await this.client();
    const ids: string[] = [];
    const filter = odata`PartitionKey eq ${LIVE_CALLS_PARTITION}`;
    for await (const e of client.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) ids.push(e.rowKey!);
    return ids;
  }

  async claimKeepAlive(callId: string, now: string, minIntervalMs: number): Promise<boolean> {
    const client = await this.client();
    let row;
    try {
      row = await client.getEntity<{ lastKeepAliveAt?: string }>(LIVE_CALLS_PARTITION, callId);
    } catch (err) {
      if (isNotFound(err)) return false; // it ended meanwhile
      throw err;
    }
    if (row.lastKeepAliveAt && Date.parse(now) - Date.parse(row.lastKeepAliveAt) < minIntervalMs) return false;
    try {
      await client.updateEntity(
        { partitionKey: LIVE_CALLS_PARTITION, rowKey: callId, lastKeepAliveAt: now, lastModifiedDateTime: now },
        'Merge',
        { etag: row.etag },
      );
      return true;
    } catch (err) {
      if (isPreconditionFailed(err) || isNotFound(err)) return false; // another instance took it
      throw err;
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

  async releaseReject(callId: string): Promise<void> {
    await (await this.client()).updateEntity({ partitionKey: callId, rowKey: CALL_ROW_KEY, rejectedAt: '' }, 'Merge');
  }

  async rosterPage(callId: string, top: number, after?: string): Promise<RosterPage> {
    const client = await this.client();
    // The whole roster's latest change, from a pass over one column; the page, from a range of keys.
    const summary = (async () => {
      let lastModified = '';
      let rows = 0;
      for await (const e of client.listEntities<{ lastModifiedDateTime?: string }>({
        queryOptions: { filter: odata`PartitionKey eq ${callId}`, select: ['lastModifiedDateTime'] },
      })) {
        rows++;
        if (typeof e.lastModifiedDateTime === 'string' && e.lastModifiedDateTime > lastModified)
          lastModified = e.lastModifiedDateTime;
      }
      return { lastModified, rows };
    })();
    const present = `${keyRange(callId, PARTICIPANT_PREFIX, PARTICIPANT_END, after)} and ${odata`present eq ${true}`}`;
    const page = firstRows<Record<string, unknown>>(client, present, top);
    const [{ lastModified, rows }, participants, call] = await Promise.all([summary, page, this.getCall(callId)]);
    return {
      call: call?.value,
      entries: participants
        .slice(0, top)
        .map((e) => ({ key: String(e.key), participant: fromChunks<Participant>(e, 'participant') ?? {} })),
      next: participants.length > top ? String(participants[top]!.rowKey) : undefined,
      lastModifiedDateTime: lastModified || null,
      known: rows > 0,
    };
  }
}

/**
 * How one participant's row is written. A departure that names only the participant id (a
 * published shape) is merged into the stored row, so the identity it had stays known (an
 * invitee's outcome becomes `left`, not `pending`); anything else replaces the row.
 */
const BATCH_TIMEOUT_MS = 10_000;

/** A participant's row and how it is written; `digest` is what the row says (digestOf). */
type ParticipantWrite = [TableEntity<{ digest: string } & Record<string, unknown>>, 'Merge' | 'Replace'];

function toParticipantWrite(callId: string, entry: RosterEntry, present: boolean, now: string): ParticipantWrite {
  if (!present && !primaryIdentity(entry.participant.info?.identity)) {
    const departure = {
      partitionKey: callId,
      rowKey: participantRowKey(entry.key),
      kind: 'participant',
      key: entry.key,
      present,
    };
    return [{ ...departure, digest: digestOf(departure), lastModifiedDateTime: now }, 'Merge'];
  }
  return [toParticipantEntity(callId, entry, present, now), 'Replace'];
}

function toParticipantEntity(callId: string, entry: RosterEntry, present: boolean, now: string) {
  const row = {
    partitionKey: callId,
    rowKey: participantRowKey(entry.key),
    kind: 'participant',
    key: entry.key,
    identityId: primaryIdentity(entry.participant.info?.identity)?.id ?? '',
    present,
    isInLobby: entry.participant.isInLobby === true,
    ...toChunks('participant', entry.participant),
  };
  return { ...row, digest: digestOf(row), lastModifiedDateTime: now };
}

/** What a participant's row says, apart from when it was written: equal digests, nothing to write. */
const digestOf = (row: object) => createHash('sha256').update(JSON.stringify(row)).digest('base64url').slice(0, 22);

function fromCallEntity(e: Record<string, unknown>): CallRecord {
  return {
    state: fromText(e.state),
    resultInfo: fromJsonText<ResultInfo>(e.resultInfo),
    lastModifiedDateTime: fromText(e.lastModifiedDateTime),
    ...(e.startedByService === true
      ? {
          started: {
            clientContext: String(e.clientContext),
            startedWith: fromChunks<StartedWith>(e, 'startedWith')!,
            createdDateTime: String(e.createdDateTime),
            callbackUrl: fromText(e.callbackUrl),
          },
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
    clientContext: r.clientContext,
    requestHash: r.requestHash,
    callId: r.callId ?? '',
    sendingSince: r.sendingSince ?? '',
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.createdDateTime,
    ...toChunks('startedWith', r.startedWith),
    callbackUrl: r.callbackUrl ?? '',
  };
}

function fromCallRequestEntity(e: Record<string, unknown>): CallRequestRecord {
  return {
    clientContext: String(e.clientContext),
    requestHash: String(e.requestHash),
    callId: fromText(e.callId),
    sendingSince: fromText(e.sendingSince),
    createdDateTime: String(e.createdDateTime),
    startedWith: fromChunks<StartedWith>(e, 'startedWith')!,
    callbackUrl: fromText(e.callbackUrl),
  };
}
