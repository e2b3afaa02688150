import type { TableEntity } from '@azure/data-tables';

import { replacedCallsOf } from '../invitees/inviteeOutcomes';
import type {
  InviteContextRecord,
  OperationRecord,
  OperationState,
  SavedOutcome,
  WebhookState,
} from '../operations/operationRecord';
import type { OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';
import { fromChunks, toChunks } from './chunkedJson';
import { fromJsonText, fromText, toJsonText } from './entityValues';
import { inviteContextRowKey, operationOrderKey, operationRowKey, ORDER_INDEXED_ROW_KEY } from './keys';

/**
 * Rows of the operations table (partition = canonical call id):
 * - `kind: "operation"`, row = escaped operation id: one Graph operation;
 * - `kind: "alias"`, row = escaped Graph operation id: Graph's id of an operation kept under another;
 * - `kind: "inviteContext"`, row = `ctx:` + escaped clientContext: an invite by its idempotency key,
 *   with the request's participants and what early callbacks reported (`early`).
 * JSON-valued fields (`participants`, `resultInfo`, `early`) are stored as text, `participants` in chunks.
 */
export type StoredEntity = TableEntity<Record<string, unknown>>;

export function toOperationEntity(r: OperationRecord): StoredEntity {
  return {
    partitionKey: r.callId,
    rowKey: operationRowKey(r.id),
    kind: 'operation',
    callId: r.callId,
    operationId: r.id,
    graphOperationId: r.graphOperationId ?? '',
    type: r.type,
    clientContext: r.clientContext ?? '',
    status: r.status,
    resultInfo: toJsonText(r.resultInfo),
    extra: Object.keys(r.extra).length ? JSON.stringify(r.extra) : '',
    ...(r.participants ? toChunks('participants', r.participants) : {}),
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
    terminalDateTime: r.terminalDateTime ?? '',
    callbackUrl: r.callbackUrl ?? '',
    webhook: toJsonText(r.webhook),
    inviteTraceParent: r.inviteTraceParent ?? '',
    inviteeOutcomes: toJsonText(r.inviteeOutcomes),
    // The calls whose rosters an invite with replacesCallId reads: retention finds them by this.
    replacesCallIds: replacedCallsOf(r).join(','),
  };
}

/**
 * `kind: "alias"`, row = escaped Graph operation id: points at the operation kept under the
 * service's own id (an invite whose answer never arrived but whose callbacks proved it started).
 */
export function toAliasEntity(r: OperationRecord): StoredEntity {
  return {
    partitionKey: r.callId,
    rowKey: operationRowKey(r.graphOperationId!),
    kind: 'alias',
    aliasOf: r.id,
    lastModifiedDateTime: r.lastModifiedDateTime,
  };
}

export function fromOperationEntity(e: Record<string, unknown>): OperationRecord {
  return {
    callId: String(e.callId),
    id: String(e.operationId),
    // Rows from before graphOperationId was kept were all keyed by Graph's id.
    graphOperationId: e.graphOperationId === undefined ? String(e.operationId) : fromText(e.graphOperationId),
    type: String(e.type),
    clientContext: fromText(e.clientContext),
    status: e.status as OperationStatus,
    resultInfo: fromJsonText<ResultInfo>(e.resultInfo),
    extra: fromJsonText<Record<string, unknown>>(e.extra) ?? {},
    participants: fromChunks<unknown[]>(e, 'participants') ?? null,
    createdDateTime: String(e.createdDateTime),
    lastModifiedDateTime: String(e.lastModifiedDateTime),
    terminalDateTime: fromText(e.terminalDateTime),
    callbackUrl: fromText(e.callbackUrl),
    webhook: fromJsonText<WebhookState>(e.webhook),
    inviteTraceParent: fromText(e.inviteTraceParent),
    inviteeOutcomes: fromJsonText<SavedOutcome[]>(e.inviteeOutcomes),
  };
}

export function toInviteContextEntity(r: InviteContextRecord): StoredEntity {
  return {
    partitionKey: r.callId,
    rowKey: inviteContextRowKey(r.clientContext),
    kind: 'inviteContext',
    callId: r.callId,
    clientContext: r.clientContext,
    requestHash: r.requestHash,
    operationId: r.operationId ?? '',
    sendingSince: r.sendingSince ?? '',
    // In chunks: resultInfo and the reported fields together may exceed one string property.
    ...(r.early ? toChunks('early', r.early) : {}),
    ...toChunks('participants', r.participants),
    createdDateTime: r.createdDateTime,
    callbackUrl: r.callbackUrl ?? '',
  };
}

export function fromInviteContextEntity(e: Record<string, unknown>): InviteContextRecord {
  return {
    callId: String(e.callId),
    clientContext: String(e.clientContext),
    requestHash: String(e.requestHash),
    operationId: fromText(e.operationId),
    sendingSince: fromText(e.sendingSince),
    early: fromChunks<OperationState>(e, 'early') ?? legacyEarly(e),
    participants: fromChunks<unknown[]>(e, 'participants') ?? null,
    createdDateTime: String(e.createdDateTime),
    callbackUrl: fromText(e.callbackUrl),
  };
}

/** Rows written before `early` was kept in chunks had `earlyStatus` and `earlyResultInfo`. */
function legacyEarly(e: Record<string, unknown>): OperationState | null {
  const status = fromText(e.earlyStatus) as OperationStatus | null;
  return status && { status, resultInfo: fromJsonText<ResultInfo>(e.earlyResultInfo), extra: {} };
}

/** The operation's place in its call's newest-first order (keys.ts, operationOrderKey). */
export function toOrderEntity(op: Pick<OperationRecord, 'callId' | 'id' | 'createdDateTime'>): TableEntity {
  return {
    partitionKey: op.callId,
    rowKey: operationOrderKey(op.createdDateTime, op.id),
    kind: 'operationOrder',
    operationRowKey: operationRowKey(op.id),
  };
}

/**
 * The row saying a call's operations all have their order rows: operations stored by a version
 * without paging had none (OperationRepository.indexOlderOperations). `:` never occurs in an
 * escaped operation id, so no operation's row can have this key.
 */
export const toOrderIndexedEntity = (callId: string, lastModifiedDateTime: string): TableEntity => ({
  partitionKey: callId,
  rowKey: ORDER_INDEXED_ROW_KEY,
  kind: 'orderIndexed',
  lastModifiedDateTime,
});
