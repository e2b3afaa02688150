import { boundedMap } from '../boundedMap';
import type { OperationRecord } from '../operations/operationRecord';
import type { PresenceEntry } from '../roster/rosterRecord';
import type { RosterStore } from '../roster/rosterStore';
import { deriveInviteeOutcomes, inviteesOf, type InviteeView, rosterCallsOf } from './inviteeOutcomes';

/** Each invitee of an invite operation with its outcome, read from the rosters; undefined for other operations. */
export async function loadInvitees(
  roster: RosterStore,
  op: OperationRecord,
  now: Date,
  ringTimeoutMs: number,
): Promise<InviteeView[] | undefined> {
  return (await loadInviteesOfMany(roster, [op], now, ringTimeoutMs))[0];
}

/**
 * The invitees of several operations (a page of them): each roster involved is asked once for
 * every identity the invites name there: ⌈identities / 10⌉ queries per call up to 30 identities, one
 * pass over the call's participant rows beyond (rosterRepository.presence).
 */
export async function loadInviteesOfMany(
  roster: RosterStore,
  ops: OperationRecord[],
  now: Date,
  ringTimeoutMs: number,
): Promise<Array<InviteeView[] | undefined>> {
  const invites = ops.map((op) =>
    op.type === 'inviteParticipantsOperation' ? { op, invitees: inviteesOf(op) } : undefined,
  );
  const identitiesByCall = new Map<string, Set<string>>();
  for (const invite of invites) {
    if (!invite) continue;
    for (const callId of rosterCallsOf(invite.op, invite.invitees)) {
      const ids = identitiesByCall.get(callId) ?? new Set<string>();
      for (const invitee of invite.invitees) ids.add(invitee.identityId);
      identitiesByCall.set(callId, ids);
    }
  }
  // A few calls' rosters at a time: a page's invites may name many calls (replacesCallId).
  const presence: PresenceEntry[] = (
    await boundedMap([...identitiesByCall], 4, ([callId, ids]) => roster.presence([callId], [...ids]))
  ).flat();
  return invites.map(
    (invite) => invite && deriveInviteeOutcomes(invite.op, invite.invitees, presence, now, ringTimeoutMs),
  );
}
