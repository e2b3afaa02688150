import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { simulatorApi } from '../../dev/scenarioRunner';
import { type Azurite, type HostProcess, startAzurite, startHostProcess } from '../../dev/stack';
import { call, stack, userInvitee, waitFor } from '../support/api';
import { operationNotification, participant, rosterNotification } from '../support/notifications';
import { postNotifications } from '../support/simulator';
import { WebhookReceiver } from '../support/webhookReceiver';

// A host with quick retries (1 s, 2 s, 4 s, ...) and a 1 s ring timeout, sharing the stack's tables
// but with a webhook queue of its own, and calls whose callbacks Graph sends to it.
const ENV: Record<string, string> = {
  WEBHOOK_RETRY_BASE_SECONDS: '1',
  WEBHOOK_MAX_ATTEMPTS: '4',
  RING_TIMEOUT_SECONDS: '1',
};
let queues: Azurite;
let host: HostProcess;
let receiver: WebhookReceiver;
beforeAll(async () => {
  queues = await startAzurite();
  ENV.WEBHOOK_QUEUE = queues.connectionString;
  host = await startHostProcess({ env: { ...stack.hostEnv, ...ENV } });
  receiver = await new WebhookReceiver().start();
});
afterAll(async () => {
  await host?.stop();
  await receiver?.close();
  await queues?.stop();
});

const sim = () => simulatorApi({ ...stack, hostUrl: host.url });
const notify = (payload: unknown) => postNotifications(payload, { baseUrl: host.url });
const api = (method: string, path: string, options: Parameters<typeof call>[2] = {}) =>
  call(method, path, { baseUrl: host.url, ...options });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The receiver's POSTs for one operation. */
const postsFor = (r: WebhookReceiver, operationId: string) => r.received.filter((x) => x.body?.id === operationId);

describe('completion webhook (callbackUrl)', () => {
  it('POSTs the final operation, with each invitee outcome, exactly once', async () => {
    const callId = await sim().createCall();
    const started = await api('POST', `/api/calls/${callId}/participants/invite`, {
      body: { participants: [userInvitee()], callbackUrl: receiver.url },
    });
    expect(started.status).toBe(202);
    expect(JSON.stringify(started.body)).not.toContain('secret-signature'); // the callbackUrl is never shown
    await waitFor(async () => (postsFor(receiver, started.body.id).length ? true : undefined), 15_000, 'the webhook');
    await sleep(2500); // time for any duplicate to show up
    const posts = postsFor(receiver, started.body.id);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({
      id: started.body.id,
      status: 'completed',
      invitees: [{ outcome: 'joined' }],
    });
    const now = await api('GET', `/api/calls/${callId}/operations/${started.body.id}`);
    expect(posts[0]!.body).toEqual(now.body);
  });

  it('retries a failing receiver with growing back-off and delivers once it answers 2xx', async () => {
    const target = await new WebhookReceiver().start();
    target.script = [500, 0, 503]; // error, hang-up, unavailable, then OK
    try {
      const callId = await sim().createCall();
      const started = await api('POST', `/api/calls/${callId}/participants/invite`, {
        body: { participants: [userInvitee()], callbackUrl: target.url },
      });
      await waitFor(async () => (target.delivered().length ? true : undefined), 30_000, 'the retried webhook');
      await sleep(1500);
      expect(target.received.map((r) => r.status)).toEqual([500, 0, 503, 200]);
      const gaps = target.received.slice(1).map((r, i) => r.at - target.received[i]!.at);
      expect(gaps[0]).toBeGreaterThanOrEqual(900); // 1 s
      expect(gaps[1]).toBeGreaterThanOrEqual(1900); // 2 s
      expect(gaps[2]).toBeGreaterThanOrEqual(3900); // 4 s
      expect(postsFor(target, started.body.id)).toHaveLength(4);
    } finally {
      await target.close();
    }
  });

  it('gives up after the configured number of attempts', async () => {
    const target = await new WebhookReceiver().start();
    target.script = Array(10).fill(500);
    try {
      const callId = await sim().createCall();
      await api('POST', `/api/calls/${callId}/participants/invite`, {
        body: { participants: [userInvitee()], callbackUrl: target.url },
      });
      await waitFor(async () => (target.received.length >= 4 ? true : undefined), 30_000, 'four attempts');
      await sleep(9000); // a fifth attempt would come 8 s after the fourth
      expect(target.received).toHaveLength(4);
    } finally {
      await target.close();
    }
  }, 60_000);

  it('delivers a pending retry after the host restarts, still once', async () => {
    const target = await new WebhookReceiver().start();
    target.script = [500];
    const other = await startHostProcess({ env: { ...stack.hostEnv, ...ENV, WEBHOOK_RETRY_BASE_SECONDS: '3' } });
    try {
      const callId = await sim().createCall();
      const started = await call('POST', `/api/calls/${callId}/participants/invite`, {
        baseUrl: other.url,
        body: { participants: [userInvitee()], callbackUrl: target.url },
      });
      await waitFor(async () => (target.received.length ? true : undefined), 15_000, 'the first attempt');
      await other.stop(); // the retry is due in 3 s and sits in the queue
      // Only the test's own host runs now: it picks the queued retry up.
      await waitFor(async () => (target.delivered().length ? true : undefined), 20_000, 'delivery after the restart');
      await sleep(1500);
      expect(postsFor(target, started.body.id).map((r) => r.status)).toEqual([500, 200]);
    } finally {
      await other.stop();
      await target.close();
    }
  });

  it('stops delivery when the operation webhook is deleted (unsubscribe)', async () => {
    const callId = await sim().createCall({ autoCallbacks: false });
    const started = await api('POST', `/api/calls/${callId}/participants/invite`, {
      body: { participants: [userInvitee()], callbackUrl: receiver.url },
    });
    const deleted = await api('DELETE', `/api/calls/${callId}/operations/${started.body.id}/webhook`);
    expect(deleted.status).toBe(204);
    await notify(operationNotification({ callId, operationId: started.body.id, status: 'completed' }));
    await sleep(3000);
    expect(postsFor(receiver, started.body.id)).toEqual([]);
    expect((await api('DELETE', `/api/calls/${callId}/operations/${randomUUID()}/webhook`)).status).toBe(404);
  });
});

