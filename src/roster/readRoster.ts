import { NotFound } from '../errors';
import type { OperationStore } from '../operations/operationStore';
import type { RosterStore } from '../roster/rosterStore';

/** A page of the roster as the HTTP contract shows it, with `next` while more remain; 404 when the call was never seen. */
export async function readRoster(
  roster: RosterStore,
  operations: OperationStore,
  callId: string,
  page: { top: number; after?: string },
) {
  const found = await roster.rosterPage(callId, page.top, page.after);
  if (!found.known && !(await operations.hasAny(callId))) {
    throw new NotFound(`Call ${callId} is not known.`);
  }
  return {
    body: {
      callId,
      state: found.call?.state ?? null,
      resultInfo: found.call?.resultInfo ?? null,
      lastModifiedDateTime: found.lastModifiedDateTime,
      participants: found.entries.map(({ key, participant }) => {
        const { '@odata.type': _type, ...rest } = participant as Record<string, unknown>;
        return { key, id: participant.id ?? null, ...rest };
      }),
    },
    next: found.next,
  };
}
