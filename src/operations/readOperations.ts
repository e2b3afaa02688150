import { NotFound } from '../errors';
import { loadInvitees } from '../invitees/loadInvitees';
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

/** Every operation of the call, newest first; 404 when the call was never seen. */
export async function listOperations(deps: ReadDeps, callId: string): Promise<OperationBody[]> {
  const { known, operations: records } = await deps.operations.list(callId);
  if (!known) throw new NotFound(`Call ${callId} is not known.`);
  records.sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
  return Promise.all(records.map((op) => describeOperation(deps, op)));
}
