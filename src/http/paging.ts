import { createHmac, timingSafeEqual } from 'node:crypto';

import type { HttpRequest } from '@azure/functions';

import { invalidField } from '../errors';
import { isWellFormed } from '../schemas/wellFormedText';
import { type Addressing, locationOf } from './asyncResponse';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Longer than any continuation storage hands out; anything beyond is not ours. */
const MAX_SKIPTOKEN_CHARS = 2048;

/** What one page asks for: how many, and where the previous page stopped (the store's position, opaque here). */
export interface PageRequest {
  top: number;
  after: string | undefined;
}

/** The paging of one list for one request: the page it asks for and the link to the next one. */
export interface ListPaging {
  page: PageRequest;
  /** `@odata.nextLink` while more remain (spread into the body), `{}` at the end. */
  nextLink(next: string | undefined): { '@odata.nextLink'?: string };
}

/**
 * `$top` (1 to 1000, default 100) and `$skiptoken` (from a previous page's `@odata.nextLink`), as Graph
 * pages. The token names what it continues (`scope`: the list and the call) and is signed with the
 * deployment's paging key (src/storage/pagingKey.ts), so a token of another list or call, or one that
 * was altered in any way, is a 400, never a 500 and never a read where the caller chose.
 */
export function listPaging(req: HttpRequest, addressing: Addressing, key: Buffer, scope: string): ListPaging {
  const page = parsePageRequest(req, scope, key);
  return {
    page,
    nextLink(next) {
      if (!next) return {};
      const url = new URL(locationOf(req, addressing, new URL(req.url).pathname));
      url.searchParams.set('$top', String(page.top));
      url.searchParams.set('$skiptoken', signToken(key, { s: scope, t: next }));
      return { '@odata.nextLink': url.toString() };
    },
  };
}

function parsePageRequest(req: HttpRequest, scope: string, key: Buffer): PageRequest {
  const topText = req.query.get('$top');
  let top = DEFAULT_PAGE_SIZE;
  if (topText !== null) {
    if (!/^[1-9]\d{0,3}$/.test(topText) || Number(topText) > MAX_PAGE_SIZE)
      throw invalidField('$top', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    top = Number(topText);
  }
  const token = req.query.get('$skiptoken');
  if (token === null) return { top, after: undefined };
  const decoded = token.length <= MAX_SKIPTOKEN_CHARS ? verifyToken(key, token) : undefined;
  if (!decoded || decoded.s !== scope) throw invalidField('$skiptoken', 'is not a continuation of this list');
  return { top, after: decoded.t };
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

/** A `$skiptoken`: the scope and position, readable, and an HMAC of them with the deployment's key. */
export function signToken(key: Buffer, token: { s: string; t: string }): string {
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

function verifyToken(key: Buffer, token: string): { s: string; t: string } | undefined {
  const dot = token.lastIndexOf('.');
  if (dot < 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const { s, t } = (parsed ?? {}) as { s?: unknown; t?: unknown };
    // A position is a row key: well-formed text without control characters (storage refuses those).
    const position = typeof t === 'string' && /^[^\p{Cc}]+$/u.test(t) && isWellFormed(t);
    return typeof s === 'string' && position ? { s, t } : undefined;
  } catch {
    return undefined;
  }
}
