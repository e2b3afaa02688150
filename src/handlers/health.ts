import { jsonResponse } from '../http/errorResponse';
import { withServices } from '../http/withServices';

export const handler = withServices(async (_req, services) => {
  await services.checkStorage();
  return jsonResponse(200, { status: 'ok' });
});
