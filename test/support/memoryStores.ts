import type { CallRequestRecord, StartedCall } from '../../src/calls/callRecords';
import type { CallStore, KeepAliveTiming, LiveCall } from '../../src/calls/callStore';
import { replacedCallsOf } from '../../src/invitees/inviteeOutcomes';
import type { InviteContextRecord, OperationRecord, WebhookState } from '../../src/operations/operationRecord';
import type { OperationStore, RowWrite, Versioned } from '../../src/operations/operationStore';
import { primaryIdentity } from '../../src/roster/participantKey';
import type { RosterCommit } from '../../src/roster/rosterCommits';
import { emptyRosterHead, type HeadRead, type RosterHead } from '../../src/roster/rosterHead';
import type { CallRecord, PresenceEntry, RosterEntry, RosterPage } from '../../src/roster/rosterRecord';
import type { RosterStore } from '../../src/roster/rosterStore';
import type { CallEventBody } from '../../src/schemas/responses';
import { participantRowKey } from '../../src/storage/keys';
import { inviteContextRowKey, operationOrderKey, operationRowKey } from '../../src/storage/keys';
import type {
  AllCallsSubscriptionRecord,
  CallSubscriptionRecord,
  EventSubscriptionStore,
} from '../../src/webhooks/eventSubscriptions';
import type { WebhookMessage, WebhookScheduler } from '../../src/webhooks/webhookScheduler';

/** Fails as the Tables SDK does: a RestError with the status storageErrors.ts sorts by. */
export const restError = (statusCode: number, code: string) =>
  Object.assign(new Error(code), { name: 'RestError', statusCode, code });
const exists = () => restError(409, 'EntityAlreadyExists');
const changed = () => restError(412, 'UpdateConditionNotSatisfied');

type Row =
  | { kind: 'operation'; value: OperationRecord }
  | { kind: 'context'; value: InviteContextRecord }
  | { kind: 'alias'; of: string };

/**
 * The operations table in memory, with the semantics the use cases rely on: ETags on every row,
 * create-if-absent (409), replace-if-unchanged (412), all-or-nothing transactions, alias rows.
 * Values are copied in and out, so a test never shares an object with the store.
 */
export class MemoryOperationStore implements OperationStore {
  private readonly rows = new Map<string, { row: Row; etag: string }>();
  private readonly due = new Map<string, { callId: string; operationId: string; markedAt: string }>();
  private version = 0;
  /** Every write, for tests that count them. */
  writes = 0;

  private key = (callId: string, rowKey: string) => `${callId} ${rowKey}`;
  private nextEtag = () => `W/"${++this.version}"`;

  async get(callId: string, operationId: string): Promise<Versioned<OperationRecord> | undefined> {
    let found = this.rows.get(this.key(callId, operationRowKey(operationId)));
    if (found?.row.kind === 'alias') found = this.rows.get(this.key(callId, operationRowKey(found.row.of)));
    return found?.row.kind === 'operation' ? { value: structuredClone(found.row.value), etag: found.etag } : undefined;
  }

  async getInviteContext(callId: string, clientContext: string): Promise<Versioned<InviteContextRecord> | undefined> {
    const found = this.rows.get(this.key(callId, inviteContextRowKey(clientContext)));
    return found?.row.kind === 'context' ? { value: structuredClone(found.row.value), etag: found.etag } : undefined;
  }

  /** Newest first by the order key the table keeps (keys.ts), positions being those keys, as there. */
  async listPage(
    callId: string,
    top: number,
    after?: string,
  ): Promise<{ operations: OperationRecord[]; next?: string }> {
    const ordered = [...this.rows]
      .filter(([key]) => key.startsWith(`${callId} `))
      .flatMap(([, { row }]) =>
        row.kind === 'operation'
          ? [{ at: operationOrderKey(row.value.createdDateTime, row.value.id), op: row.value }]
          : [],
      )
      .filter(({ at }) => !after || at >= after)
      .sort((a, b) => a.at.localeCompare(b.at));
    return {
      operations: ordered.slice(0, top).map(({ op }) => structuredClone(op)),
      next: ordered[top]?.at,
    };
  }

