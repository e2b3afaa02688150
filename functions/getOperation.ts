import { app } from '@azure/functions';
import { operationResponse } from '../src/http/operationResponse';
import { parseCallId, parseOperationId } from '../src/http/params';
import { withErrors } from '../src/http/withErrors';
import { canonicalOperationId } from '../src/ids';
import { describeOperation, getOperation } from '../src/operations/readOperations';
import { readDeps } from '../src/services';

app.http('getOperation', {
  route: 'calls/{callId}/operations/{operationId}',
  methods: ['GET'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const callId = parseCallId(req).canonical;
    const operationId = canonicalOperationId(parseOperationId(req));
    const operation = await getOperation(services.operations, callId, operationId);
    return operationResponse(req, await describeOperation(readDeps(services), operation), services.config.retryAfter.runningSeconds);
  }),
});
