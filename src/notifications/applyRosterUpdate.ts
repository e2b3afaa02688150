import type { Logger } from '../logger';
import { participantKey } from '../roster/participantKey';
import type { RosterEntry } from '../roster/rosterRecord';
import type { RosterRepository } from '../storage/rosterRepository';
import type { CallUpdate, RosterUpdate } from './parseNotification';
import { retryOnConflict } from '../operations/retryOnConflict';

/** `created`/`updated` upsert the listed participants, `deleted` removes them. */
export async function applyRosterUpdate(roster: RosterRepository, update: RosterUpdate, now: string, log: Logger): Promise<void> {
  const entries: RosterEntry[] = [];
  for (const participant of update.participants) {
    const key = participantKey(participant);
    if (key) entries.push({ key, participant });
    else log.warn(`Roster entry of call ${update.callId} has neither an id nor an identity with an id; skipped.`);
  }
  await roster.applyChange(update.callId, update.changeType, entries, now);
}

/** Records the call's state; `terminated` is final, so a late `established` does not revive it. */
export async function applyCallUpdate(roster: RosterRepository, update: CallUpdate, now: string): Promise<void> {
  await retryOnConflict(async () => {
    const current = await roster.getCall(update.callId);
    const currentState = current?.value.state ?? null;
    const state = currentState === 'terminated' ? currentState : (update.state ?? currentState);
    const resultInfo = update.resultInfo ?? current?.value.resultInfo ?? null;
    if (current && state === currentState && resultInfo === current.value.resultInfo) return;
    await roster.saveCall(update.callId, { state, resultInfo, lastModifiedDateTime: now }, current?.etag);
  });
}
