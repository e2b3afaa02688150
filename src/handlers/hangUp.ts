import { hangUp } from '../calls/callUseCases';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { callDeps } from '../services';

/** 202 while Graph ends the call, 204 when it was over already (Graph not called again) or Graph no longer knows it. */
export const handler = withServices(async (req, services, context) => {
  const callId = parseCallId(req);
  const outcome = await hangUp(callDeps(services, context), callId.canonical, callId.asGiven);
  return { status: outcome === 'over' ? 204 : 202 };
});
