import { hash } from 'node:crypto';

import type { Participant } from '../schemas/participant';
import { jsonTextOf } from '../storage/chunkedJson';
import type { RosterChange } from './rosterChange';
import type { MemberState, RosterHead } from './rosterHead';
import type { RosterEntry } from './rosterRecord';

export type MemberEvent = 'joined' | 'inLobby' | 'left';

/** One participant's change: its row to write and the event it makes. */
export interface MemberChange {
  key: string;
  /** The participant as listed; absent when it left. */
  entry?: RosterEntry;
  /** Where it stands afterwards; absent when it left. */
  after?: MemberState;
  event?: MemberEvent;
}

/** The head's counters a change moves (its members follow from the member changes). */
export type HeadCounters = Partial<
  Pick<RosterHead, 'generation' | 'rosterSequence' | 'deltaSequence' | 'incomingAt' | 'endedAt'>
>;

export interface RosterPlan {
  /** In the order applied: those listed in Graph's order, then those who left, by key. */
  changes: MemberChange[];
  /** The call's own event, after the member changes. */
  callEvent?: { type: 'incoming' | 'callEnded'; identity?: Record<string, unknown> };
  counters: HeadCounters;
}

export type PlanOutcome = { plan: RosterPlan } | { ignored: string };

/**
 * How much the head may list: its members are kept as JSON `"key":"digest~",` in one entity (1 MiB,
 * with the head's subscriptions), so the keys as JSON, a digest and punctuation each stay within
 * this budget; and at most MAX_MEMBERS of them, which bounds the work a change of everyone costs.
 */
export const MAX_MEMBERS_CHARS = 350_000;
export const MAX_MEMBERS = 7_000;
const memberChars = (key: string) => JSON.stringify(key).length + 17;

/** A plan, unless the roster it leaves is more than a head can list. */
function withinHeadLimit(head: RosterHead, outcome: PlanOutcome): PlanOutcome {
  if (!('plan' in outcome)) return outcome;
  let chars = 0;
  let size = head.members.size;
  for (const key of head.members.keys()) chars += memberChars(key);
  for (const { key, after } of outcome.plan.changes) {
    const listed = head.members.has(key);
    const change = after && !listed ? 1 : !after && listed ? -1 : 0;
    chars += change * memberChars(key);
    size += change;
  }
  return chars > MAX_MEMBERS_CHARS || size > MAX_MEMBERS
    ? { ignored: `the roster would list ${size} participants, more than a call's head can hold` }
    : outcome;
}

/** What a participant's row says: equal digests, nothing to write. (One-shot `hash`: a whole roster is digested per notification.) */
export const digestOf = (participant: Participant) => hash('sha256', jsonTextOf(participant), 'base64url').slice(0, 11);

const stateOf = (entry: RosterEntry): MemberState => ({
  digest: digestOf(entry.participant),
  inLobby: entry.participant.isInLobby === true,
});

export const sameState = (a: MemberState | undefined, b: MemberState | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.digest === b.digest && a.inLobby === b.inLobby);

/** The event of a participant moving from `before` to `after` (undefined: not in the call). */
function eventOf(before: MemberState | undefined, after: MemberState | undefined): MemberEvent | undefined {
  if (!after) return before ? 'left' : undefined;
  if (!before || before.inLobby !== after.inLobby) return after.inLobby ? 'inLobby' : 'joined';
  return undefined;
}

/**
 * The changes a notification makes to the roster as the head has it: who joined, waits in the
 * lobby, left or changed otherwise (a new mute state: a row to write, no event). A participant
 * listed twice counts as listed last. `skip` names participants left alone: another writer changed
 * them after this change was first planned, and the later change wins.
 *
 * Rules (docs/api.md): once the call ended, nothing changes it; a whole roster whose highest
 * rosterSequenceNumber is lower than one already applied is stale, as is a delta roster numbered
 * lower than the last applied; a whole roster claims the next generation, so that an older one
 * still being written in steps on another instance stops.
 */
