/** One piece of work waiting in a batch, settled by whoever processes the batch. */
export interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

// A batch is what waited while the key's previous batch ran, up to this many.
const MAX_BATCH = 50;

/**
 * Work on one key done one batch at a time: what is submitted while the key's batch runs waits,
 * and is then processed together, in the order submitted. Keys run side by side. The processor
 * settles each item; one that throws rejects those it left unsettled.
 */
export class KeyedBatches<T, R> {
  private readonly waiting = new Map<string, Array<Waiting<T, R>>>();

  submit(key: string, item: T, process: (batch: Array<Waiting<T, R>>) => Promise<void>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queued = this.waiting.get(key);
      if (queued) {
        queued.push({ item, resolve, reject });
        return;
      }
      this.waiting.set(key, [{ item, resolve, reject }]);
      void this.drain(key, process);
    });
  }

  private async drain(key: string, process: (batch: Array<Waiting<T, R>>) => Promise<void>): Promise<void> {
    // Let what arrives in the same turn join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      const queued = this.waiting.get(key)!;
      if (queued.length === 0) {
        this.waiting.delete(key);
        return;
      }
      const batch = queued.splice(0, MAX_BATCH);
      const settled = new Set<Waiting<T, R>>();
      const tracked = batch.map((w): Waiting<T, R> => ({
        item: w.item,
        resolve: (r) => (settled.add(w), w.resolve(r)),
        reject: (e) => (settled.add(w), w.reject(e)),
      }));
      let failure: unknown = new Error('The batch ended without settling this item.');
      try {
        await process(tracked);
      } catch (err) {
        failure = err;
      }
      for (const w of batch) if (!settled.has(w)) w.reject(failure);
    }
  }

  /** Keys with work waiting or running. */
  get size(): number {
    return this.waiting.size;
  }
}
