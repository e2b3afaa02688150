import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';

import type { Config } from '../config';
import { type Once, once } from '../once';
import { HEADS_SINCE_CREATION_ROW_KEY, TABLE_META_PARTITION } from './keys';
import { isConflict } from './storageErrors';
import { tablesHttpClient } from './tableTransaction';

export interface Tables {
  operations: TableClient;
  roster: TableClient;
}

// Few, short retries: a caller waiting on a dead store gets 503 + Retry-After quickly
// instead of hanging through the SDK's default back-off.
const clientOptions = (allowInsecureConnection: boolean): TableServiceClientOptions => ({
  allowInsecureConnection,
  retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
  httpClient: tablesHttpClient(), // shared with the transactions tableTransaction.ts sends
});

async function createClient(config: Config['tables'], tableName: string): Promise<TableClient> {
  if (config.endpoint) {
    // Managed identity in Azure; loaded on first use to keep cold start small.
    const { DefaultAzureCredential } = await import('@azure/identity');
    const insecure = config.endpoint.startsWith('http:');
    return new TableClient(config.endpoint, tableName, new DefaultAzureCredential(), clientOptions(insecure));
  }
  const cs = config.connectionString ?? '';
  const insecure =
    /TableEndpoint=http:|DefaultEndpointsProtocol=http;/i.test(cs) || /UseDevelopmentStorage=true/i.test(cs);
  return TableClient.fromConnectionString(cs, tableName, clientOptions(insecure));
}

/** Creates the table unless it exists; whether this call created it. */
async function ensureTable(client: TableClient): Promise<boolean> {
  let status = 0;
  try {
    // The SDK answers an existing table (409 TableAlreadyExists) as success; its status tells them apart.
    await client.createTable({ onResponse: (response) => void (status = response.status) });
  } catch (err) {
    if (!isConflict(err)) throw err;
    return false;
  }
  return status >= 200 && status < 300;
}

/** The process's table clients; `forget()` makes the next use create the tables again. */
export type TableAccess = Once<Tables>;

/**
 * Table clients for the process, created once; the tables are created on first use.
 * A failed creation (store down) is forgotten so the next request tries again, and so is a
 * table that disappeared (a recreated account, an emulator restarted without its data).
 */
export function lazyTables(config: Config['tables']): TableAccess {
  return once(async () => {
    const [operations, roster] = await Promise.all([
      createClient(config, config.operationsTable),
      createClient(config, config.rosterTable),
    ]);
    const [, rosterCreated] = await Promise.all([ensureTable(operations), ensureTable(roster)]);
    // A roster table created here holds no call an earlier version wrote without a roster head (keys.ts).
    if (rosterCreated)
      await roster.upsertEntity(
        { partitionKey: TABLE_META_PARTITION, rowKey: HEADS_SINCE_CREATION_ROW_KEY, kind: 'tableMeta' },
        'Replace',
      );
    return { operations, roster };
  });
}
