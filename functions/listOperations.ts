import { app } from '@azure/functions';
import { jsonResponse } from '../src/http/errorResponse';
import { parseCallId } from '../src/http/params';
import { withErrors } from '../src/http/withErrors';
import { listOperations, toOperationBody } from '../src/operations/readOperations';

app.http('listOperations', {
  route: 'calls/{callId}/operations',
  methods: ['GET'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const callId = parseCallId(req).canonical;
    const operations = await listOperations(services.operations, callId);
    return jsonResponse(200, { callId, operations: operations.map(toOperationBody) });
  }),
});
