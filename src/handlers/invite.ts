import { operationResponse } from '../http/operationResponse';
import { runInvite } from '../http/runInvite';
import { withErrors } from '../http/withErrors';

export const handler = withErrors(async (req, services, context) => {
  const operation = await runInvite(req, services, context);
  return operationResponse(req, operation, services.config.retryAfter.runningSeconds);
});
