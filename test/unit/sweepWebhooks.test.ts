import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { newOperationRecord, type WebhookState } from '../../src/operations/operationRecord';
import { sweepWebhooks } from '../../src/webhooks/sweepWebhooks';
import { memoryServices, silentLog, TestClock } from '../support/inProcess';

const GRACE = 30_000;

/** The sweep over in-memory stores: each row an operation (or none) and when its index row was written. */
async function sweep(rows: Array<{ webhook?: WebhookState | null; markedAgoMs: number }>) {
  const clock = new TestClock();
  const services = memoryServices({ clock });
  const ago = (ms: number) => new Date(clock.ms - ms).toISOString();
  const ids = rows.map(() => ({ callId: randomUUID(), operationId: randomUUID() }));
  for (const [i, row] of rows.entries()) {
    const { callId, operationId } = ids[i]!;
    if (row.webhook !== undefined) {
      const op = newOperationRecord(
        {
          callId,
          id: operationId,
          graphOperationId: operationId,
          type: 'playPromptOperation',
          status: 'completed',
          callbackUrl: 'https://example.com/h',
          webhook: row.webhook,
        },
        ago(600_000),
      );
      await services.operations.save({ operation: { value: op } });
    }
    await services.operations.markWebhookDue(callId, operationId, ago(row.markedAgoMs));
  }
  await sweepWebhooks({ ...services, graceMs: GRACE, log: silentLog, ringTimeoutMs: 60_000 });
  const index: string[] = ids.map(({ callId }) => callId);
  const due = new Set((await services.operations.webhooksDue()).map((d) => d.callId));
  return {
    queued: services.webhooks.messages.map((m) => [index.indexOf(m.message.callId), m.message.attempt]),
    cleared: index.flatMap((callId, i) => (due.has(callId) ? [] : [i])),
  };
}

const clock = new TestClock();
const at = (agoMs: number) => new Date(clock.ms - agoMs).toISOString();

describe('webhook sweep (in process)', () => {
  it('queues again a delivery overdue by more than the grace, with its attempt count', async () => {
    const result = await sweep([
      {
        webhook: { status: 'pending', attempts: 2, since: at(120_000), nextAttemptAt: at(60_000) },
        markedAgoMs: 300_000,
      },
      {
        webhook: { status: 'pending', attempts: 1, since: at(20_000), nextAttemptAt: at(10_000) },
        markedAgoMs: 300_000,
      },
      { webhook: { status: 'delivering', attempts: 3, since: at(45_000) }, markedAgoMs: 300_000 },
      { webhook: { status: 'delivering', attempts: 1, since: at(5_000) }, markedAgoMs: 300_000 },
    ]);
    expect(result.queued).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect(result.cleared).toEqual([]);
  });

  it('clears rows whose delivery is over, but not one whose subject may still be being written', async () => {
    const result = await sweep([
      { webhook: { status: 'delivered', attempts: 1, since: at(60_000) }, markedAgoMs: 300_000 },
      { markedAgoMs: 300_000 }, // the operation is gone
      { markedAgoMs: 1_000 }, // marked just now: its operation's write may not have landed yet
      { webhook: null, markedAgoMs: 1_000 },
    ]);
    expect(result).toMatchObject({ queued: [], cleared: [0, 1] });
  });
});
