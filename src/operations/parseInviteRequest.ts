import { badRequest } from '../http/apiError';
import { invalidBody } from '../http/zodDetails';
import { callbackUrlProblem } from '../net/addresses';
import { InviteRequest } from '../schemas/inviteRequest';

/** Validates an invite body: the schema, then where a completion callback may be sent. */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('The body must be a JSON object with a participants array.', [{ path: '(body)', message: 'must be an object' }]);
  }
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidBody(parsed.error);
  // The service POSTs to callbackUrl from inside the customer's network: refuse internal targets.
  const problem = parsed.data.callbackUrl && callbackUrlProblem(new URL(parsed.data.callbackUrl), allowLoopbackUrls);
  if (problem) throw badRequest(`callbackUrl: ${problem}`, [{ path: 'callbackUrl', message: problem }]);
  return parsed.data;
}
