import { retryOnConflict } from '../operations/retryOnConflict';
import type { RosterStore } from '../roster/rosterStore';
import type { CallUpdate } from './parseNotification';

/** Records the call's state; `terminated` is final, so a late `established` does not revive it. */
export async function applyCallUpdate(roster: RosterStore, update: CallUpdate, now: string): Promise<void> {
  await retryOnConflict(async () => {
    const current = await roster.getCall(update.callId);
    const currentState = current?.value.state ?? null;
    const state = currentState === 'terminated' ? currentState : (update.state ?? currentState);
    const resultInfo = update.resultInfo ?? current?.value.resultInfo ?? null;
    if (current && state === currentState && resultInfo === current.value.resultInfo) return;
    await roster.saveCall(update.callId, { state, resultInfo, lastModifiedDateTime: now }, current?.etag);
  });
}
