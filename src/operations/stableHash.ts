import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so key order and whitespace do not change a request's identity. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const stableHash = (value: unknown) => createHash('sha256').update(stableStringify(value)).digest('base64url');
