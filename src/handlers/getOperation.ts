import { operationResponse } from '../http/asyncResponse';
import { parseCallId, parseOperationId } from '../http/params';
import { withServices } from '../http/withServices';
import { describeOperation, getOperation } from '../operations/readOperations';
import { readDeps } from '../services';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const operationId = parseOperationId(req);
  const operation = await getOperation(services.operations, callId, operationId);
  return operationResponse(req, services.config, await describeOperation(readDeps(services), operation));
});
