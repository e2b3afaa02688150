import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WriteCounts } from '../../bench/storageCounter';
import { FaultyProxy } from '../../dev/faultyProxy';
import { burstDeliveries, burstParticipantKey, deliverBurst, percentile, wholeRosterBurst } from '../../dev/joinBurst';
import { azuriteConnection, type HostProcess, startHostProcess } from '../../dev/stack';
import { call, QUIET_TIMERS, readAllPages, stack } from '../support/api';
import { participant, rosterNotification } from '../support/notifications';
import { simulator } from '../support/simulator';

// A meeting filling up: participants join one call within a window, through four instances, some
// notifications delivered twice. Graph's default shape is a whole roster per change; `created`
// notifications of 1 to 100 participants, all out of order, are the other. `npm test` runs 300 in
// 10 s; the full size is `BURST_PARTICIPANTS=1000 BURST_SECONDS=60 npx vitest run test/api/joinBurst.test.ts`.
const PARTICIPANTS = Number(process.env.BURST_PARTICIPANTS || 300);
const SECONDS = Number(process.env.BURST_SECONDS || 10);
const INSTANCES = 4;

// The instances' storage sits behind a proxy that counts the entity writes they make.
let proxy: FaultyProxy;
let hosts: HostProcess[] = [];
beforeAll(async () => {
  const azuritePort = Number(new URL(/TableEndpoint=([^;]+)/.exec(stack.tablesConnectionString)![1]!).port);
  proxy = await new FaultyProxy(azuritePort).start();
  const env = { ...stack.hostEnv, ...QUIET_TIMERS, TABLES_CONNECTION_STRING: azuriteConnection({ table: proxy.port }) };
  hosts = await Promise.all(Array.from({ length: INSTANCES }, () => startHostProcess({ env })));
  for (const host of hosts) await call('GET', '/api/health', { baseUrl: host.url, key: false }); // tables created
  // The table's one-time rows (the version row of the subscriptions to every call) are written by a
  // first roster, before anything is counted.
  const warmUp = await deliver(
    hosts[0]!.url,
    rosterNotification(randomUUID(), [participant('user', 'warm-up')]),
    await simulator.token(),
  );
  expect(warmUp.status).toBe(202);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await proxy?.close();
});

const person = (callId: string, i: number) => participant('user', `${callId}-person-${i}`);

async function deliver(baseUrl: string, body: unknown, token: string) {
  return (await deliverBurst([baseUrl], token, [{ body, at: 0 }]))[0]!;
}

const seed = Number(process.env.BURST_SEED || Date.now() % 100_000);

const PLAN = { participants: PARTICIPANTS, seconds: SECONDS, duplicates: 0.05, seed };

/** Delivers a burst round-robin over the instances: each callback's answer, and what storage wrote. */
async function deliverCounted(deliveries: Array<{ body: unknown; at: number }>) {
  const token = await simulator.token();
  const before = { ...proxy.writes };
  const results = await deliverBurst(
    hosts.map((h) => h.url),
    token,
    deliveries,
  );
  return { results, writes: difference(proxy.writes, before) };
}

