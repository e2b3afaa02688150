import { randomUUID } from 'node:crypto';

import { inject } from 'vitest';

export const stack = inject('stack');

/**
 * For a host whose storage requests a test counts: its timers (keep-alive every 5 minutes on the
 * clock, the webhook sweep, the purge) run once a year, so none reads storage in the middle of a count.
 */
export const QUIET_TIMERS = {
  KEEPALIVE_SCHEDULE: '0 0 0 1 1 *',
  WEBHOOK_SWEEP_SCHEDULE: '0 0 0 1 1 *',
  RETENTION_SCHEDULE: '0 0 0 1 1 *',
};

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string | Buffer;
    key?: string | false;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    baseUrl?: string;
  } = {},
): Promise<ApiResponse<T>> {
  const url = new URL(`${options.baseUrl ?? stack.hostUrl}${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== false && !options.query?.code) headers['x-functions-key'] = options.key ?? stack.functionKey;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const newCallId = () => randomUUID();

export const invite = (callId: string, body: unknown, options: Parameters<typeof call>[2] = {}) =>
  call('POST', `/api/calls/${callId}/participants/invite`, { ...options, body });

export const getOperation = (callId: string, operationId: string) =>
  call('GET', `/api/calls/${callId}/operations/${operationId}`);
export const listOperations = (callId: string) => call('GET', `/api/calls/${callId}/operations`);
export const getRoster = (callId: string) => call('GET', `/api/calls/${callId}/participants`);

/**
 * A paged list read whole by following `@odata.nextLink` as Logic Apps' pagination does: the first
 * page's body with every page's items under `listKey`, and how many pages it took.
 */
export async function readAllPages(path: string, listKey: 'operations' | 'participants' | 'events', baseUrl?: string) {
  const first = await call('GET', path, { baseUrl });
  if (first.status !== 200) return { ...first, pages: 1 };
  const items: unknown[] = [...first.body[listKey]];
  let pages = 1;
  for (let link: string | undefined = first.body['@odata.nextLink']; link; pages++) {
    const next = new URL(link);
    const page = await call('GET', next.pathname + next.search, { baseUrl: next.origin });
    if (page.status !== 200) throw new Error(`page ${pages + 1} of ${path}: ${page.status} ${page.text}`);
    items.push(...page.body[listKey]);
    link = page.body['@odata.nextLink'];
  }
  const { '@odata.nextLink': _link, ...body } = first.body;
  return { ...first, body: { ...body, [listKey]: items }, pages };
}

export const userInvitee = (id: string = randomUUID(), extra: Record<string, unknown> = {}) => ({
  identity: { user: { id, displayName: 'Test User' } },
  ...extra,
});

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
