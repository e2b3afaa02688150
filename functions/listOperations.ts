import { app } from '@azure/functions';
import { jsonResponse } from '../src/http/errorResponse';
import { parseCallId } from '../src/http/params';
import { withErrors } from '../src/http/withErrors';
import { listOperations } from '../src/operations/readOperations';
import { readDeps } from '../src/services';

app.http('listOperations', {
  route: 'calls/{callId}/operations',
  methods: ['GET'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const callId = parseCallId(req).canonical;
    return jsonResponse(200, { callId, operations: await listOperations(readDeps(services), callId) });
  }),
});
