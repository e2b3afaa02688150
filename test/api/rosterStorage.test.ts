import { randomUUID } from 'node:crypto';

import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FaultyProxy } from '../../dev/faultyProxy';
import { type Azurite, azuriteConnection, type HostProcess, startAzurite, startHostProcess } from '../../dev/stack';
import { toParticipantAction } from '../../src/storage/rosterEntities';
import { call, QUIET_TIMERS, readAllPages, stack, waitFor } from '../support/api';
import { participant, rosterNotification } from '../support/notifications';
import { postNotifications } from '../support/simulator';
import { WebhookReceiver } from '../support/webhookReceiver';

// What a roster costs storage before the call has a head, and what the service reads to learn
// who subscribed to every call: each host here has a roster table of its own, so that what the
// other test files write (and subscribe to) neither counts here nor receives these events.
const azuritePort = () => Number(new URL(/TableEndpoint=([^;]+)/.exec(stack.tablesConnectionString)![1]!).port);
const tableName = () => `roster${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bot = () => participant('application', stack.hostEnv.GRAPH_CLIENT_ID!, { id: 'bot' });
const person = (id: string) => participant('user', id);

let proxy: FaultyProxy;
let queues: Azurite;
let counted: HostProcess; // its storage behind the proxy
let other: HostProcess; // the same tables and webhook queue, storage direct
const hosts: HostProcess[] = [];
beforeAll(async () => {
  [proxy, queues] = await Promise.all([new FaultyProxy(azuritePort()).start(), startAzurite()]);
  const env = {
    ...stack.hostEnv,
    ...QUIET_TIMERS,
    TABLES_ROSTER_TABLE: tableName(),
    WEBHOOK_QUEUE: queues.connectionString,
    WEBHOOK_RETRY_BASE_SECONDS: '1',
  };
  counted = await startHostProcess({
    env: { ...env, TABLES_CONNECTION_STRING: azuriteConnection({ table: proxy.port }) },
  });
  hosts.push(counted);
  other = await startHostProcess({ env });
  hosts.push(other);
  for (const host of hosts) await call('GET', '/api/health', { baseUrl: host.url, key: false }); // tables created
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await proxy?.close();
  await queues?.stop();
});

describe('roster storage', () => {
  it("reads a new call's head and nothing else for its first roster: no query of its rows, nor of every call's subscriptions", async () => {
    await postNotifications(rosterNotification(randomUUID(), [bot(), person('warm-up')]), { baseUrl: counted.url });
    await sleep(1100); // the instance's list of subscriptions to every call is due to be checked again
    const before = { reads: proxy.reads, queries: proxy.queries };
    const callId = randomUUID();
    const answer = await postNotifications(rosterNotification(callId, [bot(), person('a'), person('b')]), {
      baseUrl: counted.url,
    });
    expect(answer.status).toBe(202);
    // The head (there is none yet) and the version row of the subscriptions to every call.
    expect(proxy.queries - before.queries).toBe(0);
    expect(proxy.reads - before.reads).toBeLessThanOrEqual(2);
    const events = await readAllPages(`/api/calls/${callId}/events`, 'events', counted.url);
    expect(events.body.events.map((e: { type: string; key: string }) => `${e.type} ${e.key}`)).toEqual([
      'joined user:a',
      'joined user:b',
    ]);
  });

  it('delivers the events of every call to a subscription made on another instance, and stops once it is deleted', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      // Both instances have listed the subscriptions to every call (none yet).
      for (const host of hosts)
        await postNotifications(rosterNotification(randomUUID(), [bot(), person('x')]), { baseUrl: host.url });
      const subscribed = await call('POST', '/api/webhooks/events', {
        baseUrl: other.url,
        body: { callbackUrl: receiver.url, types: ['joined'] },
      });
      expect(subscribed.status).toBe(201);
      await sleep(1100);
      const first = randomUUID();
      await postNotifications(rosterNotification(first, [bot(), person('on-call')]), { baseUrl: counted.url });
      const delivered = await waitFor(
        async () => receiver.delivered().find((r) => r.body?.callId === first),
        15_000,
        "the first call's joined event",
      );
      expect(delivered.body).toMatchObject({ callId: first, type: 'joined', key: 'user:on-call' });

      const location = new URL(subscribed.headers.get('location')!).pathname;
      expect((await call('DELETE', location, { baseUrl: other.url })).status).toBe(204);
      expect((await call('DELETE', location, { baseUrl: counted.url })).status).toBe(404);
      await sleep(1100);
      const second = randomUUID();
      await postNotifications(rosterNotification(second, [bot(), person('on-call')]), { baseUrl: counted.url });
      await sleep(2500); // time for a delivery that should not come
      expect(receiver.received.filter((r) => r.body?.callId === second)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe('a roster table an earlier version wrote, whose calls have no head', () => {
  it('takes the participants its rows show present as the roster, so that who is absent from the next one left', async () => {
    // The table exists before the service starts (so it does not say every call has a head), with
    // a call's participant rows as an earlier version wrote them.
    const name = tableName();
    const table = TableClient.fromConnectionString(stack.tablesConnectionString, name, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    const callId = randomUUID();
    const now = new Date().toISOString();
    await table.submitTransaction(
      ['stays', 'leaves'].map((id): TransactionAction => {
        const [entity] = toParticipantAction(
          callId,
          { key: `user:${id}`, entry: { participant: person(id) } } as never,
          now,
        );
        return ['upsert', entity, 'Replace'];
      }),
    );
    const host = await startHostProcess({ env: { ...stack.hostEnv, TABLES_ROSTER_TABLE: name } });
    hosts.push(host);
    const answer = await postNotifications(rosterNotification(callId, [bot(), person('stays')]), {
      baseUrl: host.url,
    });
    expect(answer.status).toBe(202);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants', host.url);
    expect(roster.body.participants.map((p: { key: string }) => p.key)).toEqual(['bot', 'user:stays']);
    const events = await readAllPages(`/api/calls/${callId}/events`, 'events', host.url);
    expect(events.body.events.map((e: { type: string; key: string }) => `${e.type} ${e.key}`)).toEqual([
      'left user:leaves',
    ]);
  });
});
