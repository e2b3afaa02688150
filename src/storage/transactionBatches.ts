// An entity-group transaction holds at most 100 actions and a 4 MiB request body
// (Table Storage's limits; Azurite enforces both).
const MAX_ACTIONS = 100;
// The body is multipart: each action adds its own headers (~500 bytes) around the entity JSON.
const MAX_BODY_BYTES = 4 * 1024 * 1024 - 64 * 1024;

/**
 * Splits items into consecutive groups that each fit one transaction, by count and by size.
 * An item too big for a transaction of its own still gets one (the entity limit, 1 MiB, is far below it).
 */
export function toTransactionBatches<T>(items: T[], sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === MAX_ACTIONS || bytes + size > MAX_BODY_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
