import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { azuriteConnection, freePort, type HostProcess, startHostProcess } from '../../dev/stack';
import { call, newCallId, stack, userInvitee } from '../support/api';
import { operationNotification } from '../support/notifications';
import { simulator } from '../support/simulator';

// A second host whose Table Storage does not answer (nothing listens on its port).
let host: HostProcess;
beforeAll(async () => {
  const deadPort = await freePort();
  host = await startHostProcess({
    env: { ...stack.hostEnv, TABLES_CONNECTION_STRING: azuriteConnection({ table: deadPort }) },
  });
});
afterAll(() => host?.stop());

const expectUnavailable = (res: { status: number; headers: Headers; body: any; text: string }) => {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(res.body.error.code).toBe('ServiceUnavailable');
  expect(res.text).not.toMatch(/devstoreaccount1|AccountKey|ECONNREFUSED|at .*\.js/);
};

describe('when Table Storage is unavailable', () => {
  it('answers invites with 503 + Retry-After without calling Graph', async () => {
    const callId = newCallId();
    const res = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      body: { participants: [userInvitee()] },
    });
    expectUnavailable(res);
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
  });

  it('answers notifications with 503 + Retry-After so Graph delivers again', async () => {
    const res = await fetch(`${host.url}/api/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await simulator.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        operationNotification({ callId: newCallId(), operationId: randomUUID(), status: 'completed' }),
      ),
    });
    const text = await res.text();
    expectUnavailable({ status: res.status, headers: res.headers, text, body: JSON.parse(text) });
  });

  it('answers reads and health with 503', async () => {
    const callId = newCallId();
    expectUnavailable(await call('GET', `/api/calls/${callId}/operations/${randomUUID()}`, { baseUrl: host.url }));
    expectUnavailable(await call('GET', `/api/calls/${callId}/participants`, { baseUrl: host.url }));
    expectUnavailable(await call('GET', '/api/health', { baseUrl: host.url, key: false }));
  });
});