  async hasAny(callId: string): Promise<boolean> {
    return [...this.rows.keys()].some((key) => key.startsWith(`${callId} `));
  }

  async invitesReadingRosters(callIds: Iterable<string>): Promise<OperationRecord[]> {
    const wanted = new Set(callIds);
    return [...this.rows.values()].flatMap(({ row }) =>
      row.kind === 'operation' &&
      row.value.type === 'inviteParticipantsOperation' &&
      (wanted.has(row.value.callId) || replacedCallsOf(row.value).some((id) => wanted.has(id)))
        ? [structuredClone(row.value)]
        : [],
    );
  }

  async createInviteContext(record: InviteContextRecord): Promise<string> {
    return this.transact([
      {
        key: this.key(record.callId, inviteContextRowKey(record.clientContext)),
        row: { kind: 'context', value: record },
      },
    ])[0]!;
  }

  async updateInviteContext(record: InviteContextRecord, etag: string): Promise<string> {
    const key = this.key(record.callId, inviteContextRowKey(record.clientContext));
    if (!this.rows.has(key)) throw restError(404, 'ResourceNotFound');
    return this.transact([{ key, row: { kind: 'context', value: record }, etag }])[0]!;
  }

  async deleteInviteContext(record: InviteContextRecord, etag: string): Promise<void> {
    const key = this.key(record.callId, inviteContextRowKey(record.clientContext));
    const found = this.rows.get(key);
    if (!found) return;
    if (found.etag !== etag) throw changed();
    this.rows.delete(key);
    this.writes++;
  }

  async save(writes: {
    operation?: RowWrite<OperationRecord>;
    context?: RowWrite<InviteContextRecord>;
  }): Promise<void> {
    const actions: Array<{ key: string; row: Row; etag?: string; upsert?: boolean }> = [];
    const op = writes.operation;
    if (op)
      actions.push({
        key: this.key(op.value.callId, operationRowKey(op.value.id)),
        row: { kind: 'operation', value: op.value },
        etag: op.etag,
      });
    if (writes.context) {
      const { value, etag } = writes.context;
      actions.push({
        key: this.key(value.callId, inviteContextRowKey(value.clientContext)),
        row: { kind: 'context', value },
        etag,
      });
    }
    if (op?.value.graphOperationId && op.value.graphOperationId !== op.value.id) {
      actions.push({
        key: this.key(op.value.callId, operationRowKey(op.value.graphOperationId)),
        row: { kind: 'alias', of: op.value.id },
        upsert: true,
      });
    }
    this.transact(actions);
  }

  async markWebhookDue(callId: string, operationId: string, now: string): Promise<void> {
    this.due.set(`${callId} ${operationId}`, { callId, operationId, markedAt: now });
  }

  async clearWebhookDue(callId: string, operationId: string): Promise<void> {
    this.due.delete(`${callId} ${operationId}`);
  }

  async webhooksDue() {
    return [...this.due.values()];
  }

  /** Checks every action's condition, then applies all of them, or none. Returns the new ETags. */
  private transact(actions: Array<{ key: string; row: Row; etag?: string; upsert?: boolean }>): string[] {
    for (const { key, etag, upsert } of actions) {
      const found = this.rows.get(key);
      if (upsert) continue;
      if (etag === undefined && found) throw exists();
      if (etag !== undefined && found?.etag !== etag) throw changed();
    }
    this.writes++;
    return actions.map(({ key, row }) => {
      const etag = this.nextEtag();
      this.rows.set(key, { row: structuredClone(row), etag });
      return etag;
    });
  }
}

interface ParticipantRow {
  entry: RosterEntry;
  identityId: string;
  present: boolean;
  lastModifiedDateTime: string;
}

const cloneHead = (head: RosterHead): RosterHead => ({
  ...structuredClone({ ...head, members: undefined }),
  members: new Map([...head.members].map(([k, v]) => [k, { ...v }])),
});

