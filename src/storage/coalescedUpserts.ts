import type { TableEntity } from '@azure/data-tables';

import { storageRefusedInput } from './storageErrors';
import { entityWireBytes, toTransactionBatches } from './transactionBatches';

export type Upsert = [TableEntity<Record<string, unknown>>, 'Merge' | 'Replace'];

/** Where coalesced upserts go: one row, or rows of one partition in one transaction. */
export interface UpsertSink {
  upsert(write: Upsert): Promise<void>;
  transaction(writes: Upsert[]): Promise<void>;
}

interface Caller {
  resolve(): void;
  reject(err: unknown): void;
}
interface Row {
  write: Upsert;
  callers: Caller[];
}

/**
 * Single-row upserts of one partition that arrive while the event loop turns (or while the
 * partition's previous batch is being written), written together as entity-group transactions
 * (Table Storage's: up to 100 rows and 4 MiB), a partition's batches one after the other. A
 * meeting filling up sends one roster notification per participant, many at once: the instance
 * then makes a fraction of the storage requests, and each caller is still answered only once its
 * row is stored. A row written twice in one batch is written once, as applying the two in order
 * would leave it (a Merge over what came before it). A transaction storage refuses for what a
 * row holds is retried row by row, so that row's caller alone gets the refusal; any other
 * failure reaches every caller of the transaction (503: Graph delivers again).
 */
export class CoalescedUpserts {
  private readonly waiting = new Map<string, Map<string, Row>>();
  /** Each partition's last flush: the next starts after it, so writes reach storage in order. */
  private readonly flushing = new Map<string, Promise<void>>();

  constructor(private readonly sink: UpsertSink) {}

  upsert(write: Upsert): Promise<void> {
    const { partitionKey, rowKey } = write[0];
    let rows = this.waiting.get(partitionKey);
    if (!rows) {
      const batch = new Map<string, Row>();
      this.waiting.set(partitionKey, batch);
      // Gathers until this turn ends and the partition's previous flush is done.
      const flushed = (this.flushing.get(partitionKey) ?? Promise.resolve())
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => this.flush(partitionKey, batch))
        .catch(() => undefined) // flush answers its callers itself; the chain must go on
        .finally(() => {
          if (this.flushing.get(partitionKey) === flushed) this.flushing.delete(partitionKey);
        });
      this.flushing.set(partitionKey, flushed);
      rows = batch;
    }
    const earlier = rows.get(rowKey);
    return new Promise<void>((resolve, reject) => {
      rows.set(rowKey, {
        write: earlier ? afterEachOther(earlier.write, write) : write,
        callers: [...(earlier?.callers ?? []), { resolve, reject }],
      });
    });
  }

  private async flush(partitionKey: string, batch: Map<string, Row>): Promise<void> {
    this.waiting.delete(partitionKey);
    const groups = toTransactionBatches([...batch.values()], (row) => entityWireBytes(row.write[0]));
    await Promise.all(groups.map((group) => this.commit(group)));
  }

  private async commit(rows: Row[]): Promise<void> {
    try {
      if (rows.length === 1) await this.sink.upsert(rows[0]!.write);
      else await this.sink.transaction(rows.map((row) => row.write));
    } catch (err) {
      if (rows.length > 1 && storageRefusedInput(err)) await Promise.all(rows.map((row) => this.commit([row])));
      else for (const row of rows) for (const caller of row.callers) caller.reject(err);
      return;
    }
    for (const row of rows) for (const caller of row.callers) caller.resolve();
  }
}

/** One write with the effect of `first` then `second` on the same row. */
function afterEachOther(first: Upsert, second: Upsert): Upsert {
  return second[1] === 'Merge' ? [{ ...first[0], ...second[0] }, first[1]] : second;
}
