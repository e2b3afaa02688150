import { isIP } from 'node:net';
import { isLoopbackHost } from '../config';
import { badRequest } from '../http/apiError';
import { invalidBody } from '../http/zodDetails';
import { InviteRequest } from '../schemas/inviteRequest';
import { isInternalAddress } from '../webhooks/addresses';

/** Validates an invite body: the schema, then where a completion callback may be sent. */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('The body must be a JSON object with a participants array.', [{ path: '(body)', message: 'must be an object' }]);
  }
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidBody(parsed.error);
  const problem = parsed.data.callbackUrl && callbackUrlProblem(new URL(parsed.data.callbackUrl), allowLoopbackUrls);
  if (problem) throw badRequest(`callbackUrl: ${problem}`, [{ path: 'callbackUrl', message: problem }]);
  return parsed.data;
}

// The service POSTs to callbackUrl from inside the customer's network: refuse internal targets.
function callbackUrlProblem(url: URL, allowLoopback: boolean): string | undefined {
  if (allowLoopback && url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && isInternalAddress(host))) {
    return 'must not point to a loopback, private or link-local address';
  }
  return undefined;
}
