import { jsonResponse } from '../http/errorResponse';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { readRoster } from '../roster/readRoster';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  return jsonResponse(200, await readRoster(services.roster, services.operations, callId));
});
