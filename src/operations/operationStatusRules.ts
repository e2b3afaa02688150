import { isTerminal, type OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';
import type { OperationRecord } from './operationRecord';

const RANK: Record<OperationStatus, number> = { notStarted: 0, running: 1, completed: 2, failed: 2 };

export interface OperationChange {
  status: OperationStatus;
  resultInfo?: ResultInfo | null;
  type?: string;
  clientContext?: string | null;
  participants?: unknown[] | null;
  callbackUrl?: string | null;
}

export interface MergeResult {
  record: OperationRecord;
  /** False when the change adds nothing (a duplicate or a stale notification): no write needed. */
  changed: boolean;
  /** Set when a different terminal status arrived after the first one, which wins. */
  conflictingTerminal?: OperationStatus;
}

/**
 * The one rule for operation state: status never moves backwards (notStarted < running <
 * completed | failed) and the first terminal status wins. Fields the record lacks are filled in.
 */
export function mergeOperationChange(current: OperationRecord, change: OperationChange, now: string): MergeResult {
  const next: OperationRecord = { ...current };
  let conflictingTerminal: OperationStatus | undefined;

  if (RANK[change.status] > RANK[current.status]) {
    next.status = change.status;
    if (change.resultInfo) next.resultInfo = change.resultInfo;
    if (isTerminal(change.status)) next.terminalDateTime = now;
  } else if (change.status === current.status) {
    if (change.resultInfo && !current.resultInfo) next.resultInfo = change.resultInfo;
  } else if (isTerminal(current.status) && isTerminal(change.status)) {
    conflictingTerminal = change.status;
  }
  if (!next.clientContext && change.clientContext) next.clientContext = change.clientContext;
  if (!next.participants && change.participants) next.participants = change.participants;
  if (!next.callbackUrl && change.callbackUrl) next.callbackUrl = change.callbackUrl;
  if (next.type === 'commsOperation' && change.type && change.type !== 'commsOperation') next.type = change.type;

  const changed =
    next.status !== current.status ||
    next.resultInfo !== current.resultInfo ||
    next.clientContext !== current.clientContext ||
    next.participants !== current.participants ||
    next.callbackUrl !== current.callbackUrl ||
    next.type !== current.type;
  if (changed) next.lastModifiedDateTime = now;
  return { record: next, changed, conflictingTerminal };
}

/**
 * Whether writing `after` (over `before`, if it existed) must start the completion webhook:
 * the operation has just become terminal with a callbackUrl, or just gained one while terminal.
 */
export function startsWebhook(before: OperationRecord | undefined, after: OperationRecord): boolean {
  if (!after.callbackUrl || !isTerminal(after.status) || after.webhook) return false;
  return !(before && before.callbackUrl && isTerminal(before.status));
}

/** The status the early callbacks of a not-yet-answered invite reached, by the same rule. */
export function laterStatus(a: OperationStatus | null, b: OperationStatus): OperationStatus {
  if (a === null) return b;
  return RANK[b] > RANK[a] ? b : a;
}
