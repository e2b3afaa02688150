import { canonicalGuid } from '../ids';
import { IDENTITY_KINDS, type ReportedIdentitySet } from '../schemas/identitySet';

/** The identity kind and id a roster key is derived from, first kind in IDENTITY_KINDS order. */
export function primaryIdentity(
  identity: ReportedIdentitySet | null | undefined,
): { kind: string; id: string } | undefined {
  if (!identity) return undefined;
  for (const kind of IDENTITY_KINDS) {
    const id = identity[kind]?.id?.trim();
    if (id) return { kind, id: canonicalGuid(id) ?? id };
  }
  return undefined;
}

/**
 * A stable key for a roster entry: Graph's participant id when it sends one, otherwise
 * `<kind>:<id>` from the identity (every reference roster example has `"id": null`).
 */
export function participantKey(participant: {
  id?: string | null;
  info?: { identity?: ReportedIdentitySet | null } | null;
}): string | undefined {
  const id = participant.id?.trim();
  if (id) return canonicalGuid(id) ?? id;
  const primary = primaryIdentity(participant.info?.identity);
  return primary && `${primary.kind}:${primary.id}`;
}
