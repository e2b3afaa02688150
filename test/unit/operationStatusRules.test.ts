import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { OperationRecord } from '../../src/operations/operationRecord';
import { mergeOperationChange } from '../../src/operations/operationStatusRules';
import { OPERATION_STATUSES, type OperationStatus } from '../../src/schemas/operationStatus';
import { operationRecord } from '../support/records';

const base = operationRecord();
const NOW = '2026-01-01T00:00:05.000Z';
const rank = (s: OperationStatus) => ({ notStarted: 0, running: 1, completed: 2, failed: 2 })[s];

describe('operation status rule', () => {
  it('keeps a completed operation completed when a late running notification arrives', () => {
    const done = mergeOperationChange(base, { status: 'completed' }, NOW).record;
    const late = mergeOperationChange(done, { status: 'running' }, NOW);
    expect(late.record.status).toBe('completed');
    expect(late.changed).toBe(false);
  });

  it('lets the first terminal status win and reports the conflicting one', () => {
    const failed = mergeOperationChange(
      base,
      { status: 'failed', resultInfo: { code: 500, subcode: 1, message: 'x' } },
      NOW,
    ).record;
    const later = mergeOperationChange(failed, { status: 'completed' }, NOW);
    expect(later.record.status).toBe('failed');
    expect(later.conflictingTerminal).toBe('completed');
    expect(later.changed).toBe(false);
  });

  it('reports no change for a duplicate, so no write is needed', () => {
    const once = mergeOperationChange(base, { status: 'completed' }, NOW).record;
    expect(mergeOperationChange(once, { status: 'completed' }, NOW).changed).toBe(false);
  });

  it('never moves backwards, whatever order the updates arrive in', () => {
    const status = fc.constantFrom(...OPERATION_STATUSES);
    fc.assert(
      fc.property(status, fc.array(status, { maxLength: 12 }), (start, updates) => {
        let record: OperationRecord = { ...base, status: start };
        let firstTerminal: OperationStatus | undefined = rank(start) === 2 ? start : undefined;
        for (const s of updates) {
          const next = mergeOperationChange(record, { status: s }, NOW).record;
          expect(rank(next.status)).toBeGreaterThanOrEqual(rank(record.status));
          if (!firstTerminal && rank(s) === 2) firstTerminal = s;
          record = next;
        }
        if (firstTerminal) expect(record.status).toBe(firstTerminal);
      }),
    );
  });

  it('takes resultInfo and the other reported fields from the status that won, in arrival order', () => {
    const status = fc.constantFrom(...OPERATION_STATUSES);
    const change = fc.record({ status, tag: fc.nat(1000) });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 12 }), (changes) => {
        let record: OperationRecord = { ...base, status: 'notStarted' };
        let winner: { status: OperationStatus; tag: number } | undefined;
        for (const c of changes) {
          const resultInfo = { code: c.tag, subcode: 0, message: c.status };
          record = mergeOperationChange(record, { status: c.status, resultInfo, extra: { reason: c.tag } }, NOW).record;
          // The first change to reach a rank sets resultInfo; an equal status later only fills in, never replaces.
          if (!winner || rank(c.status) > rank(winner.status)) winner = c;
        }
        if (winner!.status === 'notStarted') return;
        expect(record.status).toBe(winner!.status);
        expect(record.resultInfo).toEqual({ code: winner!.tag, subcode: 0, message: winner!.status });
        expect(record.extra.reason).toBe(winner!.tag);
      }),
    );
  });

  it('keeps the reported fields within what one record holds, however many reports add to them', () => {
    const big = (key: string) => ({ [key]: 'x'.repeat(20_000) });
    let record = mergeOperationChange(base, { status: 'running', extra: big('a') }, NOW).record;
    record = mergeOperationChange(
      record,
      { status: 'completed', extra: { ...big('b'), completionReason: 'completedSuccessfully' } },
      NOW,
    ).record;
    expect(JSON.stringify(record.extra).length).toBeLessThanOrEqual(32_000);
    expect(record.extra.completionReason).toBe('completedSuccessfully');
    record = mergeOperationChange(record, { status: 'completed', extra: big('c') }, NOW).record;
    expect(Object.keys(record.extra).sort()).toEqual(['b', 'completionReason']);
  });
});
