import { jsonResponse } from '../http/errorResponse';
import { parseCallId } from '../http/params';
import { withErrors } from '../http/withErrors';
import { readRoster } from '../roster/readRoster';

export const handler = withErrors(async (req, services) => {
  const callId = parseCallId(req).canonical;
  return jsonResponse(200, await readRoster(services.roster, services.operations, callId));
});
