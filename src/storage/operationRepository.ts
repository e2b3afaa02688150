import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';

import type { InviteContextRecord, OperationRecord } from '../operations/operationRecord';
import type { OperationStore, RowWrite, Versioned } from '../operations/operationStore';
import {
  inviteContextRowKey,
  OPERATION_ORDER_END,
  OPERATION_ORDER_PREFIX,
  operationRowKey,
  ORDER_INDEXED_ROW_KEY,
  webhookDueRowKey,
  WEBHOOKS_DUE_PARTITION,
} from './keys';
import {
  fromInviteContextEntity,
  fromOperationEntity,
  toAliasEntity,
  toInviteContextEntity,
  toOperationEntity,
  toOrderEntity,
  toOrderIndexedEntity,
} from './operationEntities';
import { byKeys, firstRows, keyRange, MAX_KEYS_PER_QUERY, rowOrNone } from './rowQueries';
import { isNotFound } from './storageErrors';
import type { Tables } from './tableClients';
import { submitTransaction } from './tableTransaction';
import { toTransactionBatches } from './transactionBatches';

/** The operations table (see operationEntities.ts for its rows). */
export class OperationRepository implements OperationStore {
  constructor(private readonly tables: () => Promise<Tables>) {}

  private async client() {
    return (await this.tables()).operations;
  }

  private async read(callId: string, rowKey: string) {
    return rowOrNone<Record<string, unknown>>(await this.client(), callId, rowKey);
  }

  /** The operation kept under this id, or under the id Graph's id is an alias of. */
  async get(callId: string, operationId: string): Promise<Versioned<OperationRecord> | undefined> {
    let e = await this.read(callId, operationRowKey(operationId));
    if (e?.kind === 'alias') e = await this.read(callId, operationRowKey(String(e.aliasOf)));
    return e && { value: fromOperationEntity(e), etag: e.etag };
  }

  async getInviteContext(callId: string, clientContext: string): Promise<Versioned<InviteContextRecord> | undefined> {
    const e = await this.read(callId, inviteContextRowKey(clientContext));
    return e && { value: fromInviteContextEntity(e), etag: e.etag };
  }

  async listPage(
    callId: string,
    top: number,
    after?: string,
  ): Promise<{ operations: OperationRecord[]; next?: string }> {
    const client = await this.client();
    if (!after) await this.indexOlderOperations(client, callId);
    const filter = keyRange(callId, OPERATION_ORDER_PREFIX, OPERATION_ORDER_END, after);
    const rows = await firstRows<{ operationRowKey?: string }>(client, filter, top, ['RowKey', 'operationRowKey']);
    const page = rows.slice(0, top);
    const found = await this.readRows(
      callId,
      page.map((order) => String(order.operationRowKey)),
    );
    const listed = page.map((order) => {
      const e = found.get(String(order.operationRowKey));
      return { order, operation: e?.kind === 'operation' ? fromOperationEntity(e) : undefined };
    });
    // An order row whose operation is gone (retention and the indexer below crossing) is passed
    // over and removed: nothing else would ever select it, and it would keep the call known.
    const orphans = listed.filter(({ operation }) => !operation);
    await Promise.all(orphans.map(({ order }) => client.deleteEntity(callId, order.rowKey!).catch(() => undefined)));
    return {
      operations: listed.flatMap(({ operation }) => operation ?? []),
      next: rows[top]?.rowKey,
    };
  }

  /**
   * Gives the call's operations stored by a version without paging their order rows, once: the
   * first page of a call checks for the row saying it was done (one read) and, without it, reads
   * the call's operations and order rows (keys only) and writes the missing ones. A call with no
   * operations gets no such row, so an unknown call stays unknown.
   */
  private async indexOlderOperations(client: TableClient, callId: string): Promise<void> {
    if (await this.read(callId, ORDER_INDEXED_ROW_KEY)) return;
    const ordered = new Set<string>();
    const orderFilter = keyRange(callId, OPERATION_ORDER_PREFIX, OPERATION_ORDER_END);
    for await (const e of client.listEntities({ queryOptions: { filter: orderFilter, select: ['RowKey'] } }))
      ordered.add(e.rowKey!);
    const missing: TableEntity[] = [];
    let lastModified = '';
    const filter = odata`PartitionKey eq ${callId} and kind eq ${'operation'}`;
    for await (const e of client.listEntities<
      Record<'operationId' | 'createdDateTime' | 'lastModifiedDateTime', string>
    >({
      queryOptions: { filter, select: ['operationId', 'createdDateTime', 'lastModifiedDateTime'] },
    })) {
      if (e.lastModifiedDateTime > lastModified) lastModified = e.lastModifiedDateTime;
      const order = toOrderEntity({ callId, id: String(e.operationId), createdDateTime: String(e.createdDateTime) });
      if (!ordered.has(order.rowKey)) missing.push(order);
    }
    if (!lastModified) return;
    for (const group of toTransactionBatches(missing, () => 0))
      await submitTransaction(
        client,
        group.map((entity): TransactionAction => ['upsert', entity, 'Replace']),
      );
    await client.upsertEntity(toOrderIndexedEntity(callId, lastModified), 'Replace');
  }

