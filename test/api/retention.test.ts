import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startHostProcess, type Azurite, type HostProcess } from '../../dev/stack';
import { loadConfig } from '../../src/config';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { createServices, notificationDeps, type Services } from '../../src/services';
import { call, stack, waitFor } from '../support/api';
import { callNotification, operationNotification, participant, rosterNotification } from '../support/notifications';

// Storage of its own: the purge sweeps whole tables.
let azurite: Azurite;
let services: Services;
beforeAll(async () => {
  azurite = await startAzurite();
  services = createServices(loadConfig({ ...stack.hostEnv, TABLES_CONNECTION_STRING: azurite.connectionString, WEBHOOK_QUEUE: azurite.connectionString }));
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
    await store(new Date(Date.now() - 40 * DAY),
      operationNotification({ callId: old, operationId: operationOf.old, status: 'completed' }),
      rosterNotification(old, [participant('user', 'gone-1'), participant('user', 'gone-2')]),
    );
    await store(new Date(),
      operationNotification({ callId: recent, operationId: operationOf.recent, status: 'running' }),
      rosterNotification(recent, [participant('user', 'here')]),
      operationNotification({ callId: ended, operationId: operationOf.ended, status: 'completed' }),
      rosterNotification(ended, [participant('user', 'was-here')]),
      callNotification(ended, 'terminated', 'deleted'),
    );

    const host = await startHostProcess({
      env: { ...stack.hostEnv, TABLES_CONNECTION_STRING: azurite.connectionString, WEBHOOK_QUEUE: azurite.connectionString, RETENTION_DAYS: '30', RETENTION_SCHEDULE: '*/2 * * * * *' },
    });
    try {
      await waitFor(async () => (host.lines.some((l) => l.includes('purgeOldRecords: timer trigger')) ? true : undefined), 5000, 'the timer');
      const api = (path: string) => call('GET', path, { baseUrl: host.url });
      await waitFor(async () => ((await api(`/api/calls/${old}/operations`)).status === 404 ? true : undefined), 15_000, 'the purge');
      expect((await api(`/api/calls/${old}/participants`)).status).toBe(404);
      // Recent records stay; a terminated call keeps its operations but loses its roster.
      expect((await api(`/api/calls/${recent}/participants`)).body.participants).toHaveLength(1);
      expect((await api(`/api/calls/${recent}/operations/${operationOf.recent}`)).status).toBe(202);
      const ended_ = await api(`/api/calls/${ended}/participants`);
      expect(ended_.status).toBe(200); // known through its operations
      expect(ended_.body).toMatchObject({ participants: [], state: null });
      expect((await api(`/api/calls/${ended}/operations/${operationOf.ended}`)).status).toBe(200);
      const purged = host.lines.map((l) => /retention\.purged.*/.exec(l)?.[0]).find(Boolean);
      expect(purged).toMatch(/"operationsRows":1,"rosterRows":[34],"terminatedCalls":1/);
    } finally {
      await host.stop();
    }
  });
});
