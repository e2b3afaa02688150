import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { batch, callNotification, participantOf, rosterNotification, wrap } from '../../dev/graphPayloads';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { deliveryDeps, notificationDeps, provideServices } from '../../src/services';
import { deliverWebhook } from '../../src/webhooks/deliverWebhook';
import type { PostResult } from '../../src/webhooks/postJson';
import { sweepWebhooks } from '../../src/webhooks/sweepWebhooks';
import { APP_ID, invoke, memoryServices, silentLog, TestClock } from '../support/inProcess';

type Json = Record<string, any>;

/** The service on in-memory stores, a receiver whose answers the test sets, and a pump for the queue. */
function setup(env: Record<string, string> = {}) {
  const clock = new TestClock();
  const services = memoryServices({ clock, env: { WEBHOOK_MAX_ATTEMPTS: '8', ...env } });
  provideServices(services);
  const received: Json[] = [];
  let receiverUp = true;
  const deps = {
    ...deliveryDeps(services, silentLog),
    post: async (_url: string, body: unknown): Promise<PostResult> => {
      if (!receiverUp) return { status: 503 };
      received.push(body as Json);
      return { status: 200 };
    },
  };
  const notify = (...bodies: Array<{ value: unknown[] }>) =>
    applyNotifications(notificationDeps(services, silentLog), batch(...bodies));
  /** Runs every queued delivery, moving the clock to each one's time, until the queue is empty. */
  const pump = async () => {
    for (let runs = 0; services.webhooks.messages.length > 0 && runs < 500; runs++) {
      const { message, delaySeconds } = services.webhooks.messages.shift()!;
      clock.advance(delaySeconds * 1000);
      await deliverWebhook(deps, message);
    }
  };
  return {
    services,
    clock,
    notify,
    pump,
    received,
    receiver: (up: boolean) => void (receiverUp = up),
  };
}

afterEach(() => provideServices(undefined));

const bot = participantOf('application', APP_ID, { id: 'bot' });
const person = (id: string, extra: Json = {}) => participantOf('user', id, extra);
const whole = (callId: string, ...people: Json[]) => rosterNotification(callId, [bot, ...people]);
const said = (events: Json[]) => events.map((e) => `${e.sequence} ${e.type}${e.key ? ` ${e.key}` : ''}`);

