import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Azurite, startAzurite, startHostProcess } from '../../dev/stack';
import { loadConfig } from '../../src/config';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { purgeOldRecords } from '../../src/retention/purgeOldRecords';
import { createServices, notificationDeps, readDeps, type Services } from '../../src/services';
import { call, stack, waitFor } from '../support/api';
import { callNotification, operationNotification, participant, rosterNotification } from '../support/notifications';

// Storage of its own: the purge sweeps whole tables.
let azurite: Azurite;
let services: Services;
beforeAll(async () => {
  azurite = await startAzurite();
  services = createServices(
    loadConfig({
      ...stack.hostEnv,
      TABLES_CONNECTION_STRING: azurite.connectionString,
      WEBHOOK_QUEUE: azurite.connectionString,
    }),
  );
});
afterAll(() => azurite?.stop());

const log = { info() {}, warn() {}, error() {} };
const DAY = 86_400_000;
async function store(at: Date, ...bodies: Array<{ value: unknown[] }>) {
  const deps = { ...notificationDeps(services, log), now: () => at };
  for (const body of bodies) await applyNotifications(deps, body);
}

describe('retention (timer trigger)', () => {
  it('purges records older than RETENTION_DAYS and the rosters of terminated calls, on its schedule', async () => {
    const [old, recent, ended] = [randomUUID(), randomUUID(), randomUUID()];
    const operationOf = { old: randomUUID(), recent: randomUUID(), ended: randomUUID() };
    await store(
      new Date(Date.now() - 40 * DAY),
      operationNotification({ callId: old, operationId: operationOf.old, status: 'completed' }),
      rosterNotification(old, [participant('user', 'gone-1'), participant('user', 'gone-2')]),
    );
    await store(
      new Date(),
      operationNotification({ callId: recent, operationId: operationOf.recent, status: 'running' }),
      rosterNotification(recent, [participant('user', 'here')]),
      operationNotification({ callId: ended, operationId: operationOf.ended, status: 'completed' }),
      rosterNotification(ended, [participant('user', 'was-here')]),
      callNotification(ended, 'terminated', 'deleted'),
    );

    const host = await startHostProcess({
      env: {
        ...stack.hostEnv,
        TABLES_CONNECTION_STRING: azurite.connectionString,
        WEBHOOK_QUEUE: azurite.connectionString,
        RETENTION_DAYS: '30',
        RETENTION_SCHEDULE: '*/2 * * * * *',
      },
    });
    try {
      await waitFor(
        async () => (host.lines.some((l) => l.includes('purgeOldRecords: timer trigger')) ? true : undefined),
        5000,
        'the timer',
      );
      const api = (path: string) => call('GET', path, { baseUrl: host.url });
      await waitFor(
        async () => ((await api(`/api/calls/${old}/operations`)).status === 404 ? true : undefined),
        15_000,
        'the purge',
      );
      expect((await api(`/api/calls/${old}/participants`)).status).toBe(404);
      // Recent records stay; a terminated call keeps its operations but loses its roster.
      expect((await api(`/api/calls/${recent}/participants`)).body.participants).toHaveLength(1);
      expect((await api(`/api/calls/${recent}/operations/${operationOf.recent}`)).status).toBe(202);
      const ended_ = await api(`/api/calls/${ended}/participants`);
      expect(ended_.status).toBe(200); // known through its operations
      expect(ended_.body).toMatchObject({ participants: [], state: 'terminated' });
      expect((await api(`/api/calls/${ended}/operations/${operationOf.ended}`)).status).toBe(200);
      const purged = host.lines.map((l) => /retention\.purged.*/.exec(l)?.[0]).find(Boolean);
      // The old operation and its row in the call's newest-first order, and the row saying the
      // call's order rows are complete when a GET of the list wrote it before the purge ran; the
      // old call's roster head, participants and events, and the ended call's participant.
      expect(purged).toMatch(/"operationsRows":[23],"rosterRows":6,"terminatedCalls":1/);
    } finally {
      await host.stop();
    }
  });
});

