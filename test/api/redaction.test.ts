import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { simulatorApi } from '../../dev/scenarioRunner';
import { azuriteConnection, freePort, type HostProcess, startHostProcess } from '../../dev/stack';
import { call, stack, userInvitee, waitFor } from '../support/api';
import { operationNotification } from '../support/notifications';
import { simulator } from '../support/simulator';

const SECRET = `graph-secret-${randomUUID()}`;
const FUNCTION_KEY = `key-${randomUUID()}`;
const ACCOUNT_KEY = /AccountKey=([^;]+)/.exec(azuriteConnection())![1]!;

// Hosts with a Graph client secret and their own function key, one of them with storage down.
let hosts: HostProcess[] = [];
beforeAll(async () => {
  const env = { ...stack.hostEnv, GRAPH_CLIENT_SECRET: SECRET, LOCAL_FUNCTION_KEY: FUNCTION_KEY };
  const deadStorage = azuriteConnection({ table: await freePort() });
  hosts = await Promise.all([
    startHostProcess({ env }),
    startHostProcess({ env: { ...env, TABLES_CONNECTION_STRING: deadStorage } }),
  ]);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

describe('secrets stay out of logs and responses', () => {
  it('no token, secret, key or connection string appears in any log line or response', async () => {
    const tokens: string[] = [
      await simulator.token(),
      await simulator.token({ aud: randomUUID() }),
      await simulator.token({ lifetimeSeconds: -3600 }),
    ];
    const responses: string[] = [];
    const callId = await simulatorApi(stack).createCall({ autoCallbacks: false });
    await simulator.fault({ callId, status: 403, times: 1 });
    for (const host of hosts) {
      const opts = { baseUrl: host.url, key: FUNCTION_KEY };
      const exchanges = [
        call('POST', `/api/calls/${callId}/participants/invite`, { ...opts, body: { participants: [userInvitee()] } }),
        call('POST', `/api/calls/${callId}/participants/invite`, { ...opts, body: { participants: [userInvitee()] } }),
        call('POST', `/api/calls/${callId}/participants/invite`, { ...opts, body: { participants: [] } }),
        call('POST', `/api/calls/${callId}/participants/invite`, {
          ...opts,
          query: { code: FUNCTION_KEY },
          key: false,
          body: { participants: [userInvitee()], clientContext: 'q' },
        }),
        call('GET', `/api/calls/${callId}/participants`, opts),
        call('GET', `/api/calls/${callId}/operations/${randomUUID()}`, opts),
        call('GET', '/api/health', opts),
        ...tokens.map(async (token) => {
          const res = await fetch(`${host.url}/api/notifications`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(operationNotification({ callId, operationId: randomUUID(), status: 'running' })),
          });
          return { text: await res.text(), headers: res.headers };
        }),
      ];
      for (const res of await Promise.all(exchanges)) {
        responses.push(
          res.text,
          JSON.stringify(Object.fromEntries(res.headers)).replace(`code=${FUNCTION_KEY}`, 'code=<caller-supplied>'),
        );
      }
    }
    await waitFor(
      async () => (hosts.every((h) => h.lines.some((l) => l.includes('Callback rejected'))) ? true : undefined),
      5000,
      'log lines',
    );
    const logs = hosts.flatMap((h) => h.lines);
    expect(logs.length).toBeGreaterThan(10);
    const secrets = [
      SECRET,
      FUNCTION_KEY,
      ACCOUNT_KEY,
      'AccountKey',
      ...tokens,
      ...tokens.map((t) => t.split('.')[2]!),
    ];
    for (const secret of secrets) {
      expect(
        logs.filter((l) => l.includes(secret)),
        `log lines holding ${secret.slice(0, 12)}…`,
      ).toEqual([]);
      expect(
        responses.filter((r) => r.includes(secret)),
        `responses holding ${secret.slice(0, 12)}…`,
      ).toEqual([]);
    }
  });
});