/** The roster table in memory, with its calls, as src/storage/rosterRepository.ts keeps them. */
export class MemoryRosterStore implements RosterStore, CallStore, EventSubscriptionStore {
  private readonly participants = new Map<string, Map<string, ParticipantRow>>();
  private readonly subscriptions = new Map<string, { value: CallSubscriptionRecord; etag: string }>();
  private readonly allCalls = new Map<string, AllCallsSubscriptionRecord>();
  private readonly heads = new Map<string, { head: RosterHead; etag: string }>();
  private readonly events = new Map<string, Map<number, CallEventBody>>();
  private readonly calls = new Map<string, { value: CallRecord; etag: string }>();
  private readonly requests = new Map<string, { value: CallRequestRecord; etag: string }>();
  /** The live-call index: call id -> Graph's form of it, its last successful keep-alive and the claim of the next. */
  readonly live = new Map<string, { graphCallId: string; lastKeepAliveAt: string; claimedAt?: string }>();
  /** Rows written by roster commits (head, participants, events), for tests that count them. */
  rosterWrites = 0;
  /** Makes the next commit fail with this error instead of writing (a fault between read and write). */
  failNextCommit?: Error;
  private version = 0;

  private of(callId: string) {
    let rows = this.participants.get(callId);
    if (!rows) this.participants.set(callId, (rows = new Map()));
    return rows;
  }

  async readHead(callId: string): Promise<HeadRead> {
    const found = this.heads.get(callId);
    return found ? { head: cloneHead(found.head), etag: found.etag } : { head: emptyRosterHead() };
  }

  async commit(callId: string, commit: RosterCommit, etag: string | undefined): Promise<string> {
    const found = this.heads.get(callId);
    if (this.failNextCommit) {
      const err = this.failNextCommit;
      this.failNextCommit = undefined;
      throw err;
    }
    if (etag === undefined && found) throw exists();
    if (etag !== undefined && found?.etag !== etag) throw changed();
    const now = commit.head.lastModifiedDateTime ?? '';
    const rows = this.of(callId);
    for (const write of commit.participants) {
      const before = rows.get(write.key);
      if (!write.entry) {
        rows.set(write.key, {
          entry: before?.entry ?? { key: write.key, participant: { id: write.key } },
          identityId: before?.identityId ?? '',
          present: false,
          lastModifiedDateTime: now,
        });
        continue;
      }
      rows.set(write.key, {
        entry: structuredClone(write.entry),
        identityId: primaryIdentity(write.entry.participant.info?.identity)?.id ?? '',
        present: true,
        lastModifiedDateTime: now,
      });
    }
    let events = this.events.get(callId);
    if (!events) this.events.set(callId, (events = new Map()));
    for (const event of commit.events) events.set(event.sequence, structuredClone(event));
    for (const record of commit.subscriptions?.create ?? [])
      this.subscriptions.set(`${callId} ${record.id}`, { value: structuredClone(record), etag: `${++this.version}` });
    for (const id of commit.subscriptions?.remove ?? []) {
      const found = this.subscriptions.get(`${callId} ${id}`);
      if (found)
        this.subscriptions.set(`${callId} ${id}`, {
          value: { ...found.value, ended: true },
          etag: `${++this.version}`,
        });
    }
    const next = `${++this.version}`;
    this.heads.set(callId, { head: cloneHead(commit.head), etag: next });
    this.rosterWrites += 1 + commit.participants.length + commit.events.length;
    return next;
  }

  async identitiesOf(callId: string, keys: string[]): Promise<Map<string, Record<string, unknown>>> {
    const rows = this.of(callId);
    return new Map(
      keys.flatMap((key) => {
        const identity = rows.get(key)?.entry.participant.info?.identity;
        return identity ? [[key, structuredClone(identity) as Record<string, unknown>]] : [];
      }),
    );
  }

  async getCallSubscription(callId: string, id: string): Promise<Versioned<CallSubscriptionRecord> | undefined> {
    const found = this.subscriptions.get(`${callId} ${id}`);
    return found && { value: structuredClone(found.value), etag: found.etag };
  }

