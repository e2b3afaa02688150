import type { OperationRecord } from '../operations/operationRecord';
import type { RosterStore } from '../roster/rosterStore';
import { deriveInviteeOutcomes, inviteesOf, type InviteeView, rosterCallsOf } from './inviteeOutcomes';

/** Each invitee of an invite operation with its outcome, read from the rosters; undefined for other operations. */
export async function loadInvitees(
  roster: RosterStore,
  op: OperationRecord,
  now: Date,
  ringTimeoutMs: number,
): Promise<InviteeView[] | undefined> {
  if (op.type !== 'inviteParticipantsOperation') return undefined;
  const invitees = inviteesOf(op);
  const presence = await roster.presence(rosterCallsOf(op, invitees), [...new Set(invitees.map((i) => i.identityId))]);
  return deriveInviteeOutcomes(op, invitees, presence, now, ringTimeoutMs);
}
