import { app } from '@azure/functions';
import { jsonResponse } from '../src/http/errorResponse';
import { openApiDocument } from '../src/openapi/openApiDocument';

// Anonymous: a connector wizard fetches it without a key. Generated per host, so it points back here.
app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (req) => {
    const url = new URL(req.url);
    return jsonResponse(200, openApiDocument(url.host, url.protocol === 'http:' ? 'http' : 'https'));
  },
});
