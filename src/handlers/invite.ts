import { operationResponse } from '../http/asyncResponse';
import { runInvite } from '../http/runInvite';
import { withServices } from '../http/withServices';

export const handler = withServices(async (req, services, context) => {
  const operation = await runInvite(req, services, context);
  return operationResponse(req, services.config, operation);
});
