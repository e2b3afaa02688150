import { InviteRequest } from '../schemas/inviteRequest';
import { requireFitsOneRecord, requireSafeCallbackUrl, requireWellFormedObject } from '../schemas/requestChecks';
import { invalidInput } from '../schemas/zodIssues';

/**
 * Validates an invite body: well-formed text throughout, the schema, where a completion
 * callback may be sent, and that the participants fit the one record they are kept in.
 */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  requireWellFormedObject(raw, 'with a participants array');
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  requireSafeCallbackUrl(parsed.data.callbackUrl, allowLoopbackUrls);
  requireFitsOneRecord(parsed.data.participants, 'participants', "invite's record");
  return parsed.data;
}
