import { PayloadTooLarge } from '../errors';
import { InviteRequest } from '../schemas/inviteRequest';
import { requireSafeCallbackUrl, requireWellFormedObject } from '../schemas/requestChecks';
import { invalidInput } from '../schemas/zodIssues';
import { MAX_CHUNKED_BYTES, storedSizeBytes } from '../storage/chunkedJson';

/**
 * Validates an invite body: well-formed text throughout, the schema, where a completion
 * callback may be sent, and that the participants fit the one record they are kept in.
 */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  requireWellFormedObject(raw, 'with a participants array');
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  requireSafeCallbackUrl(parsed.data.callbackUrl, allowLoopbackUrls);
  const storedBytes = storedSizeBytes(parsed.data.participants);
  if (storedBytes > MAX_CHUNKED_BYTES) {
    const limit = `at most ${MAX_CHUNKED_BYTES} bytes as stored (UTF-16, about ${Math.floor(MAX_CHUNKED_BYTES / 2)} characters of JSON)`;
    throw new PayloadTooLarge(`participants hold ${storedBytes} bytes as stored; ${limit} fit the invite's record.`, [
      { path: 'participants', message: limit },
    ]);
  }
  return parsed.data;
}
