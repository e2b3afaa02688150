import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Logger } from '../logger';
import type { Tables } from '../storage/tableClients';
import { toTransactionBatches } from '../storage/transactionBatches';

export interface PurgeResult {
  operationsRows: number;
  rosterRows: number;
  terminatedCalls: number;
}

/**
 * Deletes what is older than the retention: operation and invite rows, and roster rows, last
 * changed before the cutoff; and the whole roster of every call whose `call` notification said
 * `terminated` (its operations stay until they age out, so the call's history remains readable).
 */
export async function purgeOldRecords(tables: Tables, cutoff: Date, log: Logger): Promise<PurgeResult> {
  const before = cutoff.toISOString();
  const operationsRows = await deleteWhere(tables.operations, odata`lastModifiedDateTime lt ${before} or (kind eq ${'inviteContext'} and createdDateTime lt ${before})`);
  const agedRoster = await deleteWhere(tables.roster, odata`lastModifiedDateTime lt ${before}`);
  let terminatedCalls = 0;
  let terminatedRows = 0;
  for await (const call of tables.roster.listEntities({ queryOptions: { filter: odata`kind eq ${'call'} and state eq ${'terminated'}`, select: ['PartitionKey'] } })) {
    terminatedCalls++;
    terminatedRows += await deleteWhere(tables.roster, odata`PartitionKey eq ${call.partitionKey!}`);
  }
  const result = { operationsRows, rosterRows: agedRoster + terminatedRows, terminatedCalls };
  log.info(JSON.stringify({ event: 'retention.purged', before, ...result }));
  return result;
}

/** Deletes every row matching the filter, in transactions of rows of one partition. */
async function deleteWhere(client: TableClient, filter: string): Promise<number> {
  const byPartition = new Map<string, string[]>();
  for await (const e of client.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
    const rows = byPartition.get(e.partitionKey!) ?? [];
    rows.push(e.rowKey!);
    byPartition.set(e.partitionKey!, rows);
  }
  let deleted = 0;
  for (const [partitionKey, rowKeys] of byPartition) {
    for (const group of toTransactionBatches(rowKeys, () => 0)) {
      await client.submitTransaction(group.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]));
      deleted += group.length;
    }
  }
  return deleted;
}
