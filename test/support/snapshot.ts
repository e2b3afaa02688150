import { readAllPages } from './api';

const TIMESTAMP_KEYS = new Set(['createdDateTime', 'lastModifiedDateTime']);

/** What a caller can read about a call, with timestamps and the call id taken out, for comparing runs. */
export async function callSnapshot(callId: string, extraCallIds: string[] = [], baseUrl?: string) {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !TIMESTAMP_KEYS.has(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return typeof value === 'string'
      ? [callId, ...extraCallIds].reduce((s, id, i) => s.split(id).join(`<call${i}>`), value)
      : value;
  };
  const operations = await readAllPages(`/api/calls/${callId}/operations`, 'operations', baseUrl);
  const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants', baseUrl);
  const ops = (operations.body?.operations ?? []) as Array<{ id: string }>;
  return strip({
    operationsStatus: operations.status,
    operations: [...ops].sort((a, b) => a.id.localeCompare(b.id)),
    rosterStatus: roster.status,
    roster: roster.body && {
      ...roster.body,
      participants: [...(roster.body.participants ?? [])].sort((a: { key: string }, b: { key: string }) =>
        a.key.localeCompare(b.key),
      ),
    },
  });
}
