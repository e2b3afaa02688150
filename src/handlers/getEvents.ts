import { invalidField } from '../errors';
import { jsonResponse } from '../http/errorResponse';
import { listPaging } from '../http/paging';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { readEvents } from '../roster/readEvents';

export const handler = withServices(async (req, services) => {
  const callId = parseCallId(req).canonical;
  const paging = listPaging(req, services.config, await services.pagingKey(), `events:${callId}`);
  const { page } = paging;
  // A poller's `?after=<sequence>`: the last event it has; a continuation carries its own position.
  const afterText = req.query.get('after');
  if (afterText !== null && !/^(0|[1-9]\d{0,14})$/.test(afterText))
    throw invalidField('after', 'must be the sequence of an event: a whole number from 0');
  if (page.after !== undefined && !/^\d{1,15}$/.test(page.after))
    throw invalidField('$skiptoken', 'is not a continuation of this list');
  const after = Number(page.after ?? afterText ?? 0);
  const { body, next } = await readEvents(services.roster, services.operations, callId, { top: page.top, after });
  return jsonResponse(200, { ...body, ...paging.nextLink(next === undefined ? undefined : String(next)) });
});
