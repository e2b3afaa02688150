import { app } from '@azure/functions';
import { jsonResponse } from '../src/http/errorResponse';
import { withErrors } from '../src/http/withErrors';
import { checkStorage } from '../src/storage/checkStorage';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: withErrors(async (_req, services) => {
    await checkStorage(services.tables);
    return jsonResponse(200, { status: 'ok' });
  }),
});