  async saveCallSubscription(record: CallSubscriptionRecord, etag: string): Promise<void> {
    const key = `${record.callId} ${record.id}`;
    if (this.subscriptions.get(key)?.etag !== etag) throw changed();
    this.subscriptions.set(key, { value: structuredClone(record), etag: `${++this.version}` });
  }

  async allCallsSubscriptions(): Promise<AllCallsSubscriptionRecord[]> {
    return [...this.allCalls.values()].map((r) => structuredClone(r));
  }

  async getAllCallsSubscription(id: string): Promise<AllCallsSubscriptionRecord | undefined> {
    const found = this.allCalls.get(id);
    return found && structuredClone(found);
  }

  async createAllCallsSubscription(record: AllCallsSubscriptionRecord): Promise<void> {
    if (this.allCalls.has(record.id)) throw exists();
    this.allCalls.set(record.id, structuredClone(record));
  }

  async deleteAllCallsSubscription(id: string): Promise<boolean> {
    return this.allCalls.delete(id);
  }

  async eventsPage(callId: string, after: number, top: number) {
    const all = [...(this.events.get(callId)?.values() ?? [])]
      .filter((e) => e.sequence > after)
      .sort((a, b) => a.sequence - b.sequence);
    const events = all.slice(0, top).map((e) => structuredClone(e));
    return { events, next: all.length > top ? events.at(-1)!.sequence : undefined, known: this.heads.has(callId) };
  }

  async presence(callIds: string[], identityIds: string[]): Promise<PresenceEntry[]> {
    return callIds.flatMap((callId) =>
      [...this.of(callId).values()]
        .filter((row) => identityIds.includes(row.identityId))
        .map((row) => ({
          callId,
          identityId: row.identityId,
          present: row.present,
          isInLobby: row.entry.participant.isInLobby === true,
          lastModifiedDateTime: row.lastModifiedDateTime,
        })),
    );
  }

  async getCall(callId: string): Promise<Versioned<CallRecord> | undefined> {
    const found = this.calls.get(callId);
    return found && { value: structuredClone(found.value), etag: found.etag };
  }

  async saveCall(callId: string, call: CallRecord, etag: string | undefined): Promise<void> {
    const found = this.calls.get(callId);
    if (etag === undefined && found) throw exists();
    if (etag !== undefined && found?.etag !== etag) throw changed();
    this.calls.set(callId, { value: structuredClone(call), etag: `${++this.version}` });
  }

  async recordStartedCall(callId: string, started: StartedCall, now: string, live: boolean): Promise<void> {
    if (live) this.live.set(callId, { graphCallId: started.graphCallId ?? callId, lastKeepAliveAt: now });
    const found = this.calls.get(callId);
    const value: CallRecord = {
      state: null,
      resultInfo: null,
      ...found?.value,
      started: structuredClone(started),
      lastModifiedDateTime: now,
    };
    this.calls.set(callId, { value, etag: `${++this.version}` });
  }

  async getCallRequest(clientContext: string): Promise<Versioned<CallRequestRecord> | undefined> {
    const found = this.requests.get(clientContext);
    return found && { value: structuredClone(found.value), etag: found.etag };
  }

  async createCallRequest(record: CallRequestRecord): Promise<string> {
    if (this.requests.has(record.clientContext)) throw exists();
    const etag = `${++this.version}`;
    this.requests.set(record.clientContext, { value: structuredClone(record), etag });
    return etag;
  }

  async updateCallRequest(record: CallRequestRecord, etag: string): Promise<string> {
    if (this.requests.get(record.clientContext)?.etag !== etag) throw changed();
    const next = `${++this.version}`;
    this.requests.set(record.clientContext, { value: structuredClone(record), etag: next });
    return next;
  }

  async deleteCallRequest(record: CallRequestRecord, etag: string): Promise<void> {
    const found = this.requests.get(record.clientContext);
    if (!found) return;
    if (found.etag !== etag) throw changed();
    this.requests.delete(record.clientContext);
  }

