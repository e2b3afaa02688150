import { jsonResponse } from '../http/errorResponse';
import { nextLink, parsePageRequest } from '../http/paging';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { readRoster } from '../roster/readRoster';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const scope = `participants:${callId}`;
  const page = parsePageRequest(req, scope);
  const { body, next } = await readRoster(services.roster, services.operations, callId, page);
  return jsonResponse(200, { ...body, ...nextLink(req, scope, page, next) });
});
