import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { simulatorApi } from '../../dev/scenarioRunner';
import { type HostProcess, startHostProcess } from '../../dev/stack';
import { call, stack, userInvitee } from '../support/api';
import { operationNotification, participant, rosterNotification } from '../support/notifications';
import { simulator } from '../support/simulator';
import { callSnapshot } from '../support/snapshot';

const INSTANCES = 4;
const NOTIFICATIONS = Number(process.env.CONCURRENCY_NOTIFICATIONS || 1000);

// Several Functions instances on one Table Storage, as Azure scales out.
let hosts: HostProcess[] = [];
beforeAll(async () => {
  hosts = await Promise.all(Array.from({ length: INSTANCES }, () => startHostProcess({ env: stack.hostEnv })));
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Notifications that commute: distinct participants, and operations whose statuses only move forward. */
function workload(callId: string, operationIds: string[], participants: number) {
  const items: unknown[] = [];
  for (let i = 0; i < participants; i++)
    items.push(rosterNotification(callId, [participant('user', `p-${i}`, { isMuted: i % 2 === 0 })], 'created'));
  operationIds.forEach((id, i) => {
    const type = i % 3 ? 'inviteParticipantsOperation' : 'playPromptOperation';
    items.push(operationNotification({ callId, operationId: id, status: 'running', type }));
    items.push(
      operationNotification({
        callId,
        operationId: id,
        status: i % 5 ? 'completed' : 'failed',
        type,
        resultInfo: { code: i % 5 ? 200 : 500, subcode: i, message: 'm' },
      }),
    );
  });
  return items;
}

async function deliver(baseUrl: string, body: unknown, token: string) {
  const res = await fetch(`${baseUrl}/api/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

describe(`${INSTANCES} instances on one storage`, () => {
  it(`apply ${NOTIFICATIONS} shuffled notifications for one call exactly as one instance applying them in order`, async () => {
    const operations = Array.from({ length: Math.round(NOTIFICATIONS * 0.15) }, () => randomUUID());
    const participants = NOTIFICATIONS - operations.length * 2;
    const token = await simulator.token();

    const sequentialCall = randomUUID();
    for (const body of workload(sequentialCall, operations, participants))
      expect(await deliver(hosts[0]!.url, body, token)).toBe(202);

    const concurrentCall = randomUUID();
    const statuses: number[] = [];
    const started = Date.now();
    await pool(shuffle(workload(concurrentCall, operations, participants)), 32, async (body, i) => {
      statuses.push(await deliver(hosts[i % INSTANCES]!.url, body, token));
    });
    const elapsed = Date.now() - started;
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    const concurrent = await callSnapshot(concurrentCall);
    const sequential = await callSnapshot(sequentialCall);
    expect((concurrent as { roster: { participants: unknown[] } }).roster.participants).toHaveLength(participants);
    expect(concurrent).toEqual(sequential);
    console.info(
      `${NOTIFICATIONS} notifications over ${INSTANCES} instances in ${elapsed} ms: same state as in-order application`,
    );
  });

  it('apply a roster on an instance whose remembered head another instance changed since', async () => {
    const callId = randomUUID();
    const token = await simulator.token();
    const [x, y] = [participant('user', 'x'), participant('user', 'y')];
    const [a, b] = [hosts[0]!.url, hosts[1]!.url];
    expect(await deliver(a, rosterNotification(callId, [x, y]), token)).toBe(202); // a remembers {x, y}
    expect(await deliver(b, rosterNotification(callId, [x]), token)).toBe(202); // y left, on b
    // To a's memory nothing changes; the roster stored says y is back.
    expect(await deliver(a, rosterNotification(callId, [x, y]), token)).toBe(202);
    const roster = await call('GET', `/api/calls/${callId}/participants`);
    expect(roster.body.participants.map((p: { key: string }) => p.key).sort()).toEqual(['user:x', 'user:y']);
    const events = await call('GET', `/api/calls/${callId}/events`);
    expect(events.body.events.map((e: { type: string; key: string }) => `${e.type} ${e.key}`)).toEqual([
      'joined user:x',
      'joined user:y',
      'left user:y',
      'joined user:y',
    ]);
  });

  it('call Graph exactly once for concurrent invites with the same clientContext', async () => {
    const callId = await simulatorApi(stack).createCall({ autoCallbacks: false });
    const body = JSON.stringify({ participants: [userInvitee()], clientContext: 'raced' });
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        fetch(`${hosts[i % INSTANCES]!.url}/api/calls/${callId}/participants/invite`, {
          method: 'POST',
          headers: { 'x-functions-key': stack.functionKey, 'content-type': 'application/json' },
          body,
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } })),
      ),
    );
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.status === 202 || a.status === 503)).toBe(true); // 503: being sent right now, retry
  });
});
