import { publicBase } from '../http/asyncResponse';
import { jsonResponse } from '../http/errorResponse';
import { withServices } from '../http/withServices';
import { openApiDocument } from '../openapi/openApiDocument';
import type { HttpRoute } from '../routeRows';

/** The document of the given routes, pointing back at the app (PUBLIC_BASE_URL) that served it. */
export const serveOpenApi = (routes: readonly HttpRoute[]) =>
  withServices(async (req, services) =>
    jsonResponse(200, openApiDocument(new URL(publicBase(req, services.config)), routes)),
  );
