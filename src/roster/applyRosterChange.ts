import type { KeyedBatches, Waiting } from '../keyedBatches';
import { type ContentionPolicy, retryOnConflict } from '../operations/retryOnConflict';
import { isConflict, isPreconditionFailed, storageRefusedInput } from '../storage/storageErrors';
import type { AllCallsSubscriptionRecord } from '../webhooks/eventSubscriptions';
import { rowsForSubscriptions, type WakeDeps, withWakes } from '../webhooks/wakeSubscriptions';
import { changedByOthers, planRosterChange, type RosterPlan } from './planRosterChange';
import type { RosterChange } from './rosterChange';
import { COMMIT_LIMITS, type CommitLimits, mergeCommits, type RosterCommit, toCommits } from './rosterCommits';
import type { HeadRead, RosterHead } from './rosterHead';
import type { RosterStore } from './rosterStore';

export type RosterChangeOutcome =
  /** Written; `events` made. */
  | { applied: true; events: RosterCommit['events'] }
  /** Nothing written: nothing changed, it was stale, or the call had ended. */
  | { applied: false; reason: string };

/** A change waiting for its call's next commit on this instance. */
export interface PendingRosterChange {
  change: RosterChange;
  now: string;
}
export type RosterWrites = KeyedBatches<PendingRosterChange, RosterChangeOutcome>;

export interface RosterChangeDeps extends WakeDeps {
  roster: RosterStore;
  /** The bot's app id: its own participant makes no events. */
  botAppId: string;
  /** The changes of a call on this instance, committed a batch at a time (they would only contend for its head). */
  rosterWrites: RosterWrites;
}

type Identity = Record<string, unknown>;

// Every instance that receives a notification of a call writes its head: in a join burst several
// may meet many times over. Up to about 4 s of tries (then 503, and Graph delivers again).
const HEAD_CONTENTION: ContentionPolicy = { attempts: 24, baseDelayMs: 5, maxDelayMs: 250 };

/**
 * Applies one notification's change to a call's roster: reads the call's head (who is in the call
 * now: one read, none while this instance holds it), plans the change, and commits it against the
 * head's ETag: the participants who changed, their events and the head, all or nothing. A repeated
 * notification finds nothing to change and writes nothing; a storage failure leaves nothing
 * half-applied, so Graph's redelivery makes the same rows and the same events.
 *
 * Changes of one call that arrive on this instance while its last commit runs are planned one
 * after the other, in arrival order, and committed together when they fit one transaction. When
 * another instance wrote the call's head first, the commit fails (412 or 409) and the changes are
 * planned again on what it wrote.
 */
export function applyRosterChange(
  deps: RosterChangeDeps,
  callId: string,
  change: RosterChange,
  now: string,
): Promise<RosterChangeOutcome> {
  return deps.rosterWrites.submit(callId, { change, now }, async (batch) => {
    for (let rest = batch; rest.length > 0;) {
      let outcomes: RosterChangeOutcome[];
      try {
        outcomes = await retryOnConflict(() => commitNext(deps, callId, rest), HEAD_CONTENTION);
      } catch (err) {
        // Storage refused what one of the changes holds: the others of the batch must not share its fate.
        if (rest.length === 1 || !storageRefusedInput(err)) throw err;
        return commitOneByOne(deps, callId, rest);
      }
      outcomes.forEach((outcome, i) => rest[i]!.resolve(outcome));
      rest = rest.slice(outcomes.length);
    }
  });
}

async function commitOneByOne(
  deps: RosterChangeDeps,
  callId: string,
  waiting: Array<Waiting<PendingRosterChange, RosterChangeOutcome>>,
): Promise<void> {
  for (const one of waiting) {
    try {
      one.resolve((await retryOnConflict(() => commitNext(deps, callId, [one]), HEAD_CONTENTION))[0]!);
    } catch (err) {
      one.reject(err);
    }
  }
}

/**
 * Plans the waiting changes in order on the call's head and commits as many of them as fit one
 * transaction; their outcomes, once committed. A change too large for a transaction of its own
 * is committed alone, in steps.
 */
