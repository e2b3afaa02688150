import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { burstDeliveries, burstParticipantKey, deliverBurst, percentile } from '../../dev/joinBurst';
import { azuriteConnection, type HostProcess, startHostProcess } from '../../dev/stack';
import { call, readAllPages, stack } from '../support/api';
import { FaultyProxy } from '../support/faultyProxy';
import { participant, rosterNotification } from '../support/notifications';
import { simulator } from '../support/simulator';

// A meeting filling up: participants join one call within a window, as roster notifications of 1
// to 100 participants each, through four instances, some notifications delivered twice and all
// out of order. `npm test` runs 300 in 10 s; the full size is
// `BURST_PARTICIPANTS=1000 BURST_SECONDS=60 npx vitest run test/api/joinBurst.test.ts`.
const PARTICIPANTS = Number(process.env.BURST_PARTICIPANTS || 300);
const SECONDS = Number(process.env.BURST_SECONDS || 10);
const INSTANCES = 4;

// The instances' storage sits behind a proxy that counts the entity writes they make.
let proxy: FaultyProxy;
let hosts: HostProcess[] = [];
beforeAll(async () => {
  const azuritePort = Number(new URL(/TableEndpoint=([^;]+)/.exec(stack.tablesConnectionString)![1]!).port);
  proxy = await new FaultyProxy(azuritePort).start();
  const env = { ...stack.hostEnv, TABLES_CONNECTION_STRING: azuriteConnection({ table: proxy.port }) };
  hosts = await Promise.all(Array.from({ length: INSTANCES }, () => startHostProcess({ env })));
  for (const host of hosts) await call('GET', '/api/health', { baseUrl: host.url, key: false }); // tables created
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

describe('join burst', () => {
  it(`${PARTICIPANTS} join in ${SECONDS} s through ${INSTANCES} instances, repeated and reordered (seed ${seed})`, async () => {
    const callId = randomUUID();
    const deliveries = burstDeliveries(callId, {
      participants: PARTICIPANTS,
      seconds: SECONDS,
      duplicates: 0.05,
      seed,
    });
    const token = await simulator.token();
    const writesBefore = proxy.entityWrites;
    const results = await deliverBurst(
      hosts.map((h) => h.url),
      token,
      deliveries,
    );
    const writes = proxy.entityWrites - writesBefore;

    expect(results.filter((r) => r.status !== 202)).toEqual([]);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    const expected = Array.from({ length: PARTICIPANTS }, (_, i) => burstParticipantKey(callId, i)).sort();
    expect(roster.body.participants.map((p: { key: string }) => p.key).sort()).toEqual(expected);
    // Each participant's row written once; a repeated notification writes nothing.
    expect(writes).toBeGreaterThanOrEqual(PARTICIPANTS);
    expect(writes).toBeLessThanOrEqual(Math.floor(PARTICIPANTS * 1.01));
    const p99 = percentile(
      results.map((r) => r.ms),
      99,
    );
    console.info(
      `join burst: ${PARTICIPANTS} participants, ${deliveries.length} notifications in ${SECONDS} s, ${writes} entity writes, callback p99 ${Math.round(p99)} ms`,
    );
    expect(p99).toBeLessThan(1000);
  }, 120_000);

  it('writes only the participants a notification changes: a repeat writes nothing', async () => {
    const callId = randomUUID();
    const token = await simulator.token();
    const people = Array.from({ length: 40 }, (_, i) => person(callId, i));
    const writesOf = async (body: unknown) => {
      const before = proxy.entityWrites;
      expect((await deliver(hosts[0]!.url, body, token)).status).toBe(202);
      return proxy.entityWrites - before;
    };
    expect(await writesOf(rosterNotification(callId, people))).toBe(40);
    expect(await writesOf(rosterNotification(callId, people))).toBe(0);
    const muted = people.map((p, i) => (i === 7 ? { ...p, isMuted: true } : p));
    expect(await writesOf(rosterNotification(callId, muted))).toBe(1);
    // Leaving is a change; leaving twice is not.
    expect(await writesOf(rosterNotification(callId, muted.slice(0, 3), 'deleted'))).toBe(3);
    expect(await writesOf(rosterNotification(callId, muted.slice(0, 3), 'deleted'))).toBe(0);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    expect(roster.body.participants).toHaveLength(37);
    expect(roster.body.participants.filter((p: { isMuted: boolean }) => p.isMuted)).toHaveLength(1);
  });

  it('writes single-participant notifications that arrive together in a few transactions, each answered once stored', async () => {
    const callId = randomUUID();
    const token = await simulator.token();
    proxy.restore(); // counts requests from here
    const writesBefore = proxy.entityWrites;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        deliver(hosts[0]!.url, rosterNotification(callId, [person(callId, i)]), token),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(60).fill(202));
    expect(proxy.entityWrites - writesBefore).toBe(60);
    console.info(`60 single-participant notifications: ${proxy.forwarded} storage requests`);
    expect(proxy.forwarded).toBeLessThan(30);
    const roster = await readAllPages(`/api/calls/${callId}/participants`, 'participants');
    expect(roster.body.participants).toHaveLength(60);
  });
});
