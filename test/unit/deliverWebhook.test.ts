import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { newOperationRecord, type OperationRecord, type WebhookState } from '../../src/operations/operationRecord';
import { deliverWebhook } from '../../src/webhooks/deliverWebhook';
import type { PostResult } from '../../src/webhooks/postJson';
import type { WebhookMessage } from '../../src/webhooks/webhookScheduler';
import { memoryServices, silentLog, TestClock } from '../support/inProcess';

/** Delivery on in-memory stores: a receiver answering as scripted, a clock of the test's. */
async function setup(webhook: WebhookState | null, statuses: number[] = []) {
  const clock = new TestClock();
  const services = memoryServices({ clock });
  const posts: Array<{ url: string; body: any }> = [];
  const now = clock.now().toISOString();
  const op: OperationRecord = newOperationRecord(
    {
      callId: randomUUID(),
      id: randomUUID(),
      graphOperationId: null,
      type: 'playPromptOperation',
      status: 'completed',
      callbackUrl: 'https://example.com/hook',
      webhook,
    },
    now,
  );
  await services.operations.save({ operation: { value: op } });
  await services.operations.markWebhookDue(op.callId, op.id, now);
  const deps = {
    operations: services.operations,
    roster: services.roster,
    calls: services.calls,
    eventSubscriptions: services.eventSubscriptions,
    webhooks: services.webhooks,
    now: clock.now,
    ringTimeoutMs: 60_000,
    post: async (url: string, body: unknown): Promise<PostResult> => {
      posts.push({ url, body });
      return { status: statuses[posts.length - 1] ?? 200 };
    },
    maxAttempts: 3,
    retryBaseSeconds: 15,
    leaseMs: 30_000,
    log: silentLog,
  };
  const deliver = (message: Partial<WebhookMessage> = {}) =>
    deliverWebhook(deps, { callId: op.callId, operationId: op.id, attempt: 0, waits: 0, ...message });
  const state = async () => (await services.operations.get(op.callId, op.id))!.value.webhook;
  return { clock, services, posts, deliver, state, op };
}

const pending = (clock = new TestClock()): WebhookState => ({
  status: 'pending',
  attempts: 0,
  since: clock.now().toISOString(),
  nextAttemptAt: clock.now().toISOString(),
});

describe('delivering a completion webhook (in process)', () => {
  it('POSTs the operation once, marks it delivered and clears it from the sweep index', async () => {
    const { posts, deliver, state, services, op } = await setup(pending());
    expect(await deliver()).toBe('delivered');
    expect(await deliver()).toBe('done');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({ id: op.id, status: 'completed' });
    expect(await state()).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await services.operations.webhooksDue()).toEqual([]);
  });

  it('queues the next attempt with back-off after a failure, and keeps its due time', async () => {
    const { clock, deliver, state, services } = await setup(pending(), [500]);
    expect(await deliver()).toBe('retrying');
    expect(services.webhooks.messages.at(-1)).toMatchObject({ message: { attempt: 1 }, delaySeconds: 15 });
    expect(await state()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500',
      nextAttemptAt: new Date(clock.ms + 15_000).toISOString(),
    });
  });

  it('drops a duplicate of an earlier attempt, and makes an early one wait for the back-off', async () => {
    const { clock, posts, deliver, services } = await setup(pending(), [500]);
    await deliver();
    expect(await deliver({ attempt: 0 })).toBe('done'); // stale: attempt 1 has its own message
    expect(await deliver({ attempt: 1 })).toBe('waiting'); // early: due in 15 s
    expect(services.webhooks.messages.at(-1)?.delaySeconds).toBe(15);
    expect(posts).toHaveLength(1);
    clock.advance(15_000);
    expect(await deliver({ attempt: 1 })).toBe('delivered');
    expect(posts).toHaveLength(2);
  });

  it('leaves a delivery another instance holds alone until its lease runs out', async () => {
    const clock = new TestClock();
    const { posts, deliver } = await setup({ status: 'delivering', attempts: 1, since: clock.now().toISOString() });
    expect(await deliver({ attempt: 1 })).toBe('waiting');
    expect(posts).toHaveLength(0);
  });

  it('gives up after the configured number of attempts', async () => {
    const { clock, deliver, state, services } = await setup(pending(), [500, 500, 500]);
    for (let attempt = 0; attempt < 3; attempt++) {
      await deliver({ attempt });
      clock.advance(3600_000);
    }
    expect(await state()).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await services.operations.webhooksDue()).toEqual([]);
  });

  it('sends nothing once the webhook was cancelled', async () => {
    const clock = new TestClock();
    const { posts, deliver } = await setup({ status: 'cancelled', attempts: 0, since: clock.now().toISOString() });
    expect(await deliver()).toBe('done');
    expect(posts).toEqual([]);
  });
});
