import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';

import { loadInvitees } from '../invitees/loadInvitees';
import type { Logger } from '../logger';
import type { ReadDeps } from '../operations/readOperations';
import { retryOnConflict } from '../operations/retryOnConflict';
import {
  ALL_CALLS_SUBSCRIPTIONS_PARTITION,
  operationOrderKey,
  PARTICIPANT_END,
  PARTICIPANT_PREFIX,
  ROSTER_HEAD_ROW_KEY,
  TENANT_ROW_KEY,
} from '../storage/keys';
import { keyRange, rowOrNone } from '../storage/rowQueries';
import { isNotFound, isPreconditionFailed } from '../storage/storageErrors';
import type { Tables } from '../storage/tableClients';
import { submitTransaction } from '../storage/tableTransaction';
import { toTransactionBatches } from '../storage/transactionBatches';
import { logEvent } from '../telemetry';

export interface PurgeDeps extends ReadDeps {
  tables: () => Promise<Tables>;
  log: Logger;
}

export interface PurgeResult {
  operationsRows: number;
  rosterRows: number;
  /** Terminated calls whose rosters were purged in this run. */
  terminatedCalls: number;
}

/** Row keys by partition. */
type Rows = Map<string, string[]>;

/**
 * Deletes what is older than the retention: operation and invite rows, and roster rows (heads,
 * participants, events), last changed before the cutoff; and the participant rows of every call
 * Graph reported `terminated` (its head lists nobody then).
 * History stays as it was read: before roster rows go, the outcomes of the invites that read
 * them are saved on the operations, and a terminated call keeps its call row (its state and
 * resultInfo; `terminated` is final) until it ages out with its operations.
 */
export async function purgeOldRecords(deps: PurgeDeps, cutoff: Date): Promise<PurgeResult> {
  const tables = await deps.tables();
  const before = cutoff.toISOString();
  const { rows: rosterRows, headsDeleted } = await agedRosterRows(tables.roster, before);
  let terminatedCalls = 0;
  const terminated = tables.roster.listEntities({
    queryOptions: { filter: odata`kind eq ${'call'} and state eq ${'terminated'}`, select: ['PartitionKey'] },
  });
  for await (const call of terminated) {
    const participants = await keysWhere(
      tables.roster,
      keyRange(call.partitionKey!, PARTICIPANT_PREFIX, PARTICIPANT_END),
    );
    if (participants.size > 0) terminatedCalls++;
    for (const [partition, keys] of participants)
      rosterRows.set(partition, [...new Set([...(rosterRows.get(partition) ?? []), ...keys])]);
  }
  const losingRosters = [...rosterRows]
    .filter(([, keys]) => keys.some((k) => k.startsWith(PARTICIPANT_PREFIX)))
    .map(([partition]) => partition);
  await saveInviteeOutcomes(deps, losingRosters);

  // Each operation's order row first: should the purge stop in between, the operation is left
  // unlisted for the next run to find again, never an order row that nothing would select.
  const old = await oldOperationRows(tables.operations, before);
  const operationsRows =
    (await deleteRows(tables.operations, old.orderRows)) + (await deleteRows(tables.operations, old.rows));
  const result = {
    operationsRows,
    rosterRows: headsDeleted + (await deleteRows(tables.roster, rosterRows)),
    terminatedCalls,
  };
  logEvent(deps.log, 'retention.purged', { before, ...result });
  return result;
}

/** Writes each invite's outcomes, as read now, onto its operation (its lastModifiedDateTime stays). */
async function saveInviteeOutcomes(deps: PurgeDeps, callIds: string[]): Promise<void> {
  for (const op of await deps.operations.invitesReadingRosters(callIds)) {
    await retryOnConflict(async () => {
      const current = await deps.operations.get(op.callId, op.id);
      if (!current) return;
      const views = (await loadInvitees(deps.roster, current.value, deps.now(), deps.ringTimeoutMs)) ?? [];
      const outcomes = views.map(({ key, outcome, lastChangedDateTime }) => ({ key, outcome, lastChangedDateTime }));
      if (JSON.stringify(outcomes) === JSON.stringify(current.value.inviteeOutcomes)) return;
      await deps.operations.save({
        operation: { value: { ...current.value, inviteeOutcomes: outcomes }, etag: current.etag },
      });
    });
  }
}

