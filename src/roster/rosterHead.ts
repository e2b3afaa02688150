/** Where a participant in the call stands, as far as telling a change goes. */
export interface MemberState {
  /** What the participant's row says (digestOf): equal digests, nothing to write. */
  digest: string;
  inLobby: boolean;
}

/** A subscription to the call's events that the call's changes wake (src/webhooks/eventSubscriptions.ts). */
export interface SubscriptionRef {
  id: string;
  /** A subscription to this call, or this call's share of a subscription to every call. */
  scope: 'call' | 'all';
  /** Only events of this identity (and callEnded). */
  identityId?: string;
  /** Only events of these types. */
  types?: string[];
  /** The name the subscriber gave it within the call (a subscription to the call only). */
  clientContext?: string;
}

/**
 * The head of a call's roster: who is in the call now, and the counters every change of the roster
 * is committed against. One row per call, written with each change; its ETag is the per-call version
 * that makes two rosters applied at once on two instances exclude each other.
 */
export interface RosterHead {
  /** Everyone in the call now (in the lobby or not), by participant key. */
  members: Map<string, MemberState>;
  /** The sequence of the call's last event (0 before the first). */
  lastSequence: number;
  /** Whole rosters applied: a newer one supersedes an older one still being written in steps. */
  generation: number;
  /** The highest `rosterSequenceNumber` of a whole roster applied, when Graph sends them. */
  rosterSequence: bigint | null;
  /** The `sequenceNumber` of the last delta roster (`deltaParticipants`) applied. */
  deltaSequence: bigint | null;
  /** When the call was first reported `incoming` (its event made). */
  incomingAt: string | null;
  /** When the call was reported `terminated` (everyone left, its callEnded event made). */
  endedAt: string | null;
  /** The latest change to the roster, departures included. */
  lastModifiedDateTime: string | null;
  subscriptions: SubscriptionRef[];
}

export const emptyRosterHead = (): RosterHead => ({
  members: new Map(),
  lastSequence: 0,
  generation: 0,
  rosterSequence: null,
  deltaSequence: null,
  incomingAt: null,
  endedAt: null,
  lastModifiedDateTime: null,
  subscriptions: [],
});

/** The head as read, with the ETag a commit must match; no ETag: there is no head row yet (create it). */
export interface HeadRead {
  head: RosterHead;
  etag?: string;
  /** Held in memory since this instance last read or wrote it: another may have changed it since. */
  cached?: boolean;
}
