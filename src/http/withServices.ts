import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { requireResolvedSettings } from '../config';
import { getServices, type Services } from '../services';
import { isTableMissing } from '../storage/storageErrors';
import { toErrorResponse } from './errorResponse';

export type ServiceHandler = (
  req: HttpRequest,
  services: Services,
  context: InvocationContext,
) => Promise<HttpResponseInit>;

/** Gives a handler the services and turns anything it throws into the error envelope. */
export function withServices(handler: ServiceHandler): HttpHandler {
  return async (req, context) => {
    let services: Services | undefined;
    try {
      services = getServices();
      requireResolvedSettings(services.config); // health then says which settings
      return await handler(req, services, context);
    } catch (err) {
      if (isTableMissing(err)) {
        // Recreated by the next request, and with it the paging key the table held.
        services?.tables.forget();
        services?.pagingKey.forget();
      }
      return toErrorResponse(err, context, services?.config.retryAfter.unavailableSeconds ?? 5);
    }
  };
}
