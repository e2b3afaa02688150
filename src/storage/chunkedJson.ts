/**
 * Table Storage caps a string property at 64 KiB (32 K UTF-16 units) and an entity at 1 MiB,
 * so a JSON value is spread over numbered properties `<name>_0`, `<name>_1`, ... with the
 * count in `<name>_n`.
 */
export const CHUNK_CHARS = 32_000;
/** What the chunks of one entity may hold in all, leaving room for the other properties. */
export const MAX_CHUNKED_BYTES = 900_000;

export class ValueTooLargeError extends Error {
  constructor(readonly sizeBytes: number) {
    super(`value of ${sizeBytes} bytes does not fit in one table entity`);
    this.name = 'ValueTooLargeError';
  }
}

// A whole roster's participants are measured, digested and stored in one notification: each
// object's JSON is made once. Parsed values are never changed afterwards.
const jsonTexts = new WeakMap<object, string>();

/** A value's JSON text, made once per object. */
export function jsonTextOf(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null);
  let text = jsonTexts.get(value);
  if (text === undefined) jsonTexts.set(value, (text = JSON.stringify(value)));
  return text;
}

/** The UTF-16 size Table Storage counts for a JSON value. */
export const storedSizeBytes = (value: unknown) => jsonTextOf(value).length * 2;

export function toChunks(name: string, value: unknown): Record<string, string | number> {
  const json = jsonTextOf(value);
  if (json.length * 2 > MAX_CHUNKED_BYTES) throw new ValueTooLargeError(json.length * 2);
  const props: Record<string, string | number> = {};
  let index = 0;
  for (let start = 0; start < json.length; index++) {
    let end = Math.min(start + CHUNK_CHARS, json.length);
    // Never split a surrogate pair: a lone half does not survive the trip through UTF-8.
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    props[`${name}_${index}`] = json.slice(start, end);
    start = end;
  }
  props[`${name}_n`] = index;
  return props;
}

export function fromChunks<T = unknown>(entity: Record<string, unknown>, name: string): T | undefined {
  // Without a count, a single chunk (rows a development build wrote for a while).
  const count = entity[`${name}_n`] ?? (typeof entity[`${name}_0`] === 'string' ? 1 : undefined);
  if (typeof count !== 'number') return undefined;
  let json = '';
  for (let i = 0; i < count; i++) json += String(entity[`${name}_${i}`] ?? '');
  return JSON.parse(json) as T;
}