describe('webhook subscription routes (Logic Apps HTTP Webhook, connector triggers)', () => {
  it('subscribes with 201 + Location of the webhook, and DELETE on that Location unsubscribes', async () => {
    const callId = await sim().createCall({ autoCallbacks: false });
    const res = await api('POST', `/api/calls/${callId}/webhooks/invite`, {
      body: { participants: [userInvitee()], callbackUrl: receiver.url, clientContext: 'sub-1' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${host.url}/api/calls/${callId}/operations/${res.body.id}/webhook`);
    expect(
      (
        await fetch(res.headers.get('location')!, {
          method: 'DELETE',
          headers: { 'x-functions-key': stack.functionKey },
        })
      ).status,
    ).toBe(204);
    await notify(
      operationNotification({ callId, operationId: res.body.id, status: 'completed', clientContext: 'sub-1' }),
    );
    await sleep(2500);
    expect(postsFor(receiver, res.body.id)).toEqual([]);
  });

  it('unsubscribes by clientContext, which is all an HTTP Webhook action knows', async () => {
    const callId = await sim().createCall({ autoCallbacks: false });
    const res = await api('POST', `/api/calls/${callId}/webhooks/invite`, {
      body: { participants: [userInvitee()], callbackUrl: receiver.url, clientContext: 'run-42' },
    });
    const del = await api('DELETE', `/api/calls/${callId}/webhooks/invite`, { query: { clientContext: 'run-42' } });
    expect(del.status).toBe(204);
    await notify(
      operationNotification({ callId, operationId: res.body.id, status: 'completed', clientContext: 'run-42' }),
    );
    await sleep(2500);
    expect(postsFor(receiver, res.body.id)).toEqual([]);
    expect(
      (await api('DELETE', `/api/calls/${callId}/webhooks/invite`, { query: { clientContext: 'nobody' } })).status,
    ).toBe(404);
    expect((await api('DELETE', `/api/calls/${callId}/webhooks/invite`)).status).toBe(400);
  });

  it('requires a callbackUrl to subscribe', async () => {
    const res = await api('POST', `/api/calls/${randomUUID()}/webhooks/invite`, {
      body: { participants: [userInvitee()] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('callbackUrl');
  });
});

describe('per-invitee outcome', () => {
  it('marks an invitee notJoined once the ring timeout passes after completion without them', async () => {
    const callId = await sim().createCall({ autoCallbacks: false });
    const [a, b] = [userInvitee(), userInvitee()];
    const started = await api('POST', `/api/calls/${callId}/participants/invite`, { body: { participants: [a, b] } });
    expect(started.body.invitees.map((i: { outcome: string }) => i.outcome)).toEqual(['pending', 'pending']);
    await notify(rosterNotification(callId, [participant('application', a.identity.user.id)]));
    await notify(operationNotification({ callId, operationId: started.body.id, status: 'completed' }));
    const soon = await api('GET', `/api/calls/${callId}/operations/${started.body.id}`);
    expect(soon.body.invitees.map((i: { key: string; outcome: string }) => [i.key, i.outcome])).toEqual([
      [`user:${a.identity.user.id}`, 'joined'],
      [`user:${b.identity.user.id}`, 'pending'],
    ]);
    await sleep(1100); // the host's ring timeout
    const later = await api('GET', `/api/calls/${callId}/operations/${started.body.id}`);
    expect(later.body.invitees.map((i: { outcome: string }) => i.outcome)).toEqual(['joined', 'notJoined']);
  });

  it('waits with the webhook until every invitee outcome is known', async () => {
    const callId = await sim().createCall({ autoCallbacks: false });
    const invitee = userInvitee();
    const started = await api('POST', `/api/calls/${callId}/participants/invite`, {
      body: { participants: [invitee], callbackUrl: receiver.url },
    });
    await notify(operationNotification({ callId, operationId: started.body.id, status: 'completed' }));
    const posted = await waitFor(async () => postsFor(receiver, started.body.id)[0], 15_000, 'the webhook');
    expect(posted.body.invitees[0].outcome).toBe('notJoined'); // not 'pending': it waited for the ring timeout
  });
});

describe('event webhooks (the queue, the host, Azurite)', () => {
  it("delivers a person's events and the call's end in order, once each, through a receiver that was down", async () => {
    const callId = randomUUID();
    const bot = participant('application', stack.hostEnv.GRAPH_CLIENT_ID!, { id: 'bot' });
    const whole = (...people: unknown[]) => notify(rosterNotification(callId, [bot, ...people]));
    await whole();
    const events = await new WebhookReceiver().start();
    try {
      events.script = [503, 0, 503]; // down for its first three tries (and one hang-up)
      const subscribed = await api('POST', `/api/calls/${callId}/webhooks/events`, {
        body: { callbackUrl: events.url, identityId: 'on-call-7' },
      });
      expect(subscribed.status).toBe(201);
      expect(subscribed.headers.get('location')).toContain(
        `/api/calls/${callId}/webhooks/events/${subscribed.body.id}`,
      );
      await whole(participant('user', 'someone-else'));
      await whole(participant('user', 'someone-else'), participant('user', 'on-call-7', { isInLobby: true }));
      await whole(participant('user', 'someone-else'), participant('user', 'on-call-7'));
      await whole(participant('user', 'someone-else'));
      await notify({
        value: [
          {
            changeType: 'deleted',
            resource: `/communications/calls/${callId}`,
            resourceData: { '@odata.type': '#microsoft.graph.call', state: 'terminated' },
          },
        ],
      });
      const delivered = () =>
        events.received.filter((r) => r.status === 200).map((r) => `${r.body.sequence} ${r.body.type}`);
      await waitFor(async () => (delivered().length >= 4 ? true : undefined), 30_000, 'the events');
      await sleep(2500); // time for any duplicate to show up
      expect(delivered()).toEqual(['2 inLobby', '3 joined', '4 left', '6 callEnded']);
      // The first was tried until the receiver came back; nothing was sent out of order meanwhile.
      expect(events.received.slice(0, 4).map((r) => r.body.sequence)).toEqual([2, 2, 2, 2]);
      const unsubscribe = subscribed.headers.get('location')!;
      expect((await call('DELETE', new URL(unsubscribe).pathname, { baseUrl: host.url })).status).toBe(204);
      expect((await call('DELETE', new URL(unsubscribe).pathname, { baseUrl: host.url })).status).toBe(404);
    } finally {
      await events.close();
    }
  }, 45_000);
});
