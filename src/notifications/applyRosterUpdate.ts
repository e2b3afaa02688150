import type { Logger } from '../logger';
import { participantKey } from '../roster/participantKey';
import type { RosterEntry } from '../roster/rosterRecord';
import type { RosterStore } from '../roster/rosterStore';
import type { RosterUpdate } from './parseNotification';

/** `created`/`updated` upsert the listed participants, `deleted` removes them. */
export async function applyRosterUpdate(
  roster: RosterStore,
  update: RosterUpdate,
  now: string,
  log: Logger,
): Promise<void> {
  const entries: RosterEntry[] = [];
  for (const participant of update.participants) {
    const key = participantKey(participant);
    if (key) entries.push({ key, participant });
    else log.warn(`Roster entry of call ${update.callId} has neither an id nor an identity with an id; skipped.`);
  }
  await roster.applyChange(update.callId, update.changeType, entries, now);
}
