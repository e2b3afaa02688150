import { notFound } from '../http/apiError';
import type { OperationRepository } from '../storage/operationRepository';
import type { OperationRecord } from './operationRecord';

export async function getOperation(operations: OperationRepository, callId: string, operationId: string): Promise<OperationRecord> {
  const found = await operations.get(callId, operationId);
  if (!found) throw notFound(`Operation ${operationId} of call ${callId} is not known.`);
  return found.value;
}

/** Every operation of the call, newest first; 404 when the call was never seen. */
export async function listOperations(operations: OperationRepository, callId: string): Promise<OperationRecord[]> {
  const { known, operations: records } = await operations.list(callId);
  if (!known) throw notFound(`Call ${callId} is not known.`);
  return records.sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
}

/** The operation as the HTTP contract shows it. */
export function toOperationBody(r: OperationRecord) {
  return {
    '@odata.type': `#microsoft.graph.${r.type}`,
    id: r.id,
    callId: r.callId,
    clientContext: r.clientContext,
    status: r.status,
    resultInfo: r.resultInfo,
    participants: r.participants ?? [],
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
  };
}
