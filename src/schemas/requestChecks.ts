import { invalidField, InvalidInput, PayloadTooLarge } from '../errors';
import { callbackUrlProblem } from '../net/addresses';
import { MAX_CHUNKED_BYTES, storedSizeBytes } from '../storage/chunkedJson';
import { findIllFormedText } from './wellFormedText';
import { toJsonPath } from './zodIssues';

// The checks every request body gets around its schema.

/** The body is a JSON object whose text is well-formed throughout (unknown fields go to Graph and into storage too). */
export function requireWellFormedObject(raw: unknown, what: string): asserts raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInput(`The body must be a JSON object ${what}.`, [
      { path: '(body)', message: 'must be an object' },
    ]);
  }
  const illFormed = findIllFormedText(raw);
  if (illFormed) {
    throw invalidField(toJsonPath(illFormed), 'must be well-formed text (it holds half of a UTF-16 surrogate pair)');
  }
}

/** The service POSTs to a callbackUrl from inside the customer's network: refuse internal targets. */
export function requireSafeCallbackUrl(callbackUrl: string | undefined, allowLoopbackUrls: boolean): void {
  const problem = callbackUrl && callbackUrlProblem(new URL(callbackUrl), allowLoopbackUrls);
  if (problem) throw invalidField('callbackUrl', problem);
}

/**
 * What a request asks to keep (an invite's participants, a call's targets) fits the one record it
 * is kept in, checked before Graph is called; bodies up to 64 KiB always do.
 */
export function requireFitsOneRecord(value: unknown, path: string, record: string): void {
  const storedBytes = storedSizeBytes(value);
  if (storedBytes <= MAX_CHUNKED_BYTES) return;
  const limit = `at most ${MAX_CHUNKED_BYTES} bytes as stored (UTF-16, about ${Math.floor(MAX_CHUNKED_BYTES / 2)} characters of JSON)`;
  throw new PayloadTooLarge(`${path} hold ${storedBytes} bytes as stored; ${limit} fit the ${record}.`, [
    { path, message: limit },
  ]);
}
