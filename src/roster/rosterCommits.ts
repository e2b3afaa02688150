import { canonicalGuid } from '../ids';
import type { CallEventBody } from '../schemas/responses';
import { storedSizeBytes } from '../storage/chunkedJson';
import type { CallSubscriptionRecord } from '../webhooks/eventSubscriptions';
import type { MemberChange, RosterPlan } from './planRosterChange';
import type { RosterHead } from './rosterHead';
import type { RosterEntry } from './rosterRecord';

/** A participant's row to write: as listed (in the call), or marked as departed. */
export interface ParticipantWrite {
  key: string;
  /** The participant as listed; absent: it left (its row is kept, marked departed). */
  entry?: RosterEntry;
}

/** One all-or-nothing write: the head as it stands after it, the participants' rows and the events. */
export interface RosterCommit {
  head: RosterHead;
  participants: ParticipantWrite[];
  events: CallEventBody[];
  /** The call's subscription rows created or removed with it (those the head lists). */
  subscriptions?: { create?: CallSubscriptionRecord[]; remove?: string[] };
}

/** How much one commit may hold: Table Storage's entity-group transaction (src/storage/transactionBatches.ts). */
export interface CommitLimits {
  /** Rows, the head included. */
  rows: number;
  /** The stored size of the participants written, beside the head. */
  bytes: number;
}

export const COMMIT_LIMITS: CommitLimits = { rows: 100, bytes: 2 * 1024 * 1024 };

type Identity = Record<string, unknown>;

/** Whether an identity is the service's own participant (the bot): `application` with the app's id. */
export function isServiceIdentity(identity: Identity | undefined, botAppId: string): boolean {
  const app = identity?.application as { id?: unknown } | null | undefined;
  const id = typeof app?.id === 'string' ? app.id.trim() : '';
  return id !== '' && (canonicalGuid(id) ?? id) === (canonicalGuid(botAppId) ?? botAppId);
}

/**
 * Turns a plan into commits: events numbered on from the head's last, none for the service's own
 * participant, each commit within `limits` and carrying the head as it stands after it, so that
 * every commit leaves a state a later notification can be applied to. A plan that fits one commit
 * (up to 49 people changing) is written all at once; the counters a plan claims (its generation)
 * go with the first commit, the call's own event and what it sets with the last.
 */
export function toCommits(
  callId: string,
  head: RosterHead,
  plan: RosterPlan,
  context: {
    now: string;
    botAppId: string;
    /** The identities of those who left, as their rows keep them (the notification no longer lists them). */
    departed: Map<string, Identity>;
    limits?: CommitLimits;
  },
): RosterCommit[] {
  const limits = context.limits ?? COMMIT_LIMITS;
  const { incomingAt, endedAt, ...claimed } = plan.counters;
  let current: RosterHead = { ...head, ...claimed, lastModifiedDateTime: context.now };
  const commits: RosterCommit[] = [];
  let open: RosterCommit | undefined;
  let bytes = 0;
  const event = (type: CallEventBody['type'], extra: Partial<CallEventBody>): CallEventBody => ({
    callId,
    sequence: ++current.lastSequence,
    type,
    ...extra,
    at: context.now,
  });

  const fits = (commit: RosterCommit, rows: number, size: number) =>
    1 + commit.participants.length + commit.events.length + rows <= limits.rows && bytes + size <= limits.bytes;
  // Each commit carries its own copy of the head, changed as the commit fills.
  const openCommit = (): RosterCommit => {
    current = { ...current, members: new Map(current.members) };
    const commit: RosterCommit = { head: current, participants: [], events: [] };
    commits.push(commit);
    bytes = 0;
    return commit;
  };

  for (const change of plan.changes) {
    const identity = identityOf(change, context.departed);
    const size = change.entry ? storedSizeBytes(change.entry.participant) : 0;
    const makesEvent = change.event !== undefined && !isServiceIdentity(identity, context.botAppId);
    if (!open || !fits(open, makesEvent ? 2 : 1, size)) open = openCommit();
    bytes += size;
    if (change.after) current.members.set(change.key, change.after);
    else current.members.delete(change.key);
    open.participants.push(change.entry ? { key: change.key, entry: change.entry } : { key: change.key });
    if (makesEvent) open.events.push(event(change.event!, { key: change.key, ...(identity ? { identity } : {}) }));
  }

  if (plan.callEvent || incomingAt || endedAt) {
    if (!open || !fits(open, 1, 0)) open = openCommit();
    if (plan.callEvent) {
      const { type, identity } = plan.callEvent;
      open.events.push(event(type, identity ? { identity: eventIdentity(identity) } : {}));
    }
    if (incomingAt) current.incomingAt = incomingAt;
    if (endedAt) current.endedAt = endedAt;
  }
  // Nothing to write but what the head says (a roster numbered higher than any applied, no one changed).
  if (commits.length === 0) commits.push({ head: current, participants: [], events: [] });
  return commits;
}

/** The stored size of the participants a commit writes. */
const bytesOf = (commit: RosterCommit) =>
  commit.participants.reduce((n, w) => n + (w.entry ? storedSizeBytes(w.entry.participant) : 0), 0);

/**
 * `first` and then `second` (planned on the head `first` leaves) as one commit, when that fits a
 * transaction: within the limits, and no participant's row twice (a transaction names a row once).
 */
export function mergeCommits(
  first: RosterCommit,
  second: RosterCommit,
  limits: CommitLimits = COMMIT_LIMITS,
): RosterCommit | undefined {
  const rows = 1 + first.participants.length + first.events.length + second.participants.length + second.events.length;
  if (rows > limits.rows || bytesOf(first) + bytesOf(second) > limits.bytes) return undefined;
  const written = new Set(first.participants.map((w) => w.key));
  if (second.participants.some((w) => written.has(w.key))) return undefined;
  return {
    head: second.head,
    participants: [...first.participants, ...second.participants],
    events: [...first.events, ...second.events],
  };
}

function identityOf(change: MemberChange, departed: Map<string, Identity>): Identity | undefined {
  const identity = change.entry?.participant.info?.identity ?? departed.get(change.key);
  return identity ? eventIdentity(identity as Identity) : undefined;
}

const MAX_NAME_CHARS = 256;

/**
 * An identity as an event carries it: each kind's id, display name and tenant, nothing else Graph
 * (or anyone holding its token) put beside them, so an event always fits its row.
 */
export function eventIdentity(identity: Identity): Identity {
  const kept: Identity = {};
  for (const [kind, value] of Object.entries(identity)) {
    if (kind.startsWith('@') || typeof value !== 'object' || value === null) continue;
    const { id, displayName, tenantId } = value as Record<string, unknown>;
    if (typeof id !== 'string') continue;
    kept[kind] = {
      id,
      ...(typeof displayName === 'string' ? { displayName: displayName.slice(0, MAX_NAME_CHARS) } : {}),
      ...(typeof tenantId === 'string' ? { tenantId: tenantId.slice(0, MAX_NAME_CHARS) } : {}),
    };
  }
  return kept;
}