/** Operation, alias and invite rows to go, and the order rows of those operations (keys.ts). */
async function oldOperationRows(client: TableClient, before: string): Promise<{ rows: Rows; orderRows: Rows }> {
  const rows: Rows = new Map();
  const orderRows: Rows = new Map();
  const add = (into: Rows, partition: string, rowKey: string) => {
    const keys = into.get(partition);
    if (keys) keys.push(rowKey);
    else into.set(partition, [rowKey]);
  };
  const filter = odata`lastModifiedDateTime lt ${before} or (kind eq ${'inviteContext'} and createdDateTime lt ${before})`;
  const select = ['PartitionKey', 'RowKey', 'kind', 'operationId', 'createdDateTime'];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) {
    add(rows, e.partitionKey!, e.rowKey!);
    if (e.kind === 'operation')
      add(orderRows, e.partitionKey!, operationOrderKey(String(e.createdDateTime), String(e.operationId)));
  }
  return { rows, orderRows };
}

/**
 * Roster rows unchanged since `before`. What a call's roster head lists (a participant still in the
 * call, a subscription to its events) stays as long as the head does: the roster's next change is
 * planned on that list. A head goes only if it is still as it was listed (its ETag): a change that
 * came meanwhile keeps it and what it lists. A call written before heads existed has none: its rows
 * go by age alone.
 */
async function agedRosterRows(client: TableClient, before: string): Promise<{ rows: Rows; headsDeleted: number }> {
  const rows: Rows = new Map();
  const listed: Rows = new Map();
  const heads = new Map<string, string>();
  const add = (into: Rows, partition: string, rowKey: string) =>
    into.set(partition, [...(into.get(partition) ?? []), rowKey]);
  const filter = odata`lastModifiedDateTime lt ${before}`;
  const select = ['PartitionKey', 'RowKey', 'kind', 'present'];
  for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) {
    const partition = e.partitionKey!;
    // A subscription to every call's events lives until it is deleted (a Logic App's trigger).
    if (partition === ALL_CALLS_SUBSCRIPTIONS_PARTITION) continue;
    if (e.rowKey === ROSTER_HEAD_ROW_KEY) heads.set(partition, e.etag);
    // The call's tenant (src/notifications/callTenants.ts) stays as long as the call does: gone by age,
    // a live call would be taken by the next allowed tenant's token.
    else if (
      (e.kind === 'participant' && e.present !== false) ||
      e.kind === 'eventSubscription' ||
      e.rowKey === TENANT_ROW_KEY
    )
      add(listed, partition, e.rowKey!);
    else add(rows, partition, e.rowKey!);
  }
  let headsDeleted = 0;
  for (const [partition, etag] of heads) {
    if (!(await deleteIfUnchanged(client, partition, ROSTER_HEAD_ROW_KEY, etag))) continue;
    heads.delete(partition);
    headsDeleted++;
  }
  for (const [partition, keys] of listed) {
    // A head that went just now, or none at all (an earlier version's call): what it listed goes too.
    const headGone = !heads.has(partition) && !(await hasHead(client, partition));
    if (headGone) for (const key of keys) add(rows, partition, key);
  }
  return { rows, headsDeleted };
}

async function deleteIfUnchanged(client: TableClient, partition: string, rowKey: string, etag: string) {
  try {
    await client.deleteEntity(partition, rowKey, { etag });
    return true;
  } catch (err) {
    if (isNotFound(err)) return true;
    if (isPreconditionFailed(err)) return false;
    throw err;
  }
}

async function hasHead(client: TableClient, callId: string): Promise<boolean> {
  return (await rowOrNone(client, callId, ROSTER_HEAD_ROW_KEY, ['RowKey'])) !== undefined;
}

async function keysWhere(client: TableClient, filter: string): Promise<Rows> {
  const rows: Rows = new Map();
  for await (const e of client.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
    rows.set(e.partitionKey!, [...(rows.get(e.partitionKey!) ?? []), e.rowKey!]);
  }
  return rows;
}

/**
 * Deletes the rows, in transactions of rows of one partition. A row that went meanwhile (a late
 * roster deletion, another instance's purge) fails its whole transaction: that group is then
 * deleted row by row, the missing ones skipped.
 */
async function deleteRows(client: TableClient, rows: Rows): Promise<number> {
  let deleted = 0;
  for (const [partitionKey, rowKeys] of rows) {
    for (const group of toTransactionBatches(rowKeys, () => 0)) {
      try {
        await submitTransaction(
          client,
          group.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
        );
        deleted += group.length;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        for (const rowKey of group) deleted += await deleteIfPresent(client, partitionKey, rowKey);
      }
    }
  }
  return deleted;
}

async function deleteIfPresent(client: TableClient, partitionKey: string, rowKey: string): Promise<number> {
  try {
    await client.deleteEntity(partitionKey, rowKey);
    return 1;
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
}
