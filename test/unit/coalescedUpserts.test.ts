import { RestError } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';

import { CoalescedUpserts, type Upsert } from '../../src/storage/coalescedUpserts';

/** A sink that records what it was asked to write and fails as told. */
function recordingSink(fail: (writes: Upsert[]) => Error | undefined = () => undefined) {
  const requests: Array<{ kind: 'upsert' | 'transaction'; rows: string[]; writes: Upsert[] }> = [];
  const sink = {
    async upsert(write: Upsert) {
      requests.push({ kind: 'upsert', rows: [write[0].rowKey], writes: [write] });
      const err = fail([write]);
      if (err) throw err;
    },
    async transaction(writes: Upsert[]) {
      requests.push({ kind: 'transaction', rows: writes.map((w) => w[0].rowKey), writes });
      const err = fail(writes);
      if (err) throw err;
    },
  };
  return { sink, requests };
}

const row = (partitionKey: string, rowKey: string, extra: Record<string, unknown> = {}, mode: Upsert[1] = 'Replace') =>
  [{ partitionKey, rowKey, ...extra }, mode] as Upsert;
const refused = () =>
  new RestError('The property value exceeds the maximum allowed size', {
    statusCode: 400,
    code: 'PropertyValueTooLarge',
  });
const unavailable = () => new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' });

describe('coalesced upserts', () => {
  it('writes the rows of one partition that arrive in one turn as one transaction, answering each after it', async () => {
    const { sink, requests } = recordingSink();
    const upserts = new CoalescedUpserts(sink);
    const answered: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((k) => upserts.upsert(row('call', k)).then(() => answered.push(k))));
    expect(requests).toEqual([expect.objectContaining({ kind: 'transaction', rows: ['a', 'b', 'c'] })]);
    expect(answered.sort()).toEqual(['a', 'b', 'c']);
  });

  it('writes a lone row as a plain upsert, and each partition on its own', async () => {
    const { sink, requests } = recordingSink();
    const upserts = new CoalescedUpserts(sink);
    await Promise.all([
      upserts.upsert(row('one', 'a')),
      upserts.upsert(row('two', 'a')),
      upserts.upsert(row('two', 'b')),
    ]);
    expect(requests.map((r) => [r.kind, r.rows])).toEqual([
      ['upsert', ['a']],
      ['transaction', ['a', 'b']],
    ]);
    await upserts.upsert(row('one', 'a')); // a later turn: a new batch
    expect(requests).toHaveLength(3);
  });

  it('splits more than 100 rows into transactions of at most 100', async () => {
    const { sink, requests } = recordingSink();
    const upserts = new CoalescedUpserts(sink);
    await Promise.all(Array.from({ length: 250 }, (_, i) => upserts.upsert(row('call', `r${i}`))));
    expect(requests.map((r) => r.rows.length)).toEqual([100, 100, 50]);
  });

  it('writes a row named twice in one turn once, as the two writes in order would leave it', async () => {
    const { sink, requests } = recordingSink();
    const upserts = new CoalescedUpserts(sink);
    await Promise.all([
      upserts.upsert(row('call', 'x', { present: true, participant: 'joined' })),
      upserts.upsert(row('call', 'x', { present: false }, 'Merge')), // an id-only departure
      upserts.upsert(row('call', 'y', { v: 1 })),
      upserts.upsert(row('call', 'y', { v: 2 })),
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.writes).toEqual([
      row('call', 'x', { present: false, participant: 'joined' }),
      row('call', 'y', { v: 2 }),
    ]);
  });

  it('retries a refused transaction row by row, so only the refused row’s caller fails', async () => {
    const { sink, requests } = recordingSink((writes) =>
      writes.some((w) => w[0].rowKey === 'bad') ? refused() : undefined,
    );
    const upserts = new CoalescedUpserts(sink);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((k) => upserts.upsert(row('call', k))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(requests.map((r) => r.kind)).toEqual(['transaction', 'upsert', 'upsert', 'upsert']);
  });

  it('fails every caller of a transaction when storage is unavailable, without retrying row by row', async () => {
    const { sink, requests } = recordingSink(() => unavailable());
    const upserts = new CoalescedUpserts(sink);
    const results = await Promise.allSettled(['a', 'b'].map((k) => upserts.upsert(row('call', k))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(requests).toHaveLength(1);
  });

  it('writes a partition’s batches one after the other, gathering while one is written', async () => {
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const { sink, requests } = recordingSink();
    const slowSink = {
      upsert: async (write: Upsert) => {
        await sink.upsert(write);
        if (requests.length === 1) await first; // the first write is slow to land
      },
      transaction: sink.transaction,
    };
    const upserts = new CoalescedUpserts(slowSink);
    const joined = upserts.upsert(row('call', 'x', { present: true }));
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is on its way
    await new Promise((resolve) => setImmediate(resolve));
    const later = [upserts.upsert(row('call', 'x', { present: false })), upserts.upsert(row('call', 'y'))];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(requests).toHaveLength(1); // nothing overtakes the write in flight
    release();
    await Promise.all([joined, ...later]);
    expect(requests.map((r) => [r.kind, r.rows])).toEqual([
      ['upsert', ['x']],
      ['transaction', ['x', 'y']],
    ]);
  });
});
