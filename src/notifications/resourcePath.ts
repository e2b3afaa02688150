import { canonicalGuid, canonicalOperationId } from '../ids';

// `/app/calls/{id}/...`, `/communications/calls/{id}/...`, with or without the leading slash,
// or a full Graph URL: the call id is whatever follows `calls/`.
const CALL_IN_PATH = /(?:^|\/)calls\/([^/?#]+)/i;
const OPERATION_IN_PATH = /\/operations\/([^/?#]+)/i;

/** The canonical call id a resource path names, or undefined when it names none or a non-GUID. */
export function callIdFromPath(path: string): string | undefined {
  const asWritten = callIdInPathAsWritten(path);
  return asWritten && canonicalGuid(asWritten);
}

/** The call id a path names, as written there (not canonical), when it is a GUID. */
export function callIdInPathAsWritten(path: string): string | undefined {
  const raw = CALL_IN_PATH.exec(path)?.[1];
  const decoded = raw === undefined ? undefined : safeDecode(raw);
  return decoded !== undefined && canonicalGuid(decoded) ? decoded : undefined;
}

/**
 * The operation id a path names. Graph's example 2 reports an invite with `id: null` at
 * `/operations/participants`: that segment is not an id.
 */
export function operationIdFromPath(path: string | undefined | null): string | undefined {
  const raw = path ? OPERATION_IN_PATH.exec(path)?.[1] : undefined;
  if (raw === undefined || raw.toLowerCase() === 'participants') return undefined;
  return canonicalOperationId(safeDecode(raw));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
