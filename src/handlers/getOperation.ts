import { operationResponse } from '../http/operationResponse';
import { parseCallId, parseOperationId } from '../http/params';
import { withErrors } from '../http/withErrors';
import { canonicalOperationId } from '../ids';
import { describeOperation, getOperation } from '../operations/readOperations';
import { readDeps } from '../services';

export const handler = withErrors(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const operationId = canonicalOperationId(parseOperationId(req));
  const operation = await getOperation(services.operations, callId, operationId);
  return operationResponse(
    req,
    await describeOperation(readDeps(services), operation),
    services.config.retryAfter.runningSeconds,
  );
});
