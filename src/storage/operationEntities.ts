import type { TableEntity } from '@azure/data-tables';
import type { InviteContextRecord, OperationRecord, WebhookState } from '../operations/operationRecord';
import type { OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';
import { fromChunks, toChunks } from './chunkedJson';
import { inviteContextRowKey, operationRowKey } from './keys';

/**
 * Rows of the operations table (partition = canonical call id):
 * - `kind: "operation"`, row = escaped operation id: one Graph operation;
 * - `kind: "inviteContext"`, row = `ctx:` + escaped clientContext: an invite by its idempotency key.
 * JSON-valued fields (`participants`, `resultInfo`) are stored as text, `participants` in chunks.
 */
export type StoredEntity = TableEntity<Record<string, unknown>>;

const json = (value: unknown) => (value == null ? '' : JSON.stringify(value));
const parseJson = <T>(value: unknown): T | null => (typeof value === 'string' && value !== '' ? (JSON.parse(value) as T) : null);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function toOperationEntity(r: OperationRecord): StoredEntity {
  return {
    partitionKey: r.callId,
    rowKey: operationRowKey(r.id),
    kind: 'operation',
    callId: r.callId,
    operationId: r.id,
    type: r.type,
    clientContext: r.clientContext ?? '',
    status: r.status,
    resultInfo: json(r.resultInfo),
    ...(r.participants ? toChunks('participants', r.participants) : {}),
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
    terminalDateTime: r.terminalDateTime ?? '',
    callbackUrl: r.callbackUrl ?? '',
    webhook: json(r.webhook),
    inviteTraceParent: r.inviteTraceParent ?? '',
  };
}

export function fromOperationEntity(e: Record<string, unknown>): OperationRecord {
  return {
    callId: String(e.callId),
    id: String(e.operationId),
    type: String(e.type),
    clientContext: text(e.clientContext),
    status: e.status as OperationStatus,
    resultInfo: parseJson<ResultInfo>(e.resultInfo),
    participants: fromChunks<unknown[]>(e, 'participants') ?? null,
    createdDateTime: String(e.createdDateTime),
    lastModifiedDateTime: String(e.lastModifiedDateTime),
    terminalDateTime: text(e.terminalDateTime),
    callbackUrl: text(e.callbackUrl),
    webhook: parseJson<WebhookState>(e.webhook),
    inviteTraceParent: text(e.inviteTraceParent),
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
    earlyStatus: r.earlyStatus ?? '',
    earlyResultInfo: json(r.earlyResultInfo),
    createdDateTime: r.createdDateTime,
    callbackUrl: r.callbackUrl ?? '',
  };
}

export function fromInviteContextEntity(e: Record<string, unknown>): InviteContextRecord {
  return {
    callId: String(e.callId),
    clientContext: String(e.clientContext),
    requestHash: String(e.requestHash),
    operationId: text(e.operationId),
    sendingSince: text(e.sendingSince),
    earlyStatus: text(e.earlyStatus) as OperationStatus | null,
    earlyResultInfo: parseJson<ResultInfo>(e.earlyResultInfo),
    createdDateTime: String(e.createdDateTime),
    callbackUrl: text(e.callbackUrl),
  };
}
