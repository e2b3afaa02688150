const DASHED_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLAIN_GUID = /^[0-9a-f]{32}$/i;

/**
 * Graph's pages write the same GUID as `57dab8b1-894c-...` and `57DAB8B1894C...`;
 * one canonical form (lowercase, dashed) lets either find the same record.
 * Returns undefined when the value is not a GUID in either form.
 */
export function canonicalGuid(value: string): string | undefined {
  if (DASHED_GUID.test(value)) return value.toLowerCase();
  if (PLAIN_GUID.test(value)) {
    const v = value.toLowerCase();
    return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`;
  }
  return undefined;
}

/** Operation ids are GUIDs in practice; anything else is kept as given. */
export function canonicalOperationId(value: string): string {
  return canonicalGuid(value) ?? value;
}

/** A tenant id as tokens and calls are compared by: a GUID in its canonical form, anything else lower-cased. */
export const tenantKey = (tenantId: string) => canonicalGuid(tenantId) ?? tenantId.toLowerCase();
