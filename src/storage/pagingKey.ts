import { randomBytes } from 'node:crypto';

import { PAGING_KEY_ROW_KEY, TABLE_META_PARTITION } from './keys';
import { rowOrNone } from './rowQueries';
import { isConflict } from './storageErrors';
import type { TableAccess } from './tableClients';

/**
 * The key that signs `$skiptoken`s (src/http/paging.ts): made at random by the first instance that
 * pages, kept in the deployment's own storage so every instance and every restart agrees on it, and
 * never handed out. The row has no lastModifiedDateTime, so retention leaves it.
 */
export async function loadPagingKey(tables: TableAccess): Promise<Buffer> {
  const { roster } = await tables();
  const read = async () => {
    const row = await rowOrNone<{ key: string }>(roster, TABLE_META_PARTITION, PAGING_KEY_ROW_KEY, ['key']);
    return row && Buffer.from(row.key, 'base64');
  };
  const existing = await read();
  if (existing) return existing;
  const made = randomBytes(32);
  try {
    await roster.createEntity({
      partitionKey: TABLE_META_PARTITION,
      rowKey: PAGING_KEY_ROW_KEY,
      key: made.toString('base64'),
    });
    return made;
  } catch (err) {
    // Another instance made it first: theirs is the deployment's.
    if (!isConflict(err)) throw err;
    const theirs = await read();
    if (!theirs) throw err;
    return theirs;
  }
}