async function commitNext(
  deps: RosterChangeDeps,
  callId: string,
  waiting: Array<Waiting<PendingRosterChange, RosterChangeOutcome>>,
  fresh = false,
): Promise<RosterChangeOutcome[]> {
  const read = await deps.roster.readHead(callId, { fresh });
  let head = read.head;
  const allCalls = await deps.eventSubscriptions.allCallsSubscriptions();
  const limits = commitLimits(head, allCalls);
  let combined: RosterCommit | undefined;
  const outcomes: RosterChangeOutcome[] = [];
  // Those listed by the changes gathered so far: their rows are not stored yet.
  const listed = new Map<string, Identity>();
  for (const { item } of waiting) {
    const planned = planRosterChange(head, item.change, { now: item.now });
    if ('ignored' in planned) {
      outcomes.push({ applied: false, reason: planned.ignored });
      continue;
    }
    if (!changesAnything(head, planned.plan)) {
      outcomes.push({ applied: false, reason: 'nothing changed' });
      continue;
    }
    const departed = await departedIdentities(deps, callId, planned.plan, listed);
    const commits = toCommits(callId, head, planned.plan, {
      now: item.now,
      botAppId: deps.botAppId,
      departed,
      limits,
    });
    const merged = commits.length === 1 && (combined ? mergeCommits(combined, commits[0]!, limits) : commits[0]);
    if (!merged) {
      if (outcomes.length > 0) break; // what is gathered goes first; this change next
      return [await commitInSteps(deps, callId, item, read, planned.plan, commits, allCalls)];
    }
    combined = merged;
    head = merged.head;
    for (const c of planned.plan.changes) {
      const identity = c.entry?.participant.info?.identity;
      if (identity) listed.set(c.key, identity as Identity);
    }
    outcomes.push({ applied: true, events: commits[0]!.events });
  }
  // Nothing to write is no proof on a head held in memory (no ETag checks it): another instance may
  // have changed the roster since, and this notification change it back. Read it and plan again.
  if (!combined && read.cached) return commitNext(deps, callId, waiting, true);
  // A call's first notification writes its head even when it changes nothing: the call is known.
  if (combined || !read.etag) {
    const waking = await withWakes(
      deps,
      callId,
      combined ?? { head, participants: [], events: [] },
      head.lastModifiedDateTime ?? new Date().toISOString(),
      allCalls,
    );
    await deps.roster.commit(callId, waking.commit, read.etag);
    await waking.wake();
  }
  return outcomes;
}

/**
 * A change too large for one transaction (a meeting's first roster, its end), in commits that
 * each leave a whole state. When another instance writes between them, a newer whole roster stops
 * this one (it claimed a later generation); any other change keeps the participants it touched.
 */
async function commitInSteps(
  deps: RosterChangeDeps,
  callId: string,
  pending: PendingRosterChange,
  base: HeadRead,
  plan: RosterPlan,
  commits: RosterCommit[],
  allCalls: AllCallsSubscriptionRecord[],
): Promise<RosterChangeOutcome> {
  const events: RosterCommit['events'] = [];
  let etag = base.etag;
  // Subscriptions a step's events started feeds of stay on the heads of the steps after it.
  let subscriptions = base.head.subscriptions;
  for (const [index, planned] of commits.entries()) {
    const waking = await withWakes(
      deps,
      callId,
      { ...planned, head: { ...planned.head, subscriptions } },
      pending.now,
      allCalls,
    );
    const commit = waking.commit;
    try {
      etag = await deps.roster.commit(callId, commit, etag);
      subscriptions = commit.head.subscriptions;
      await waking.wake();
    } catch (err) {
      if (index === 0 || !(isPreconditionFailed(err) || isConflict(err))) throw err;
      const current = await deps.roster.readHead(callId);
      const superseded = pending.change.kind === 'whole' && current.head.generation !== commits[0]!.head.generation;
      const replanned = planRosterChange(current.head, pending.change, {
        now: pending.now,
        skip: changedByOthers(base.head, current.head, plan),
        claimed: true,
      });
      if (superseded || 'ignored' in replanned || !changesAnything(current.head, replanned.plan))
        return { applied: true, events };
      const departed = await departedIdentities(deps, callId, replanned.plan, new Map());
      const rest = toCommits(callId, current.head, replanned.plan, {
        limits: commitLimits(current.head, allCalls),
        now: pending.now,
        botAppId: deps.botAppId,
        departed,
      });
      const more = await commitInSteps(deps, callId, pending, current, replanned.plan, rest, allCalls);
      return { applied: true, events: [...events, ...(more.applied ? more.events : [])] };
    }
    events.push(...commit.events);
  }
  return { applied: true, events };
}

/** A commit's room, less the rows its events may add for subscriptions (wakeSubscriptions.ts). */
const commitLimits = (head: RosterHead, allCalls: AllCallsSubscriptionRecord[]): CommitLimits => ({
  ...COMMIT_LIMITS,
  rows: COMMIT_LIMITS.rows - rowsForSubscriptions(head, allCalls),
});

/** The identities of those a plan has leave, for their events: listed earlier in the batch, or as their rows keep them. */
async function departedIdentities(
  deps: RosterChangeDeps,
  callId: string,
  plan: RosterPlan,
  listed: Map<string, Identity>,
): Promise<Map<string, Identity>> {
  const leaving = plan.changes.filter((c) => !c.entry).map((c) => c.key);
  const found = new Map(leaving.flatMap((key) => (listed.has(key) ? [[key, listed.get(key)!] as const] : [])));
  const stored = await deps.roster.identitiesOf(
    callId,
    leaving.filter((key) => !found.has(key)),
  );
  for (const [key, identity] of stored) found.set(key, identity);
  return found;
}

/** Whether a plan writes anything beyond the head as it is: a participant, an event or a counter. */
function changesAnything(head: RosterHead, plan: RosterPlan): boolean {
  const { counters } = plan;
  return (
    plan.changes.length > 0 ||
    plan.callEvent !== undefined ||
    (counters.rosterSequence !== undefined && counters.rosterSequence !== head.rosterSequence) ||
    (counters.deltaSequence !== undefined && counters.deltaSequence !== head.deltaSequence) ||
    counters.incomingAt !== undefined ||
    counters.endedAt !== undefined
  );
}
