import { randomUUID } from 'node:crypto';

import type { TableClient, TransactionAction } from '@azure/data-tables';

import { newOperationRecord, type OperationRecord } from '../src/operations/operationRecord';
import { toOperationEntity, toOrderEntity } from '../src/storage/operationEntities';

/** The user invited by the `i`th seeded invite. */
export const seededInvitee = (i: number) => `seeded-user-${i}`;

/**
 * A long call's history for the long-call test and benchmark: `count` completed invites of one
 * person each, a second apart, stored as OperationRepository stores them (each with its order
 * row) but in transactions of 50, since one Azurite transaction per invite takes minutes at 10 000.
 * Returns the operations oldest first.
 */
export async function seedOperations(
  operations: TableClient,
  callId: string,
  count: number,
  startedAt = Date.parse('2026-01-01T00:00:00Z'),
): Promise<OperationRecord[]> {
  const records = Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    return newOperationRecord(
      {
        callId,
        id,
        graphOperationId: id,
        type: 'inviteParticipantsOperation',
        status: 'completed',
        clientContext: `seeded-${i}`,
        participants: [{ endpointType: 'default', identity: { user: { id: seededInvitee(i) } } }],
      },
      new Date(startedAt + i * 1000).toISOString(),
    );
  });
  const batches: TransactionAction[][] = [];
  for (let i = 0; i < count; i += 50) {
    batches.push(
      records.slice(i, i + 50).flatMap((op): TransactionAction[] => [
        ['create', toOperationEntity(op)],
        ['create', toOrderEntity(op)],
      ]),
    );
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) await operations.submitTransaction(batches[next++]!);
    }),
  );
  return records;
}
