import type { Logger } from '../logger';
import { applyRosterChange, type RosterChangeDeps, type RosterChangeOutcome } from '../roster/applyRosterChange';
import { participantKey } from '../roster/participantKey';
import type { RosterChange } from '../roster/rosterChange';
import type { RosterEntry } from '../roster/rosterRecord';
import { int64 } from '../schemas/participant';
import type { RosterUpdate } from './parseNotification';

export interface RosterUpdateDeps extends RosterChangeDeps {
  /** ROSTER_UPDATES: whether an `updated` array is the whole roster (Graph's default) or only what changed. */
  rosterUpdates: 'snapshot' | 'changes';
  log: Logger;
}

/**
 * A roster notification as the change it makes (docs/api.md, "The roster as Graph sends it"): an
 * `updated` array is everyone in the call now (unless ROSTER_UPDATES=changes), `created` adds those
 * listed, `deleted` removes them; a delta roster's participants change one by one, those with a
 * `removedState` leaving.
 */
export function toRosterChange(
  update: RosterUpdate,
  mode: RosterUpdateDeps['rosterUpdates'],
  log: Logger,
): RosterChange {
  const entries: RosterEntry[] = [];
  for (const participant of update.participants) {
    const key = participantKey(participant);
    if (key) entries.push({ key, participant });
    else log.warn(`Roster entry of call ${update.callId} has neither an id nor an identity with an id; skipped.`);
  }
  if (update.deltaSequence !== undefined) {
    const leaves = (e: RosterEntry) => update.changeType === 'deleted' || Boolean(e.participant.removedState);
    return {
      kind: 'delta',
      sequence: update.deltaSequence,
      present: entries.filter((e) => !leaves(e)),
      departed: entries.filter(leaves),
    };
  }
  if (update.changeType === 'deleted') return { kind: 'changes', present: [], departed: entries };
  if (update.changeType === 'updated' && mode === 'snapshot') {
    const numbers = update.participants.flatMap((p) =>
      p.rosterSequenceNumber == null ? [] : [int64(p.rosterSequenceNumber)],
    );
    const rosterSequence = numbers.length ? numbers.reduce((a, b) => (a > b ? a : b)) : null;
    return { kind: 'whole', entries, rosterSequence };
  }
  return { kind: 'changes', present: entries, departed: [] };
}

export function applyRosterUpdate(
  deps: RosterUpdateDeps,
  update: RosterUpdate,
  now: string,
): Promise<RosterChangeOutcome> {
  return applyRosterChange(deps, update.callId, toRosterChange(update, deps.rosterUpdates, deps.log), now);
}
