import { jsonResponse } from '../http/errorResponse';
import { listPaging } from '../http/paging';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { readRoster } from '../roster/readRoster';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const paging = listPaging(req, services.config, await services.pagingKey(), `participants:${callId}`);
  const { body, next } = await readRoster(services.roster, services.operations, callId, paging.page);
  return jsonResponse(200, { ...body, ...paging.nextLink(next) });
});
