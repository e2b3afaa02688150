import { removeParticipant } from '../calls/callUseCases';
import { parseCallId, parseParticipantId } from '../http/params';
import { withServices } from '../http/withServices';
import { callDeps } from '../services';

export const handler = withServices(async (req, services, context) => {
  const callId = parseCallId(req);
  const participantId = parseParticipantId(req);
  await removeParticipant(callDeps(services, context), callId.canonical, callId.asGiven, participantId);
  return { status: 202 };
});
