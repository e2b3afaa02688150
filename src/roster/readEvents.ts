import { heardOfCall } from '../calls/heardOfCall';
import { NotFound } from '../errors';
import type { OperationStore } from '../operations/operationStore';
import type { RosterStore } from './rosterStore';

/**
 * A page of a call's events, oldest first, after the event numbered `after` (0: from the first);
 * `next` while more remain. 404 when the call was never seen.
 */
export async function readEvents(
  roster: RosterStore,
  operations: OperationStore,
  callId: string,
  page: { top: number; after: number },
) {
  const found = await roster.eventsPage(callId, page.after, page.top);
  if (!found.known && !(await heardOfCall({ calls: roster, operations }, callId)))
    throw new NotFound(`Call ${callId} is not known.`);
  return { body: { callId, events: found.events }, next: found.next };
}