  /**
   * Rows of one partition by key, in parallel lookups of sorted groups of keys (rowQueries.byKeys):
   * one pass over the partition in all, whatever the page size, in 1/12 of the transactions point
   * reads would take.
   */
  private async readRows(callId: string, rowKeys: string[]): Promise<Map<string, Record<string, unknown>>> {
    const client = await this.client();
    const found = new Map<string, Record<string, unknown>>();
    const sorted = [...new Set(rowKeys)].sort();
    const groups: string[][] = [];
    for (let i = 0; i < sorted.length; i += MAX_KEYS_PER_QUERY) groups.push(sorted.slice(i, i + MAX_KEYS_PER_QUERY));
    await Promise.all(
      groups.map(async (group) => {
        for await (const e of client.listEntities<Record<string, unknown>>({
          queryOptions: { filter: byKeys(callId, group) },
        }))
          found.set(e.rowKey!, e);
      }),
    );
    return found;
  }

  /**
   * The invites that read the rosters of these calls: those made in them, and those that replaced
   * one of them (`replacesCallId`), found by the property naming it — a scan, which retention alone runs.
   */
  async invitesReadingRosters(callIds: Iterable<string>): Promise<OperationRecord[]> {
    const client = await this.client();
    const wanted = new Set(callIds);
    const found = new Map<string, OperationRecord>();
    const add = (e: Record<string, unknown>) =>
      found.set(`${String(e.callId)} ${String(e.operationId)}`, fromOperationEntity(e));
    for (const callId of wanted) {
      const filter = odata`PartitionKey eq ${callId} and kind eq ${'operation'} and type eq ${'inviteParticipantsOperation'}`;
      for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) add(e);
    }
    if (wanted.size === 0) return [];
    for await (const e of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`replacesCallIds ne ${''}` },
    })) {
      if (
        String(e.replacesCallIds)
          .split(',')
          .some((id) => wanted.has(id))
      )
        add(e);
    }
    return [...found.values()];
  }

  async hasAny(callId: string): Promise<boolean> {
    const client = await this.client();
    const page = client
      .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${callId}`, select: ['RowKey'] } })
      .byPage({ maxPageSize: 1 });
    for await (const rows of page) return rows.length > 0;
    return false;
  }

  /**
   * The index of operations whose completion webhook is not finished, so a sweep finds a delivery
   * whose queue message was lost without scanning every operation. Written before the delivery is
   * queued, removed once it ends; a row whose operation has nothing to deliver is just removed.
   */
  async markWebhookDue(callId: string, operationId: string, now: string): Promise<void> {
    const client = await this.client();
    const rowKey = webhookDueRowKey(callId, operationId);
    await client.upsertEntity(
      {
        partitionKey: WEBHOOKS_DUE_PARTITION,
        rowKey,
        kind: 'webhookDue',
        callId,
        operationId,
        lastModifiedDateTime: now,
      },
      'Replace',
    );
  }

  async clearWebhookDue(callId: string, operationId: string): Promise<void> {
    const client = await this.client();
    try {
      await client.deleteEntity(WEBHOOKS_DUE_PARTITION, webhookDueRowKey(callId, operationId));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async webhooksDue(): Promise<Array<{ callId: string; operationId: string; markedAt: string }>> {
    const client = await this.client();
    const due: Array<{ callId: string; operationId: string; markedAt: string }> = [];
    const filter = odata`PartitionKey eq ${WEBHOOKS_DUE_PARTITION}`;
    const select = ['callId', 'operationId', 'lastModifiedDateTime'];
    for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) {
      due.push({
        callId: String(e.callId),
        operationId: String(e.operationId),
        markedAt: String(e.lastModifiedDateTime),
      });
    }
    return due;
  }

  /** Creates the invite's row; throws a 409 RestError when it exists already. Returns the ETag. */
  async createInviteContext(record: InviteContextRecord): Promise<string> {
    const client = await this.client();
    const res = await client.createEntity(toInviteContextEntity(record));
    return res.etag ?? '';
  }

  /** Replaces the invite's row if unchanged since read (else a 412 RestError). Returns the new ETag. */
  async updateInviteContext(record: InviteContextRecord, etag: string): Promise<string> {
    const client = await this.client();
    const res = await client.updateEntity(toInviteContextEntity(record), 'Replace', { etag });
    return res.etag ?? '';
  }

  async deleteInviteContext(record: InviteContextRecord, etag: string): Promise<void> {
    const client = await this.client();
    try {
      await client.deleteEntity(record.callId, inviteContextRowKey(record.clientContext), { etag });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Writes an operation and/or its invite row atomically (same partition), with the alias row of
   * Graph's id when the operation is kept under another. Each row is created
   * when it has no ETag and replaced only if unchanged since read otherwise; a 409 or 412 RestError
   * tells the caller to read again and retry.
   */
  async save(writes: {
    operation?: RowWrite<OperationRecord>;
    context?: RowWrite<InviteContextRecord>;
  }): Promise<void> {
    const actions: TransactionAction[] = [];
    const operation = writes.operation?.value;
    if (writes.operation) actions.push(toAction(toOperationEntity(writes.operation.value), writes.operation.etag));
    // A new operation takes its place in the call's newest-first order.
    if (operation && writes.operation?.etag === undefined)
      actions.push(['upsert', toOrderEntity(operation), 'Replace']);
    if (writes.context) actions.push(toAction(toInviteContextEntity(writes.context.value), writes.context.etag));
    // An operation kept under the service's own id answers to Graph's too, once Graph's id is known.
    if (operation?.graphOperationId && operation.graphOperationId !== operation.id) {
      actions.push(['upsert', toAliasEntity(operation), 'Replace']);
    }
    if (actions.length > 0) await submitTransaction(await this.client(), actions);
  }
}

function toAction(entity: TransactionAction[1], etag: string | undefined): TransactionAction {
  return etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }];
}
