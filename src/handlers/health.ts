import { jsonResponse } from '../http/errorResponse';
import { withErrors } from '../http/withErrors';
import { checkStorage } from '../storage/checkStorage';

export const handler = withErrors(async (_req, services) => {
  await checkStorage(services.tables);
  return jsonResponse(200, { status: 'ok' });
});
