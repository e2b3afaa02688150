import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FaultyProxy } from '../../dev/faultyProxy';
import { simulatorApi } from '../../dev/scenarioRunner';
import { type Azurite, azuriteConnection, type HostProcess, startAzurite, startHostProcess } from '../../dev/stack';
import { call, stack, userInvitee, waitFor } from '../support/api';
import { operationNotification, participant, rosterNotification } from '../support/notifications';
import { postNotifications } from '../support/simulator';
import { WebhookReceiver } from '../support/webhookReceiver';

// A host whose tables sit behind a proxy the test can cut, with a webhook queue of its own that
// stays up, retries after 2 s doubling, a lease of 12 s (1 s POST timeout) and a sweep every 2 s.
let proxy: FaultyProxy;
let queues: Azurite;
let host: HostProcess;
let receiver: WebhookReceiver;
let queue: QueueClient;
beforeAll(async () => {
  const azuritePort = Number(new URL(/TableEndpoint=([^;]+)/.exec(stack.tablesConnectionString)![1]!).port);
  proxy = await new FaultyProxy(azuritePort).start();
  queues = await startAzurite();
  host = await startHostProcess({
    env: {
      ...stack.hostEnv,
      TABLES_CONNECTION_STRING: azuriteConnection({ table: proxy.port }),
      WEBHOOK_QUEUE: queues.connectionString,
      WEBHOOK_RETRY_BASE_SECONDS: '2',
      WEBHOOK_TIMEOUT_SECONDS: '1',
      WEBHOOK_SWEEP_SCHEDULE: '*/2 * * * * *',
      RING_TIMEOUT_SECONDS: '1',
    },
  });
  receiver = await new WebhookReceiver().start();
  queue = new QueueClient(queues.connectionString, 'webhook-deliveries');
});
afterAll(async () => {
  await host?.stop();
  await receiver?.close();
  await queues?.stop();
  await proxy?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const api = (method: string, path: string, options: Parameters<typeof call>[2] = {}) =>
  call(method, path, { baseUrl: host.url, ...options });
const postsFor = (r: WebhookReceiver, operationId: string) => r.received.filter((x) => x.body?.id === operationId);

/** An invite with a callbackUrl whose invitee joined; returns once Graph's completion is stored (the delivery is queued). */
async function completedInvite(target: WebhookReceiver) {
  const callId = await simulatorApi({ ...stack, hostUrl: host.url }).createCall({ autoCallbacks: false });
  const invitee = userInvitee();
  const started = await api('POST', `/api/calls/${callId}/participants/invite`, {
    body: { participants: [invitee], callbackUrl: target.url },
  });
  expect(started.status).toBe(202);
  await postNotifications(rosterNotification(callId, [participant('user', invitee.identity.user.id)]), {
    baseUrl: host.url,
  });
  const done = await postNotifications(
    operationNotification({ callId, operationId: started.body.id, status: 'completed' }),
    { baseUrl: host.url },
  );
  expect(done.status).toBe(202);
  return { callId, operationId: started.body.id as string };
}

describe('webhook delivery survives storage faults and lost messages', () => {
  it('delivers exactly once after the tables were unavailable for 15 s at delivery time', async () => {
    const { operationId } = await completedInvite(receiver);
    proxy.failAfter(0); // the delivery is due in 1 s: it meets the outage
    await sleep(15_000);
    expect(postsFor(receiver, operationId)).toEqual([]);
    proxy.restore();
    await waitFor(
      async () => (postsFor(receiver, operationId).length ? true : undefined),
      40_000,
      'the delivery after the outage',
    );
    await sleep(5000); // time for a duplicate to show up
    expect(postsFor(receiver, operationId)).toHaveLength(1);
  }, 90_000);

  it('finds a delivery whose queue message was lost, by the sweep, and delivers it once', async () => {
    const { operationId } = await completedInvite(receiver);
    await queue.clearMessages(); // the message is gone (a poison queue, a cleared queue, a lost account)
    await waitFor(
      async () => (postsFor(receiver, operationId).length ? true : undefined),
      40_000,
      'the swept delivery',
    );
    await sleep(5000);
    expect(postsFor(receiver, operationId)).toHaveLength(1);
  }, 60_000);

  it('keeps the back-off when a delivery message arrives twice', async () => {
    const target = await new WebhookReceiver().start();
    target.script = [500];
    try {
      const { callId, operationId } = await completedInvite(target);
      await waitFor(async () => (postsFor(target, operationId).length ? true : undefined), 15_000, 'the first attempt');
      // Duplicates of the first and of the next delivery message, visible at once.
      for (const attempt of [0, 1]) {
        await queue.sendMessage(
          Buffer.from(JSON.stringify({ callId, operationId, attempt, waits: 0 })).toString('base64'),
        );
      }
      await waitFor(async () => (postsFor(target, operationId).length >= 2 ? true : undefined), 20_000, 'the retry');
      await sleep(4000);
      const posts = postsFor(target, operationId);
      expect(posts.map((p) => p.status)).toEqual([500, 200]);
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1900); // the 2 s back-off, not skipped
    } finally {
      await target.close();
    }
  }, 60_000);
});