describe('history after retention', () => {
  const userIdentity = (id: string) => ({ identity: { user: { id } } });
  /** An invite as Graph reports it, with the participants it invited. */
  function inviteReported(callId: string, operationId: string, participants: unknown[]) {
    const body = operationNotification({ callId, operationId, status: 'completed', clientContext: operationId });
    (body.value[0]!.resourceData as Record<string, unknown>).participants = participants;
    return body;
  }

  it('answers the same GET of an operation before and after the purge, and a purged call stays terminated', async () => {
    const [ended, group, replaced] = [randomUUID(), randomUUID(), randomUUID()];
    const [endedInvite, groupInvite] = [randomUUID(), randomUUID()];
    const [joined, left, absent, transferred] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const earlier = new Date(Date.now() - 5 * 60_000); // past the ring timeout
    await store(
      earlier,
      inviteReported(ended, endedInvite, [userIdentity(joined), userIdentity(left), userIdentity(absent)]),
      rosterNotification(ended, [participant('application', joined), participant('user', left)]),
      // Example 3 of reference 004: the roster of the replaced call tells whether the invitee came.
      inviteReported(group, groupInvite, [{ ...userIdentity(transferred), replacesCallId: replaced }]),
      rosterNotification(replaced, [participant('user', transferred)]),
    );
    await store(new Date(Date.now() - 4 * 60_000), rosterNotification(ended, [participant('user', left)], 'deleted'));
    await store(
      new Date(Date.now() - 3 * 60_000),
      callNotification(ended, 'terminated', 'deleted'),
      callNotification(replaced, 'terminated', 'deleted'),
    );

    const host = await startHostProcess({
      env: {
        ...stack.hostEnv,
        TABLES_CONNECTION_STRING: azurite.connectionString,
        WEBHOOK_QUEUE: azurite.connectionString,
      },
    });
    try {
      const api = (path: string) => call('GET', path, { baseUrl: host.url });
      const reads = [
        `/api/calls/${ended}/operations/${endedInvite}`,
        `/api/calls/${group}/operations/${groupInvite}`,
        `/api/calls/${ended}/participants`,
      ];
      const before = await Promise.all(reads.map(async (path) => (await api(path)).body));
      // The calls ended: everyone who was in them left.
      expect(before[0].invitees.map((i: { outcome: string }) => i.outcome)).toEqual(['left', 'left', 'notJoined']);
      expect(before[1].invitees.map((i: { outcome: string }) => i.outcome)).toEqual(['left']);
      expect(before[2]).toMatchObject({ state: 'terminated' });

      const purged = await purgeOldRecords(
        { ...readDeps(services), tables: services.tables, log },
        new Date(Date.now() - 30 * DAY),
      );
      expect(purged.terminatedCalls).toBe(2);
      expect((await api(`/api/calls/${replaced}/participants`)).body.participants).toEqual([]);

      const after = await Promise.all(reads.map(async (path) => (await api(path)).body));
      expect(after[0]).toEqual(before[0]);
      expect(after[1]).toEqual(before[1]);
      expect(after[2]).toMatchObject({ state: 'terminated', participants: [] });
      // A late notification does not revive a call whose roster was purged.
      await store(new Date(), callNotification(ended, 'established'));
      expect((await api(`/api/calls/${ended}/participants`)).body.state).toBe('terminated');
    } finally {
      await host.stop();
    }
  });
});

describe('retention of a live call', () => {
  it("keeps the participants a call's recent head still lists, however old their rows", async () => {
    const callId = randomUUID();
    const [early, late] = [participant('user', 'there-all-along'), participant('user', 'came-today')];
    await store(new Date(Date.now() - 40 * DAY), rosterNotification(callId, [early], 'created'));
    await store(new Date(), rosterNotification(callId, [late], 'created'));
    await purgeOldRecords({ ...readDeps(services), tables: services.tables, log }, new Date(Date.now() - 30 * DAY));
    const fresh = createServices(loadConfig({ ...stack.hostEnv, TABLES_CONNECTION_STRING: azurite.connectionString }));
    const page = await fresh.roster.rosterPage(callId, 10);
    expect(page.entries.map((e) => e.key).sort()).toEqual(['user:came-today', 'user:there-all-along']);
    // And the next whole roster still knows who was there: the early one leaving is an event.
    await applyNotifications(
      { ...notificationDeps(fresh, log), now: () => new Date() },
      rosterNotification(callId, [late]),
    );
    const events = await fresh.roster.eventsPage(callId, 0, 10);
    expect(events.events.map((e) => `${e.type} ${e.key}`).at(-1)).toBe('left user:there-all-along');
  });
});

describe("retention of a live call's tenant", () => {
  it('keeps the tenant a live call belongs to, however old its row: another tenant does not take the call after a purge', async () => {
    const callId = randomUUID();
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    const callback = (s: Services, tenantId: string, at: Date) => ({
      ...notificationDeps(s, log, { token: { tenantId } }),
      now: () => at,
    });
    const someone = participant('user', 'in-the-call');
    // Bound 40 days ago, by the call's first news; its roster changed today.
    await applyNotifications(
      callback(services, tenantA, new Date(Date.now() - 40 * DAY)),
      callNotification(callId, 'established'),
    );
    await applyNotifications(callback(services, tenantA, new Date()), rosterNotification(callId, [someone]));
    await purgeOldRecords({ ...readDeps(services), tables: services.tables, log }, new Date(Date.now() - 30 * DAY));
    // Another instance, nothing remembered: tenant B's token is still not the call's.
    const fresh = createServices(loadConfig({ ...stack.hostEnv, TABLES_CONNECTION_STRING: azurite.connectionString }));
    await applyNotifications(callback(fresh, tenantB, new Date()), callNotification(callId, 'terminated', 'deleted'));
    expect(await fresh.calls.getCall(callId)).toBeUndefined(); // the old call row aged out; B wrote none
    await applyNotifications(callback(fresh, tenantA, new Date()), callNotification(callId, 'terminated', 'deleted'));
    expect((await fresh.calls.getCall(callId))?.value.state).toBe('terminated');
  });
});

describe('retention on several instances', () => {
  it('purges the same rows from two instances at once without failing either', async () => {
    const calls = Array.from({ length: 3 }, () => randomUUID());
    for (const callId of calls) {
      await store(
        new Date(Date.now() - 40 * DAY),
        rosterNotification(
          callId,
          Array.from({ length: 30 }, (_, i) => participant('user', `p-${i}`)),
        ),
      );
    }
    const purge = () =>
      purgeOldRecords({ ...readDeps(services), tables: services.tables, log }, new Date(Date.now() - 30 * DAY));
    const [a, b] = await Promise.all([purge(), purge()]);
    // Each call: its head, 30 participants and their 30 events.
    expect(a.rosterRows + b.rosterRows).toBeGreaterThanOrEqual(183);
    expect(a.rosterRows + b.rosterRows).toBeLessThanOrEqual(366);
  });
});
