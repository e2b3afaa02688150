import { invalidField, InvalidInput, PayloadTooLarge } from '../errors';
import { callbackUrlProblem } from '../net/addresses';
import { InviteRequest } from '../schemas/inviteRequest';
import { findIllFormedText } from '../schemas/wellFormedText';
import { invalidInput, toJsonPath } from '../schemas/zodIssues';
import { MAX_CHUNKED_BYTES, storedSizeBytes } from '../storage/chunkedJson';

/**
 * Validates an invite body: well-formed text throughout (unknown fields go to Graph and into
 * storage too), the schema, where a completion callback may be sent, and that the participants
 * fit the one record they are kept in.
 */
export function parseInviteRequest(raw: unknown, allowLoopbackUrls: boolean): InviteRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInput('The body must be a JSON object with a participants array.', [
      { path: '(body)', message: 'must be an object' },
    ]);
  }
  const illFormed = findIllFormedText(raw);
  if (illFormed) {
    throw invalidField(toJsonPath(illFormed), 'must be well-formed text (it holds half of a UTF-16 surrogate pair)');
  }
  const parsed = InviteRequest.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  // The service POSTs to callbackUrl from inside the customer's network: refuse internal targets.
  const problem = parsed.data.callbackUrl && callbackUrlProblem(new URL(parsed.data.callbackUrl), allowLoopbackUrls);
  if (problem) throw invalidField('callbackUrl', problem);
  const storedBytes = storedSizeBytes(parsed.data.participants);
  if (storedBytes > MAX_CHUNKED_BYTES) {
    const limit = `at most ${MAX_CHUNKED_BYTES} bytes as stored (UTF-16, about ${Math.floor(MAX_CHUNKED_BYTES / 2)} characters of JSON)`;
    throw new PayloadTooLarge(`participants hold ${storedBytes} bytes as stored; ${limit} fit the invite's record.`, [
      { path: 'participants', message: limit },
    ]);
  }
  return parsed.data;
}
