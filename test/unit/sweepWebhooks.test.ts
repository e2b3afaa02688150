import { describe, expect, it } from 'vitest';

import type { OperationRecord, WebhookState } from '../../src/operations/operationRecord';
import { sweepWebhooks } from '../../src/webhooks/sweepWebhooks';
import type { WebhookMessage } from '../../src/webhooks/webhookScheduler';
import { operationRecord } from '../support/records';

const NOW = Date.parse('2026-01-01T01:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const GRACE = 30_000;

/** The sweep over index rows and operations held in memory; returns what it queued and cleared. */
async function sweep(rows: Array<{ op?: OperationRecord; markedAt: string }>) {
  const ops = new Map<string, OperationRecord>(
    rows.flatMap((r, i) => (r.op ? [[`c${i}`, r.op] as [string, OperationRecord]] : [])),
  );
  const queued: WebhookMessage[] = [];
  const cleared: string[] = [];
  await sweepWebhooks({
    operations: {
      webhooksDue: async () => rows.map((r, i) => ({ callId: `c${i}`, operationId: 'o', markedAt: r.markedAt })),
      get: async (callId) => (ops.has(callId) ? { value: ops.get(callId)!, etag: '*' } : undefined),
      clearWebhookDue: async (callId) => void cleared.push(callId),
    },
    webhooks: { schedule: async (message) => void queued.push(message) },
    now: () => new Date(NOW),
    graceMs: GRACE,
    log: { info() {}, warn() {}, error() {} },
  });
  return { queued: queued.map((m) => [m.callId, m.attempt]), cleared };
}

const withWebhook = (webhook: WebhookState) =>
  operationRecord({ status: 'completed', callbackUrl: 'https://example.com/h', webhook });

describe('webhook sweep', () => {
  it('queues again a delivery overdue by more than the grace, with its attempt count', async () => {
    const overdue = withWebhook({ status: 'pending', attempts: 2, since: ago(120_000), nextAttemptAt: ago(60_000) });
    const early = withWebhook({ status: 'pending', attempts: 1, since: ago(20_000), nextAttemptAt: ago(10_000) });
    const stuck = withWebhook({ status: 'delivering', attempts: 3, since: ago(45_000) });
    const busy = withWebhook({ status: 'delivering', attempts: 1, since: ago(5_000) });
    const result = await sweep([overdue, early, stuck, busy].map((op) => ({ op, markedAt: ago(300_000) })));
    expect(result).toEqual({
      queued: [
        ['c0', 2],
        ['c2', 3],
      ],
      cleared: [],
    });
  });

  it('clears rows whose delivery is over, but not one whose operation may still be being written', async () => {
    const done = withWebhook({ status: 'delivered', attempts: 1, since: ago(60_000) });
    const result = await sweep([
      { op: done, markedAt: ago(300_000) },
      { markedAt: ago(300_000) }, // operation gone
      { markedAt: ago(1_000) }, // marked just now: its operation's write may not have landed yet
      { op: operationRecord(), markedAt: ago(1_000) },
    ]);
    expect(result).toEqual({ queued: [], cleared: ['c0', 'c1'] });
  });
});
