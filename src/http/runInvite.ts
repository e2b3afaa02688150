import type { HttpRequest, InvocationContext } from '@azure/functions';

import { invalidField } from '../errors';
import { parseInviteRequest } from '../operations/parseInviteRequest';
import { describeOperation } from '../operations/readOperations';
import { startInvite } from '../operations/startInvite';
import type { OperationBody } from '../schemas/responses';
import { inviteDeps, readDeps, type Services } from '../services';
import { parseCallId } from './params';
import { readJsonBody } from './requestBody';

/** HTTP in -> invite -> the operation as the contract shows it; shared by the invite and subscribe routes. */
export async function runInvite(
  req: HttpRequest,
  services: Services,
  context: InvocationContext,
  options: { requireCallbackUrl: boolean } = { requireCallbackUrl: false },
): Promise<OperationBody> {
  const { config } = services;
  const callId = parseCallId(req);
  const rawBody = await readJsonBody(req, config.limits.inviteBodyBytes);
  const request = parseInviteRequest(rawBody, config.allowLoopbackUrls);
  if (options.requireCallbackUrl && !request.callbackUrl) {
    throw invalidField('callbackUrl', 'required to subscribe to the invite');
  }
  const command = { callIdAsGiven: callId.asGiven, callId: callId.canonical, request, rawBody };
  const operation = await startInvite(inviteDeps(services, context), command);
  return describeOperation(readDeps(services), operation);
}
