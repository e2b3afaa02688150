import { jsonResponse } from '../http/errorResponse';
import { nextLink, parsePageRequest } from '../http/paging';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { listOperations } from '../operations/readOperations';
import { readDeps } from '../services';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const scope = `operations:${callId}`;
  const page = parsePageRequest(req, scope);
  const { operations, next } = await listOperations(readDeps(services), callId, page);
  return jsonResponse(200, { callId, operations, ...nextLink(req, scope, page, next) });
});
