import { jsonResponse } from '../http/errorResponse';
import { listPaging } from '../http/paging';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { listOperations } from '../operations/readOperations';
import { readDeps } from '../services';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const paging = listPaging(req, services.config, await services.pagingKey(), `operations:${callId}`);
  const { operations, next } = await listOperations(readDeps(services), callId, paging.page);
  return jsonResponse(200, { callId, operations, ...paging.nextLink(next) });
});
