import { odata } from '@azure/data-tables';

import type { Tables } from './tableClients';

/** One cheap round trip to each table: throws when storage does not answer. */
export async function checkStorage(tables: () => Promise<Tables>): Promise<void> {
  const { operations, roster } = await tables();
  const probe = { queryOptions: { filter: odata`PartitionKey eq ${'health'}` } };
  await Promise.all([
    operations.listEntities(probe).byPage({ maxPageSize: 1 }).next(),
    roster.listEntities(probe).byPage({ maxPageSize: 1 }).next(),
  ]);
}