describe('join burst', () => {
  it(`${PARTICIPANTS} join in ${SECONDS} s through ${INSTANCES} instances, each notification the whole roster, 5 % repeated (seed ${seed})`, async () => {
    const callId = randomUUID();
    const deliveries = wholeRosterBurst(callId, stack.hostEnv.GRAPH_CLIENT_ID!, PLAN);
    const { results, writes } = await deliverCounted(deliveries);

    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    const expected = Array.from({ length: PARTICIPANTS }, (_, i) => burstParticipantKey(callId, i));
    expect(roster.body.participants.map((p: { key: string }) => p.key).sort()).toEqual(
      [...expected, `${callId}-bot`].sort(),
    );
    const events = await readAllPages(`/api/calls/${callId}/events?$top=1000`, 'events');
    expect(events.body.events.map((e: { type: string; key: string }) => `${e.type} ${e.key}`).sort()).toEqual(
      expected.map((k) => `joined ${k}`).sort(),
    );
    // Each participant's row once and its event once (none for the bot); an older roster arriving
    // late writes nothing. The rest are the heads of the commits, and the call's tenant (the stack accepts
    // two tenants' callbacks), which each instance tries to record once.
    expect(writes.participants).toBe(PARTICIPANTS + 1);
    expect(writes.events).toBe(PARTICIPANTS);
    expect(writes.tenants).toBeLessThanOrEqual(hosts.length);
    expect(writes.total).toBe(writes.participants + writes.events + writes.heads + writes.tenants);
    expect(writes.heads).toBeLessThanOrEqual(PARTICIPANTS);
    const p99 = percentile(
      results.map((r) => r.ms),
      99,
    );
    console.info(
      `whole-roster burst: ${PARTICIPANTS} participants, ${deliveries.length} notifications in ${SECONDS} s, ${writes.participants} participant rows, ${writes.events} events, ${writes.heads} heads, callback p99 ${Math.round(p99)} ms`,
    );
    expect(p99).toBeLessThan(1000);
  }, 120_000);

  it(`${PARTICIPANTS} join in ${SECONDS} s through ${INSTANCES} instances as created notifications, repeated and reordered (seed ${seed})`, async () => {
    const callId = randomUUID();
    const deliveries = burstDeliveries(callId, PLAN);
    const { results, writes } = await deliverCounted(deliveries);

    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    const expected = Array.from({ length: PARTICIPANTS }, (_, i) => burstParticipantKey(callId, i)).sort();
    expect(roster.body.participants.map((p: { key: string }) => p.key).sort()).toEqual(expected);
    // Each participant's row written once with its event; a repeated notification writes nothing.
    expect(writes.participants).toBe(PARTICIPANTS);
    expect(writes.events).toBe(PARTICIPANTS);
    expect(writes.heads).toBeLessThanOrEqual(deliveries.length * 3);
    const p99 = percentile(
      results.map((r) => r.ms),
      99,
    );
    console.info(
      `created burst: ${PARTICIPANTS} participants, ${deliveries.length} notifications, ${writes.total} entity writes, callback p99 ${Math.round(p99)} ms`,
    );
    expect(p99).toBeLessThan(1000);
  }, 120_000);

  it('writes only the participants a notification changes: a repeat writes nothing', async () => {
    const callId = randomUUID();
    const token = await simulator.token();
    const people = Array.from({ length: 40 }, (_, i) => person(callId, i));
    const writesOf = async (body: unknown) => {
      const before = { ...proxy.writes };
      expect((await deliver(hosts[0]!.url, body, token)).status).toBe(202);
      const { participants, events, heads } = difference(proxy.writes, before);
      return { participants, events, heads };
    };
    expect(await writesOf(rosterNotification(callId, people))).toEqual({ participants: 40, events: 40, heads: 1 });
    expect(await writesOf(rosterNotification(callId, people))).toEqual({ participants: 0, events: 0, heads: 0 });
    const muted = people.map((p, i) => (i === 7 ? { ...p, isMuted: true } : p));
    expect(await writesOf(rosterNotification(callId, muted))).toEqual({ participants: 1, events: 0, heads: 1 });
    // Leaving is a change; leaving twice is not.
    expect(await writesOf(rosterNotification(callId, muted.slice(3)))).toEqual({
      participants: 3,
      events: 3,
      heads: 1,
    });
    expect(await writesOf(rosterNotification(callId, muted.slice(0, 3), 'deleted'))).toEqual({
      participants: 0,
      events: 0,
      heads: 0,
    });
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    expect(roster.body.participants).toHaveLength(37);
    expect(roster.body.participants.filter((p: { isMuted: boolean }) => p.isMuted)).toHaveLength(1);
  });

  it('commits notifications of one call that arrive together in a few transactions, each answered once stored', async () => {
    const callId = randomUUID();
    const token = await simulator.token();
    proxy.restore(); // counts requests from here
    const before = { ...proxy.writes };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        deliver(hosts[0]!.url, rosterNotification(callId, [person(callId, i)], 'created'), token),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(60).fill(202));
    const writes = difference(proxy.writes, before);
    expect(writes.participants).toBe(60);
    expect(writes.events).toBe(60);
    console.info(`60 notifications of one call at once: ${proxy.forwarded} storage requests, ${writes.heads} commits`);
    expect(proxy.forwarded).toBeLessThan(10);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    expect(roster.body.participants).toHaveLength(60);
  });
});

const difference = (after: WriteCounts, before: WriteCounts): WriteCounts => ({
  total: after.total - before.total,
  heads: after.heads - before.heads,
  events: after.events - before.events,
  participants: after.participants - before.participants,
  tenants: after.tenants - before.tenants,
});
