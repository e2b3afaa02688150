import { NotFound } from '../errors';
import type { OperationStore } from '../operations/operationStore';
import type { RosterStore } from '../roster/rosterStore';

/** The roster snapshot as the HTTP contract shows it; 404 when the call was never seen. */
export async function readRoster(roster: RosterStore, operations: OperationStore, callId: string) {
  const snapshot = await roster.snapshot(callId);
  if (!snapshot.known && !(await operations.hasAny(callId))) {
    throw new NotFound(`Call ${callId} is not known.`);
  }
  return {
    callId,
    state: snapshot.call?.state ?? null,
    resultInfo: snapshot.call?.resultInfo ?? null,
    lastModifiedDateTime: snapshot.lastModifiedDateTime,
    participants: snapshot.entries.map(({ key, participant }) => {
      const { '@odata.type': _type, ...rest } = participant as Record<string, unknown>;
      return { key, id: participant.id ?? null, ...rest };
    }),
  };
}
