import { toCallBody } from '../calls/callBody';
import { parseStartCallRequest } from '../calls/parseStartCallRequest';
import { startCall } from '../calls/startCall';
import { callResponse } from '../http/asyncResponse';
import { readJsonBody } from '../http/requestBody';
import { withServices } from '../http/withServices';
import { startCallDeps } from '../services';

/** Join a Teams meeting or call people: 202 + Location while the call is set up, 200 once established or over. */
export const handler = withServices(async (req, services, context) => {
  const { config } = services;
  const rawBody = await readJsonBody(req, config.limits.inviteBodyBytes);
  const plan = parseStartCallRequest(rawBody, {
    allowLoopbackUrls: config.allowLoopbackUrls,
    appTenantId: config.graph.tenantId,
    applicationInstanceId: config.pstnApplicationInstanceId,
  });
  const started = await startCall(startCallDeps(services, context), {
    plan,
    rawBody,
    callbackUri: config.callbackUri,
  });
  return callResponse(req, config, toCallBody(started.callId, started.call));
});