describe('event webhooks (in process)', () => {
  it("delivers one person's events and the call's end, in order, then ends the subscription", async () => {
    const { notify, pump, received } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('someone-else')));
    const subscribed = await invoke('subscribeCallEvents', {
      params: { callId },
      body: { callbackUrl: 'https://receiver.example/hook', identityId: 'on-call' },
    });
    expect(subscribed.status).toBe(201);
    const location = new URL(subscribed.headers.get('location')!);
    expect(location.pathname).toBe(`/api/calls/${callId}/webhooks/events/${subscribed.body.id}`);
    expect(subscribed.body).not.toHaveProperty('callbackUrl');

    await notify(whole(callId, person('someone-else'), person('on-call', { isInLobby: true })));
    await notify(whole(callId, person('someone-else'), person('on-call')));
    await notify(whole(callId, person('on-call')));
    await notify(whole(callId));
    await notify(callNotification(callId, 'terminated', 'deleted'));
    await pump();
    expect(said(received)).toEqual([
      '2 inLobby user:on-call',
      '3 joined user:on-call',
      '5 left user:on-call',
      '6 callEnded',
    ]);
    expect(received[0]).toMatchObject({ callId, identity: { user: { id: 'on-call' } } });

    const id = subscribed.body.id as string;
    // Over with the call: unsubscribing still works once, as a Logic App's clean-up does.
    expect((await invoke('unsubscribeCallEvents', { params: { callId, subscriptionId: id } })).status).toBe(204);
    expect((await invoke('unsubscribeCallEvents', { params: { callId, subscriptionId: id } })).status).toBe(404);
  });

  it('delivers every event of a call to a subscription without an identity, and nothing from before it', async () => {
    const { notify, pump, received } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')));
    await invoke('subscribeCallEvents', { params: { callId }, body: { callbackUrl: 'https://receiver.example/h' } });
    await notify(whole(callId, person('a'), person('b')), whole(callId, person('b')));
    await pump();
    expect(said(received)).toEqual(['2 joined user:b', '3 left user:a']);
  });

  it('keeps what a receiver that is down missed, and delivers it in order once it is back, each once', async () => {
    const { notify, pump, received, receiver, services, clock } = setup();
    const callId = randomUUID();
    await notify(whole(callId));
    await invoke('subscribeCallEvents', { params: { callId }, body: { callbackUrl: 'https://receiver.example/h' } });
    receiver(false);
    await notify(whole(callId, person('a')));
    await notify(whole(callId, person('a'), person('b')));
    // Down for a few attempts: each retried later, with back-off.
    for (let i = 0; i < 3; i++) {
      const next = services.webhooks.messages.shift();
      if (!next) break;
      clock.advance(next.delaySeconds * 1000);
      await deliverWebhook({ ...deliveryDeps(services, silentLog), post: async () => ({ status: 503 }) }, next.message);
    }
    expect(services.webhooks.messages.map((m) => m.delaySeconds).at(-1)).toBeGreaterThanOrEqual(30);
    receiver(true);
    await notify(whole(callId, person('b')));
    await pump();
    expect(said(received)).toEqual(['1 joined user:a', '2 joined user:b', '3 left user:a']);
  });

  it('has the sweep queue again a delivery whose message was lost', async () => {
    const { notify, pump, received, services, clock } = setup();
    const callId = randomUUID();
    await notify(whole(callId));
    await invoke('subscribeCallEvents', { params: { callId }, body: { callbackUrl: 'https://receiver.example/h' } });
    await notify(whole(callId, person('a')));
    services.webhooks.messages.splice(0); // the instance stopped after the commit, before queueing
    clock.advance(120_000);
    await sweepWebhooks({ ...deliveryDeps(services, silentLog), graceMs: 60_000, log: silentLog });
    await pump();
    expect(said(received)).toEqual(['1 joined user:a']);
  });

  it('delivers the incoming calls of every call to a subscription of type incoming, until it is deleted', async () => {
    const { notify, pump, received } = setup({ INCOMING_CALLS: 'ignore' });
    const subscribed = await invoke('subscribeEvents', {
      body: { callbackUrl: 'https://receiver.example/calls', types: ['incoming'] },
    });
    expect(subscribed.status).toBe(201);
    expect(new URL(subscribed.headers.get('location')!).pathname).toBe(`/api/webhooks/events/${subscribed.body.id}`);
    const incoming = (callId: string) =>
      wrap({
        changeType: 'created',
        resource: `/app/calls/${callId}`,
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          state: 'incoming',
          source: { identity: { phone: { id: '+15550100' } } },
        },
      });
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    await notify(incoming(first), whole(first, person('a')));
    await notify(incoming(second));
    await pump();
    expect(received.map((e) => [e.callId, e.type])).toEqual([
      [first, 'incoming'],
      [second, 'incoming'],
    ]);
    expect(received[0]).toMatchObject({ identity: { phone: { id: '+15550100' } } });

    const id = subscribed.body.id as string;
    expect((await invoke('unsubscribeEvents', { params: { subscriptionId: id } })).status).toBe(204);
    expect((await invoke('unsubscribeEvents', { params: { subscriptionId: id } })).status).toBe(404);
    await notify(incoming(third));
    await pump();
    expect(received).toHaveLength(2);
  });

  it('lets an HTTP Webhook action in a loop go on from the last event it had, named by its clientContext', async () => {
    const { notify, pump, received } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')), whole(callId, person('a'), person('b')));
    const subscribe = (after: number, hook: string) =>
      invoke('subscribeCallEvents', {
        params: { callId },
        body: { callbackUrl: `https://receiver.example/${hook}`, clientContext: 'run-1', after },
      });
    // The first pass wants everything from the start; its unsubscribe is lost, so the next one replaces it.
    expect((await subscribe(0, 'first')).status).toBe(201);
    expect((await subscribe(1, 'second')).status).toBe(201);
    // What happened after `after` comes without waiting for a new event.
    await pump();
    expect(said(received)).toEqual(['2 joined user:b']);
    await notify(whole(callId, person('b')));
    await pump();
    expect(said(received)).toEqual(['2 joined user:b', '3 left user:a']);
    const byContext = { params: { callId }, query: { clientContext: 'run-1' } };
    expect((await invoke('unsubscribeCallEventsByContext', byContext)).status).toBe(204);
    expect((await invoke('unsubscribeCallEventsByContext', byContext)).status).toBe(404);
    await notify(whole(callId));
    await pump();
    expect(received).toHaveLength(2);
  });

  it('passes over an event given up on, and delivers the ones after it and the call end', async () => {
    const { services, notify, clock } = setup({ WEBHOOK_MAX_ATTEMPTS: '2' });
    const callId = randomUUID();
    await notify(whole(callId));
    await invoke('subscribeCallEvents', { params: { callId }, body: { callbackUrl: 'https://receiver.example/h' } });
    const received: number[] = [];
    const deps = {
      ...deliveryDeps(services, silentLog),
      // The receiver cannot take event 1, whatever happens.
      post: async (_url: string, body: unknown): Promise<PostResult> => {
        const { sequence } = body as { sequence: number };
        if (sequence === 1) return { status: 400 };
        received.push(sequence);
        return { status: 200 };
      },
    };
    await notify(whole(callId, person('a')), whole(callId), callNotification(callId, 'terminated', 'deleted'));
    for (let runs = 0; services.webhooks.messages.length > 0 && runs < 100; runs++) {
      const { message, delaySeconds } = services.webhooks.messages.shift()!;
      clock.advance(delaySeconds * 1000);
      await deliverWebhook(deps, message);
    }
    expect(received).toEqual([2, 3]);
    expect(silentLog.lines.some((l) => l.includes('webhook.failed') && l.includes('"sequence":1'))).toBe(true);
  });

  it('keeps room in each transaction for the feeds a subscription to every call adds', async () => {
    const { notify, pump, received, services } = setup();
    await invoke('subscribeEvents', { body: { callbackUrl: 'https://receiver.example/all' } });
    const actions: number[] = [];
    const commit = services.roster.commit.bind(services.roster);
    services.roster.commit = async (id, c, etag) => {
      const subscriptionRows = (c.subscriptions?.create?.length ?? 0) + (c.subscriptions?.remove?.length ?? 0);
      actions.push(1 + c.participants.length + c.events.length + subscriptionRows);
      return commit(id, c, etag);
    };
    const callId = randomUUID();
    await notify(whole(callId, ...Array.from({ length: 60 }, (_, i) => person(`p-${i}`))));
    expect(Math.max(...actions)).toBeLessThanOrEqual(100);
    await pump();
    expect(received).toHaveLength(60);
  });

  it('refuses a subscription to an ended call unless it asks for past events (409)', async () => {
    const { notify } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')), callNotification(callId, 'terminated', 'deleted'));
    const body = { callbackUrl: 'https://receiver.example/h' };
    expect((await invoke('subscribeCallEvents', { params: { callId }, body })).status).toBe(409);
    expect((await invoke('subscribeCallEvents', { params: { callId }, body: { ...body, after: 0 } })).status).toBe(201);
  });

  it('refuses a subscription to a call never seen (404), a bad callbackUrl or type (400), a bad id (400)', async () => {
    setup();
    const body = { callbackUrl: 'https://receiver.example/h' };
    expect((await invoke('subscribeCallEvents', { params: { callId: randomUUID() }, body })).status).toBe(404);
    const internal = await invoke('subscribeEvents', { body: { callbackUrl: 'https://10.0.0.1/h' } });
    expect(internal.status).toBe(400);
    expect(internal.body.error.details[0].path).toBe('callbackUrl');
    const badType = await invoke('subscribeEvents', { body: { ...body, types: ['incoming', 'hangUp'] } });
    expect(badType.body.error.details[0].path).toBe('types[1]');
    const missing = await invoke('subscribeEvents', { body: { types: ['incoming'] } });
    expect(missing.body.error.details[0].path).toBe('callbackUrl');
    const badId = await invoke('unsubscribeEvents', { params: { subscriptionId: 'not-a-guid' } });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].path).toBe('subscriptionId');
  });
});