export function planRosterChange(
  head: RosterHead,
  change: RosterChange,
  options: { now: string; skip?: ReadonlySet<string>; claimed?: boolean },
): PlanOutcome {
  return withinHeadLimit(head, planChange(head, change, options));
}

function planChange(
  head: RosterHead,
  change: RosterChange,
  options: { now: string; skip?: ReadonlySet<string>; claimed?: boolean },
): PlanOutcome {
  if (head.endedAt) return { ignored: 'the call has ended' };
  const skip = options.skip ?? new Set<string>();
  const members = new Map(head.members);
  const changes: MemberChange[] = [];
  const arrive = (entries: RosterEntry[]) => {
    for (const entry of lastOfEach(entries)) {
      if (skip.has(entry.key)) continue;
      const before = members.get(entry.key);
      const after = stateOf(entry);
      if (sameState(before, after)) continue;
      members.set(entry.key, after);
      changes.push({ key: entry.key, entry, after, event: eventOf(before, after) });
    }
  };
  const leave = (keys: Iterable<string>) => {
    for (const key of [...new Set(keys)].sort()) {
      if (skip.has(key) || !members.has(key)) continue;
      members.delete(key);
      changes.push({ key, event: 'left' });
    }
  };

  switch (change.kind) {
    case 'whole': {
      if (change.rosterSequence !== null && head.rosterSequence !== null && change.rosterSequence < head.rosterSequence)
        return {
          ignored: `rosterSequenceNumber ${change.rosterSequence} is older than ${head.rosterSequence}, already applied`,
        };
      const listed = new Set(change.entries.map((e) => e.key));
      arrive(change.entries);
      leave([...head.members.keys()].filter((key) => !listed.has(key)));
      const counters: HeadCounters = options.claimed ? {} : { generation: head.generation + 1 };
      if (change.rosterSequence !== null) counters.rosterSequence = change.rosterSequence;
      return { plan: { changes, counters } };
    }
    case 'delta':
      // Once claimed (its first commit written), a newer delta written meanwhile does not stop it.
      if (!options.claimed && head.deltaSequence !== null && change.sequence < head.deltaSequence)
        return { ignored: `delta roster ${change.sequence} is older than ${head.deltaSequence}, already applied` };
      arrive(change.present);
      leave(change.departed.map((e) => e.key));
      return { plan: { changes, counters: options.claimed ? {} : { deltaSequence: change.sequence } } };
    case 'changes':
      arrive(change.present);
      leave(change.departed.map((e) => e.key));
      return { plan: { changes, counters: {} } };
    case 'incoming':
      if (head.incomingAt) return { plan: { changes, counters: {} } };
      return {
        plan: {
          changes,
          callEvent: { type: 'incoming', ...(change.caller ? { identity: change.caller } : {}) },
          counters: { incomingAt: options.now },
        },
      };
    case 'ended':
      leave(head.members.keys());
      return { plan: { changes, callEvent: { type: 'callEnded' }, counters: { endedAt: options.now } } };
  }
}

/** Each participant once, where it was listed last (a notification may name one twice). */
function lastOfEach(entries: RosterEntry[]): RosterEntry[] {
  const last = new Map<string, RosterEntry>();
  for (const entry of entries) {
    last.delete(entry.key);
    last.set(entry.key, entry);
  }
  return [...last.values()];
}

/**
 * Participants another writer changed between `base` (what a change was planned against) and
 * `current`: neither as they were nor as `plan` would leave them.
 */
export function changedByOthers(base: RosterHead, current: RosterHead, plan: RosterPlan): Set<string> {
  const mine = new Map<string, MemberState | undefined>(plan.changes.map((c) => [c.key, c.after]));
  const keys = new Set([...base.members.keys(), ...current.members.keys()]);
  return new Set(
    [...keys].filter((key) => {
      const now = current.members.get(key);
      const intended = mine.has(key) ? mine.get(key) : base.members.get(key);
      return !sameState(now, base.members.get(key)) && !sameState(now, intended);
    }),
  );
}
