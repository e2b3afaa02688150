import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { jsonResponse } from '../http/errorResponse';
import { openApiDocument } from '../openapi/openApiDocument';

// Generated per host, so the document points back at the app that served it.
export async function handler(req: HttpRequest): Promise<HttpResponseInit> {
  const url = new URL(req.url);
  return jsonResponse(200, openApiDocument(url.host, url.protocol === 'http:' ? 'http' : 'https'));
}
