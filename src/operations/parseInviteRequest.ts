import { badRequest } from '../http/apiError';
import { invalidBody, toJsonPath } from '../http/zodDetails';
import { callbackUrlProblem } from '../net/addresses';
import { InviteRequest } from '../schemas/inviteRequest';
import { findIllFormedText } from '../schemas/wellFormedText';

/** Validates an invite body: the schema, then where a completion callback may be sent. */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('The body must be a JSON object with a participants array.', [
      { path: '(body)', message: 'must be an object' },
    ]);
  }
  // Checked over the whole body: unknown fields go to Graph and into storage too.
  const illFormed = findIllFormedText(raw);
  if (illFormed) {
    const path = toJsonPath(illFormed);
    const message = 'must be well-formed text (it holds half of a UTF-16 surrogate pair)';
    throw badRequest(`${path}: ${message}`, [{ path, message }]);
  }
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidBody(parsed.error);
  // The service POSTs to callbackUrl from inside the customer's network: refuse internal targets.
  const problem = parsed.data.callbackUrl && callbackUrlProblem(new URL(parsed.data.callbackUrl), allowLoopbackUrls);
  if (problem) throw badRequest(`callbackUrl: ${problem}`, [{ path: 'callbackUrl', message: problem }]);
  return parsed.data;
}
