import { NotFound } from '../errors';
import { loadInvitees, loadInviteesOfMany } from '../invitees/loadInvitees';
import type { OperationStore } from '../operations/operationStore';
import type { RosterStore } from '../roster/rosterStore';
import type { OperationBody } from '../schemas/responses';
import { toOperationBody } from './operationBody';
import type { OperationRecord } from './operationRecord';

export interface ReadDeps {
  operations: OperationStore;
  roster: RosterStore;
  now: () => Date;
  ringTimeoutMs: number;
}

/** An operation with its invitees' outcomes, as the contract shows it. */
export async function describeOperation(deps: ReadDeps, op: OperationRecord): Promise<OperationBody> {
  return toOperationBody(op, await loadInvitees(deps.roster, op, deps.now(), deps.ringTimeoutMs));
}

export async function getOperation(
  operations: OperationStore,
  callId: string,
  operationId: string,
): Promise<OperationRecord> {
  const found = await operations.get(callId, operationId);
  if (!found) throw new NotFound(`Operation ${operationId} of call ${callId} is not known.`);
  return found.value;
}

/**
 * A page of the call's operations, newest first, each with its invitees' outcomes (read together:
 * loadInviteesOfMany); `next` while more remain. 404 when the call was never seen.
 */
export async function listOperations(
  deps: ReadDeps,
  callId: string,
  page: { top: number; after?: string },
): Promise<{ operations: OperationBody[]; next?: string }> {
  const { operations: records, next } = await deps.operations.listPage(callId, page.top, page.after);
  if (records.length === 0 && !(await deps.operations.hasAny(callId))) {
    throw new NotFound(`Call ${callId} is not known.`);
  }
  const invitees = await loadInviteesOfMany(deps.roster, records, deps.now(), deps.ringTimeoutMs);
  return { operations: records.map((op, i) => toOperationBody(op, invitees[i])), next };
}