  async liveCalls(): Promise<LiveCall[]> {
    return [...this.live].map(([callId, { graphCallId }]) => ({ callId, graphCallId }));
  }

  async claimKeepAlive(callId: string, now: string, timing: KeepAliveTiming): Promise<boolean> {
    const row = this.live.get(callId);
    const age = (at: string | undefined) => (at ? Date.parse(now) - Date.parse(at) : Infinity);
    if (!row || age(row.lastKeepAliveAt) < timing.dueAfterMs || age(row.claimedAt) < timing.claimMs) return false;
    row.claimedAt = now;
    return true;
  }

  async recordKeepAlive(callId: string, at: string): Promise<void> {
    const row = this.live.get(callId);
    if (row) this.live.set(callId, { graphCallId: row.graphCallId, lastKeepAliveAt: at });
  }

  async endLive(callId: string): Promise<void> {
    this.live.delete(callId);
  }

  async saveCallWebhook(callId: string, webhook: WebhookState, etag: string): Promise<void> {
    const found = this.calls.get(callId);
    if (found?.etag !== etag) throw changed();
    this.calls.set(callId, { value: { ...found.value, webhook: structuredClone(webhook) }, etag: `${++this.version}` });
  }

  async claimReject(callId: string, now: string): Promise<boolean> {
    const found = this.calls.get(callId);
    if (found?.value.rejectedAt) return false;
    const value: CallRecord = {
      state: null,
      resultInfo: null,
      lastModifiedDateTime: null,
      ...found?.value,
      rejectedAt: now,
    };
    this.calls.set(callId, { value, etag: `${++this.version}` });
    return true;
  }

  async claimAnswer(callId: string, answered: StartedCall, now: string): Promise<boolean> {
    const found = this.calls.get(callId)?.value;
    if (found?.started || found?.state === 'terminated') return false;
    await this.recordStartedCall(callId, answered, now, true);
    return true;
  }

  async releaseAnswer(callId: string): Promise<void> {
    this.live.delete(callId);
    const found = this.calls.get(callId);
    if (!found) return;
    const { started: _released, ...value } = found.value;
    this.calls.set(callId, { value, etag: `${++this.version}` });
  }

  private readonly tenants = new Map<string, string>();
  async bindTenant(callId: string, tenantId: string | undefined): Promise<string | undefined> {
    if (!this.tenants.has(callId) && tenantId) this.tenants.set(callId, tenantId);
    return this.tenants.get(callId);
  }

  async releaseReject(callId: string): Promise<void> {
    const found = this.calls.get(callId);
    if (!found) return;
    const { rejectedAt: _released, ...value } = found.value;
    this.calls.set(callId, { value, etag: `${++this.version}` });
  }

  async rosterPage(callId: string, top: number, after?: string): Promise<RosterPage> {
    const rows = [...this.of(callId).values()];
    const call = this.calls.get(callId)?.value;
    const head = this.heads.get(callId)?.head;
    const times = [head?.lastModifiedDateTime ?? '', call?.lastModifiedDateTime ?? ''].filter(Boolean).sort();
    // In row-key order, as Table Storage pages: the escaped key, compared by UTF-16 code units.
    const present = rows
      .map((r) => ({ r, rowKey: participantRowKey(r.entry.key) }))
      .filter(({ r, rowKey }) => r.present && (!after || rowKey >= after))
      .sort((a, b) => (a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0));
    return {
      call,
      entries: present.slice(0, top).map(({ r }) => structuredClone(r.entry)),
      next: present[top]?.rowKey,
      lastModifiedDateTime: times.at(-1) ?? null,
      known: rows.length > 0 || Boolean(call) || Boolean(head),
    };
  }
}

/** The webhook queue in memory: what was scheduled, and when it is due. */
export class MemoryWebhookQueue implements WebhookScheduler {
  readonly messages: Array<{ message: WebhookMessage; delaySeconds: number }> = [];
  async schedule(message: WebhookMessage, delaySeconds: number): Promise<void> {
    this.messages.push({ message: structuredClone(message), delaySeconds });
  }
}
