import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import { isNotFound } from './storageErrors';

/**
 * Keys one lookup by key may name: a filter holds at most 15 comparisons, and the partition and
 * the two ends of the keys' range take three.
 */
export const MAX_KEYS_PER_QUERY = 12;

/**
 * A partition's rows of one kind, those whose keys run from `prefix` up to `end` (keys.ts), from
 * `after` on when a page's position is given: one range query.
 */
export function keyRange(partitionKey: string, prefix: string, end: string, after?: string): string {
  const from = after && after > prefix ? after : prefix;
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${from} and RowKey lt ${end}`;
}

/** A partition's rows from the first to the last of these keys, sorted. */
export function keySpan(partitionKey: string, sortedKeys: string[]): string {
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${sortedKeys[0]!} and RowKey le ${sortedKeys.at(-1)!}`;
}

/**
 * A partition's rows by key, at most MAX_KEYS_PER_QUERY. Table Storage scans the partition for
 * keys joined by `or` (Azure's table design guide); the keys' own range bounds that scan, so
 * lookups of sorted groups of keys pass over the partition once in all.
 */
export function byKeys(partitionKey: string, rowKeys: string[]): string {
  const sorted = [...rowKeys].sort();
  const keys = sorted.map((rowKey) => odata`RowKey eq ${rowKey}`).join(' or ');
  return `${keySpan(partitionKey, sorted)} and (${keys})`;
}

/**
 * The first `top` rows a filter selects and, when there are more, the one after them: its key is
 * where the next page starts.
 */
export async function firstRows<T extends object>(
  client: TableClient,
  filter: string,
  top: number,
  select?: string[],
): Promise<Array<TableEntityResult<T>>> {
  const rows: Array<TableEntityResult<T>> = [];
  for await (const page of client
    .listEntities<T>({ queryOptions: { filter, select } })
    .byPage({ maxPageSize: top + 1 })) {
    rows.push(...page);
    if (rows.length > top) break;
  }
  return rows;
}

/** One row by its keys, or undefined when there is none (a 404 is an answer here, not a fault). */
export async function rowOrNone<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  select?: string[],
): Promise<TableEntityResult<T> | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey, select ? { queryOptions: { select } } : undefined);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
