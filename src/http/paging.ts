import type { HttpRequest } from '@azure/functions';

import { invalidField } from '../errors';
import { isWellFormed } from '../schemas/wellFormedText';
import { locationOf } from './asyncResponse';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Longer than any continuation storage hands out; anything beyond is not ours. */
const MAX_SKIPTOKEN_CHARS = 2048;

/** What one page asks for: how many, and where the previous page stopped (the store's position, opaque here). */
export interface PageRequest {
  top: number;
  after: string | undefined;
}

/**
 * `$top` (1 to 1000, default 100) and `$skiptoken` (from a previous page's `@odata.nextLink`), as
 * Graph pages. The token names what it continues (`scope`: the list and the call), so a token of
 * another list or call, or one that was altered, is a 400, never a 500.
 */
export function parsePageRequest(req: HttpRequest, scope: string): PageRequest {
  const topText = req.query.get('$top');
  let top = DEFAULT_PAGE_SIZE;
  if (topText !== null) {
    if (!/^[1-9]\d{0,3}$/.test(topText) || Number(topText) > MAX_PAGE_SIZE)
      throw invalidField('$top', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    top = Number(topText);
  }
  const token = req.query.get('$skiptoken');
  if (token === null) return { top, after: undefined };
  const decoded = token.length <= MAX_SKIPTOKEN_CHARS ? decodeToken(token) : undefined;
  if (!decoded || decoded.s !== scope) throw invalidField('$skiptoken', 'is not a continuation of this list');
  return { top, after: decoded.t };
}

function decodeToken(token: string): { s: string; t: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const { s, t } = (parsed ?? {}) as { s?: unknown; t?: unknown };
    // A position is a row key: well-formed text without control characters (storage refuses those;
    // JSON's `\ud800` escape makes a lone surrogate that base64 and UTF-8 alone never would).
    const position = typeof t === 'string' && /^[^\p{Cc}]+$/u.test(t) && isWellFormed(t);
    return typeof s === 'string' && position ? { s, t } : undefined;
  } catch {
    return undefined;
  }
}

/** `@odata.nextLink` while more remain: this request's URL with the next `$skiptoken` (and its `code`). */
export function nextLink(req: HttpRequest, scope: string, page: PageRequest, next: string | undefined) {
  if (!next) return {};
  const url = new URL(locationOf(req, new URL(req.url).pathname));
  url.searchParams.set('$top', String(page.top));
  url.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ s: scope, t: next })).toString('base64url'));
  return { '@odata.nextLink': url.toString() };
}
