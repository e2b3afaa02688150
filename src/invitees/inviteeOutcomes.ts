import { canonicalGuid } from '../ids';
import type { OperationRecord } from '../operations/operationRecord';
import { participantKey, primaryIdentity } from '../roster/participantKey';
import type { PresenceEntry } from '../roster/rosterRecord';
import { ReportedIdentitySet } from '../schemas/identitySet';
import { isTerminal } from '../schemas/operationStatus';
import type { INVITEE_OUTCOMES, InviteeBody } from '../schemas/responses';

export type InviteeOutcome = (typeof INVITEE_OUTCOMES)[number];

/** The outcomes read from a roster; the others follow from the operation alone and are derived again. */
const FROM_ROSTER = new Set<string>(['joined', 'inLobby', 'left']);
export type InviteeView = InviteeBody;

export interface Invitee {
  key: string;
  identity: Record<string, unknown>;
  /** The identity's id, matched against the roster whatever the kind Graph reports it as. */
  identityId: string;
  /** Canonical id of the call this invitee replaces (its roster is watched too). */
  replacesCallId?: string;
}

/** The people an invite operation invited, from its participants. Other operations invite nobody. */
export function inviteesOf(op: OperationRecord): Invitee[] {
  if (op.type !== 'inviteParticipantsOperation' || !op.participants) return [];
  return op.participants.flatMap((p) => {
    const info = (p ?? {}) as { identity?: unknown; replacesCallId?: unknown };
    const identity = ReportedIdentitySet.safeParse(info.identity);
    if (!identity.success) return [];
    const primary = primaryIdentity(identity.data);
    const key = participantKey({ info: { identity: identity.data } });
    if (!primary || !key) return [];
    const replaced = typeof info.replacesCallId === 'string' ? canonicalGuid(info.replacesCallId) : undefined;
    return [
      {
        key,
        identity: info.identity as Record<string, unknown>,
        identityId: primary.id,
        ...(replaced ? { replacesCallId: replaced } : {}),
      },
    ];
  });
}

/** The calls an invite replaces (`replacesCallId`), whose rosters tell about its invitees too. */
export const replacedCallsOf = (op: OperationRecord) => [
  ...new Set(inviteesOf(op).flatMap((i) => (i.replacesCallId ? [i.replacesCallId] : []))),
];

/** The calls whose rosters tell about an operation's invitees: its own, and any replaced call. */
export const rosterCallsOf = (op: OperationRecord, invitees: Invitee[]) => [
  ...new Set([op.callId, ...invitees.flatMap((i) => (i.replacesCallId ? [i.replacesCallId] : []))]),
];

/**
 * Each invitee's outcome: `joined` / `inLobby` while in the roster, `left` once removed from it,
 * `notJoined` when the invite failed or ended with the invitee still absent after the ring
 * timeout, `pending` until then. A departure from before the invite does not count. Once the
 * roster rows an outcome was read from are purged, the outcome saved on the operation stands.
 */
export function deriveInviteeOutcomes(
  op: OperationRecord,
  invitees: Invitee[],
  presence: PresenceEntry[],
  now: Date,
  ringTimeoutMs: number,
): InviteeView[] {
  return invitees.map((invitee) => {
    const seen = presence
      .filter(
        (p) => p.identityId === invitee.identityId && (p.callId === op.callId || p.callId === invitee.replacesCallId),
      )
      .filter((p) => p.present || p.lastModifiedDateTime >= op.createdDateTime)
      .sort((a, b) => b.lastModifiedDateTime.localeCompare(a.lastModifiedDateTime))[0];
    const view = (outcome: InviteeOutcome, lastChangedDateTime: string): InviteeView => ({
      key: invitee.key,
      identity: invitee.identity,
      outcome,
      lastChangedDateTime,
    });
    if (seen) return view(seen.present ? (seen.isInLobby ? 'inLobby' : 'joined') : 'left', seen.lastModifiedDateTime);
    const saved = op.inviteeOutcomes?.find((o) => o.key === invitee.key && FROM_ROSTER.has(o.outcome));
    if (saved) return view(saved.outcome as InviteeOutcome, saved.lastChangedDateTime);
    const terminalAt = op.terminalDateTime ?? op.lastModifiedDateTime;
    if (op.status === 'failed') return view('notJoined', terminalAt);
    if (isTerminal(op.status)) {
      const givenUpAt = Date.parse(terminalAt) + ringTimeoutMs;
      if (now.getTime() >= givenUpAt) return view('notJoined', new Date(givenUpAt).toISOString());
    }
    return view('pending', op.createdDateTime);
  });
}

/** When the outcomes can change no more by waiting: every invitee decided, or the ring timeout passed. */
export function outcomesSettled(views: InviteeView[]): boolean {
  return views.every((v) => v.outcome !== 'pending');
}
