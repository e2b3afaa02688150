import { jsonResponse } from '../http/errorResponse';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { listOperations } from '../operations/readOperations';
import { readDeps } from '../services';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  return jsonResponse(200, { callId, operations: await listOperations(readDeps(services), callId) });
});
