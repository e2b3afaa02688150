import { removeParticipant } from '../calls/callUseCases';
import { invalidField } from '../errors';
import { parseCallId } from '../http/params';
import { withServices } from '../http/withServices';
import { callDeps } from '../services';

export const handler = withServices(async (req, services, context) => {
  const callId = parseCallId(req);
  const participantId = (req.params.participantId ?? '').trim();
  if (!participantId || participantId.length > 256) throw invalidField('participantId', 'must be 1 to 256 characters');
  await removeParticipant(callDeps(services, context), callId.canonical, callId.asGiven, participantId);
  return { status: 202 };
});
