import { TableClient } from '@azure/data-tables';

import { signToken } from '../../src/http/paging';
import { PAGING_KEY_ROW_KEY, TABLE_META_PARTITION } from '../../src/storage/keys';
import { call, stack } from './api';

let key: Promise<Buffer> | undefined;

/** The deployment's paging key, as the service keeps it in the roster table (made by a first paged read). */
function pagingKey(): Promise<Buffer> {
  key ??= (async () => {
    await call('GET', `/api/calls/${crypto.randomUUID()}/operations`);
    const client = TableClient.fromConnectionString(stack.tablesConnectionString, 'roster', {
      allowInsecureConnection: true,
    });
    const row = await client.getEntity<{ key: string }>(TABLE_META_PARTITION, PAGING_KEY_ROW_KEY);
    return Buffer.from(row.key, 'base64');
  })();
  return key;
}

/** A `$skiptoken` signed as the service signs them: for tests of what a token may carry past the signature. */
export const signedToken = async (scope: string, position: string) =>
  signToken(await pagingKey(), { s: scope, t: position });
