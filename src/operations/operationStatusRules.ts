import { MAX_EXTRA_CHARS } from '../schemas/commsOperation';
import { isTerminal, type OperationStatus } from '../schemas/operationStatus';
import type { ResultInfo } from '../schemas/resultInfo';
import type { OperationRecord, OperationState } from './operationRecord';

const RANK: Record<OperationStatus, number> = { notStarted: 0, running: 1, completed: 2, failed: 2 };

export interface OperationChange {
  status: OperationStatus;
  resultInfo?: ResultInfo | null;
  extra?: Record<string, unknown>;
  type?: string;
  clientContext?: string | null;
  participants?: unknown[] | null;
  callbackUrl?: string | null;
}

export interface MergeResult<T> {
  record: T;
  /** False when the change adds nothing (a duplicate or a stale notification): no write needed. */
  changed: boolean;
  /** Set when a different terminal status arrived after the first one, which wins. */
  conflictingTerminal?: OperationStatus;
}

/**
 * The one rule for operation state, applied to changes in the order they arrive: status never
 * moves backwards (notStarted < running < completed | failed), the first terminal status wins,
 * and resultInfo and the other reported fields come with the status that won (a later report of
 * the same status only fills in what is missing; a stale or losing one changes nothing).
 */
export function mergeState(current: OperationState, change: OperationChange): MergeResult<OperationState> {
  const advances = RANK[change.status] > RANK[current.status];
  if (!advances && change.status !== current.status) {
    const conflictingTerminal = isTerminal(current.status) && isTerminal(change.status);
    return { record: current, changed: false, ...(conflictingTerminal ? { conflictingTerminal: change.status } : {}) };
  }
  const next: OperationState = {
    status: change.status,
    resultInfo: advances
      ? (change.resultInfo ?? current.resultInfo)
      : (current.resultInfo ?? change.resultInfo ?? null),
    extra: advances
      ? within({ ...current.extra, ...change.extra }, change.extra ?? {})
      : within({ ...change.extra, ...current.extra }, current.extra),
  };
  const changed =
    advances || next.resultInfo !== current.resultInfo || JSON.stringify(next.extra) !== JSON.stringify(current.extra);
  return { record: changed ? next : current, changed };
}

/** The merged fields while they fit what one record keeps, else the winner's own (each report fits alone). */
const within = (merged: Record<string, unknown>, winners: Record<string, unknown>) =>
  JSON.stringify(merged).length <= MAX_EXTRA_CHARS ? merged : winners;

/** The status rule on a whole record; fields the record lacks are filled in from the change. */
export function mergeOperationChange(
  current: OperationRecord,
  change: OperationChange,
  now: string,
): MergeResult<OperationRecord> {
  const state = mergeState(current, change);
  const next: OperationRecord = { ...current, ...state.record };
  if (state.changed && isTerminal(next.status) && !isTerminal(current.status)) next.terminalDateTime = now;
  if (!next.clientContext && change.clientContext) next.clientContext = change.clientContext;
  if (!next.participants && change.participants) next.participants = change.participants;
  if (!next.callbackUrl && change.callbackUrl) next.callbackUrl = change.callbackUrl;
  if (next.type === 'commsOperation' && change.type && change.type !== 'commsOperation') next.type = change.type;

  const changed =
    state.changed ||
    next.clientContext !== current.clientContext ||
    next.participants !== current.participants ||
    next.callbackUrl !== current.callbackUrl ||
    next.type !== current.type;
  if (changed) next.lastModifiedDateTime = now;
  return { record: next, changed, conflictingTerminal: state.conflictingTerminal };
}

/**
 * Whether writing `after` (over `before`, if it existed) must start the completion webhook:
 * the operation has just become terminal with a callbackUrl, or just gained one while terminal.
 */
export function startsWebhook(before: OperationRecord | undefined, after: OperationRecord): boolean {
  if (!after.callbackUrl || !isTerminal(after.status) || after.webhook) return false;
  return !(before && before.callbackUrl && isTerminal(before.status));
}
