import { createHash } from 'node:crypto';

import { isWellFormed } from '../schemas/wellFormedText';

// Table Storage forbids / \ # ? and control characters (U+0000–U+001F, U+007F–U+009F: \p{Cc}) in keys; `%` is escaped so the
// encoding stays reversible and `:` so escaped ids never collide with prefixed rows (`ctx:`).
// `'` too: Azurite (3.35) cannot find an entity whose key holds `',` from inside a transaction
// (its batch parser splits the entity's URL there), so such an invite would fail on its own row.
// Half a surrogate pair has no UTF-8 form, so it becomes `%uD800`: distinct from every `%XX`.
const FORBIDDEN = /[/\\#?%:'\p{Cc}]|\p{Cs}/gu;
// Keys may be at most 1 KiB; longer ones are replaced by a digest (distinct, not reversible).
const MAX_KEY_CHARS = 400;

export function escapeKey(value: string): string {
  const escaped = value.replace(FORBIDDEN, (c) =>
    c.length === 1 && c >= '\ud800' && c <= '\udfff'
      ? `%u${c.charCodeAt(0).toString(16).toUpperCase()}`
      : Array.from(Buffer.from(c, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  if (escaped.length <= MAX_KEY_CHARS) return escaped;
  // Ill-formed text is digested in its escaped form (UTF-8 would turn every lone half into U+FFFD),
  // under a label of its own so it cannot meet the digest of a well-formed value spelled like that form.
  if (!isWellFormed(value)) return `~sha256w~${createHash('sha256').update(escaped, 'utf8').digest('hex')}`;
  return `~sha256~${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

export const operationRowKey = (operationId: string) => escapeKey(operationId);
export const inviteContextRowKey = (clientContext: string) => `ctx:${escapeKey(clientContext)}`;
export const CALL_ROW_KEY = 'call';
// The roster table's partitions that are not calls (call ids are GUIDs, so these never meet one):
// the requests to start a call by clientContext, and the index of live calls the service started.
export const CALL_REQUESTS_PARTITION = '~call-requests';
export const LIVE_CALLS_PARTITION = '~live-calls';
export const callRequestRowKey = (clientContext: string) => `ctx:${escapeKey(clientContext)}`;
/** The operations table's partition of pending webhook deliveries: never a call id (those are GUIDs). */
export const WEBHOOKS_DUE_PARTITION = '~webhooks';
export const webhookDueRowKey = (callId: string, operationId: string) => `${callId}~${escapeKey(operationId)}`;

/**
 * The operations of a call in newest-first order: one small row per operation whose key sorts by
 * its creation time, inverted (`t:<9999999999999 - ms>:<operation row key>`), so a page is one
 * range query. Written with the operation's row, deleted with it.
 */
export const OPERATION_ORDER_PREFIX = 't:';
export const OPERATION_ORDER_END = 't;';
export function operationOrderKey(createdDateTime: string, operationId: string): string {
  const ms = Date.parse(createdDateTime);
  const inverted = 9_999_999_999_999 - (Number.isFinite(ms) ? Math.max(0, Math.min(ms, 9_999_999_999_999)) : 0);
  return `${OPERATION_ORDER_PREFIX}${String(inverted).padStart(13, '0')}:${operationRowKey(operationId)}`;
}
export const ORDER_INDEXED_ROW_KEY = 'order:indexed';
/** Participant rows sort by their key; a page of the roster is one range query over them. */
export const PARTICIPANT_PREFIX = 'p:';
export const PARTICIPANT_END = 'p;';
export const participantRowKey = (key: string) => `${PARTICIPANT_PREFIX}${escapeKey(key)}`;
/** The tenant whose callbacks may change the call (src/notifications/callTenants.ts): one row per call. */
export const TENANT_ROW_KEY = 'tenant';
/** The head of a call's roster (src/roster/rosterHead.ts): one row per call. */
export const ROSTER_HEAD_ROW_KEY = 'roster';
/** A call's events, oldest first: `e:` and the sequence, zero-padded so keys sort as numbers. */
export const EVENT_PREFIX = 'e:';
export const EVENT_END = 'e;';
export const eventRowKey = (sequence: number) => `${EVENT_PREFIX}${String(sequence).padStart(12, '0')}`;
/** A call's event subscriptions (src/webhooks/eventSubscriptions.ts): `s:` and the subscription id. */
export const subscriptionRowKey = (id: string) => `s:${escapeKey(id)}`;
/** The roster table's partition of subscriptions to every call's events (never a call id: not a GUID). */
export const ALL_CALLS_SUBSCRIPTIONS_PARTITION = '~event-subscriptions';
/**
 * The row of that partition whose ETag changes with every subscription made or ended there, so that
 * an instance learns whether its list is current from one read by key (escapeKey never yields `:`,
 * so no subscription's row has this key).
 */
export const ALL_CALLS_SUBSCRIPTIONS_VERSION_ROW_KEY = '~:version';
/**
 * The roster table's row saying this version of the service created the table: every call in it
 * has a roster head, so a call without one is new (rosterRepository.readHead need not look for the
 * participant rows an earlier version wrote without a head).
 */
export const TABLE_META_PARTITION = '~meta';
export const HEADS_SINCE_CREATION_ROW_KEY = 'rosterHeads';
/** The row of that partition holding the key that signs page continuations (src/storage/pagingKey.ts). */
export const PAGING_KEY_ROW_KEY = 'pagingKey';
