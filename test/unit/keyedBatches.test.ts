import { describe, expect, it } from 'vitest';

import { KeyedBatches } from '../../src/keyedBatches';

describe('work of one key in batches', () => {
  it('runs what arrives while a batch runs as the next batch, in order, keys side by side', async () => {
    const batches: string[][] = [];
    const queue = new KeyedBatches<string, string>();
    const process = async (batch: Array<{ item: string; resolve(r: string): void }>) => {
      batches.push(batch.map((w) => w.item));
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const w of batch) w.resolve(`${w.item} done`);
    };
    const first = queue.submit('call-1', 'a', process);
    const second = [queue.submit('call-1', 'b', process), queue.submit('call-2', 'x', process)];
    await first;
    const third = [queue.submit('call-1', 'c', process), queue.submit('call-1', 'd', process)];
    expect(await Promise.all([...second, ...third])).toEqual(['b done', 'x done', 'c done', 'd done']);
    expect(batches).toEqual([['a', 'b'], ['x'], ['c', 'd']]);
    expect(queue.size).toBe(0);
  });

  it('fails what a failed batch left unsettled, and goes on with the next', async () => {
    const queue = new KeyedBatches<number, number>();
    const failing = async (batch: Array<{ item: number; resolve(r: number): void }>) => {
      batch[0]!.resolve(batch[0]!.item);
      throw new Error('storage down');
    };
    const [one, two] = [queue.submit('k', 1, failing), queue.submit('k', 2, failing)];
    expect(await one).toBe(1);
    await expect(two).rejects.toThrow('storage down');
    expect(await queue.submit('k', 3, async (b) => b.forEach((w) => w.resolve(w.item * 10)))).toBe(30);
  });
});
