import type { OperationStore } from '../operations/operationStore';
import type { CallStore } from './callStore';

/**
 * Whether the service holds a call's row (it started the call, or Graph told it the call's state)
 * or invited into it: asked of a call without a roster head, to tell an unknown call (404) from a
 * quiet one.
 */
export async function heardOfCall(
  deps: { calls: Pick<CallStore, 'getCall'>; operations: Pick<OperationStore, 'hasAny'> },
  callId: string,
): Promise<boolean> {
  return (await deps.calls.getCall(callId)) !== undefined || (await deps.operations.hasAny(callId));
}
