import { readCall } from '../calls/callUseCases';
import { callResponse } from '../http/asyncResponse';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';

export const handler = withServices(async (req, services) => {
  const call = await readCall(services, parseCallId(req).canonical);
  return callResponse(req, services.config, call);
});
