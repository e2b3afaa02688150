import { app } from '@azure/functions';
import { jsonResponse } from '../src/http/errorResponse';
import { parseCallId } from '../src/http/params';
import { withErrors } from '../src/http/withErrors';
import { readRoster } from '../src/roster/readRoster';

app.http('getRoster', {
  route: 'calls/{callId}/participants',
  methods: ['GET'],
  authLevel: 'function',
  handler: withErrors(async (req, services) => {
    const callId = parseCallId(req).canonical;
    return jsonResponse(200, await readRoster(services.roster, services.operations, callId));
  }),
});
