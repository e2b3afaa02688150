import { app } from '@azure/functions';
import { operationResponse } from '../src/http/operationResponse';
import { parseCallId } from '../src/http/params';
import { readJsonBody } from '../src/http/requestBody';
import { withErrors } from '../src/http/withErrors';
import { parseInviteRequest } from '../src/operations/parseInviteRequest';
import { startInvite } from '../src/operations/startInvite';

app.http('invite', {
  route: 'calls/{callId}/participants/invite',
  methods: ['POST'],
  authLevel: 'function',
  handler: withErrors(async (req, services, context) => {
    const { config } = services;
    const callId = parseCallId(req);
    const rawBody = await readJsonBody(req, config.limits.inviteBodyBytes);
    const request = parseInviteRequest(rawBody, config.allowLoopbackUrls);
    const operation = await startInvite(
      {
        operations: services.operations,
        graph: services.graph,
        graphDeadlineMs: config.graph.deadlineMs,
        retryAfterSeconds: { running: config.retryAfter.runningSeconds, unavailable: config.retryAfter.unavailableSeconds },
        requestBodyLimitBytes: config.limits.inviteBodyBytes,
        now: services.now,
        log: context,
      },
      { callIdAsGiven: callId.asGiven, callId: callId.canonical, request, rawBody },
    );
    return operationResponse(req, operation, config.retryAfter.runningSeconds);
  }),
});
