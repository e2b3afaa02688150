import { app } from '@azure/functions';
import { operationResponse } from '../src/http/operationResponse';
import { runInvite } from '../src/http/runInvite';
import { withErrors } from '../src/http/withErrors';

app.http('invite', {
  route: 'calls/{callId}/participants/invite',
  methods: ['POST'],
  authLevel: 'function',
  handler: withErrors(async (req, services, context) => {
    const operation = await runInvite(req, services, context);
    return operationResponse(req, operation, services.config.retryAfter.runningSeconds);
  }),
});
