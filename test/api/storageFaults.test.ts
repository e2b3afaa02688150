import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FaultyProxy } from '../../dev/faultyProxy';
import { simulatorApi } from '../../dev/scenarioRunner';
import { azuriteConnection, type HostProcess, startHostProcess } from '../../dev/stack';
import { call, getOperation, QUIET_TIMERS, stack, userInvitee, waitFor } from '../support/api';
import {
  batch,
  callNotification,
  operationNotification,
  participant,
  rosterNotification,
} from '../support/notifications';
import { simulator } from '../support/simulator';
import { callSnapshot } from '../support/snapshot';

// A host whose Table Storage sits behind a proxy that the test can cut at any request.
let proxy: FaultyProxy;
let host: HostProcess;
beforeAll(async () => {
  const azuritePort = Number(new URL(/TableEndpoint=([^;]+)/.exec(stack.tablesConnectionString)![1]!).port);
  proxy = await new FaultyProxy(azuritePort).start();
  host = await startHostProcess({
    env: { ...stack.hostEnv, ...QUIET_TIMERS, TABLES_CONNECTION_STRING: azuriteConnection({ table: proxy.port }) },
  });
  await call('GET', '/api/health', { baseUrl: host.url, key: false }); // tables created
});
afterAll(async () => {
  await host?.stop();
  await proxy?.close();
});

/** A batch touching every kind of state: operations by id and by clientContext, roster adds, updates and removals, call state. */
function mixedBatch(callId: string, ids: { ops: string[] }) {
  return batch(
    callNotification(callId, 'Established'),
    operationNotification({ callId, operationId: ids.ops[0], status: 'running', clientContext: 'a' }),
    rosterNotification(
      callId,
      [participant('user', 'u1'), participant('user', 'u2'), participant('phone', '+15550100')],
      'created',
    ),
    operationNotification({ callId, operationId: ids.ops[1], status: 'running', type: 'playPromptOperation' }),
    rosterNotification(callId, [participant('user', 'u1', { isMuted: true })], 'updated'),
    operationNotification({
      callId,
      operationId: ids.ops[0],
      status: 'completed',
      clientContext: 'a',
      resultInfo: { code: 200, subcode: 0, message: 'ok' },
    }),
    rosterNotification(callId, [participant('user', 'u2')], 'deleted'),
    operationNotification({
      callId,
      operationId: ids.ops[1],
      status: 'Failed',
      resultInfo: { code: '500', subCode: '9', message: 'x' },
    }),
    rosterNotification(callId, [participant('application', 'bot-1', { id: 'p-bot' })], 'created'),
    callNotification(callId, 'terminated', 'deleted', { code: 200, subcode: 5001, message: 'bye' }),
  );
}

const postTo = async (baseUrl: string, body: unknown) => {
  const res = await fetch(`${baseUrl}/api/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await simulator.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
};

describe('storage failing in the middle of a notification batch', () => {
  it('answers 503 + Retry-After at every cut point, and the redelivered batch leaves the fault-free state', async () => {
    const ops = [randomUUID(), randomUUID()];
    const referenceCall = randomUUID();
    expect((await postTo(stack.hostUrl, mixedBatch(referenceCall, { ops }))).status).toBe(202);
    const expected = await callSnapshot(referenceCall);

    let cut = 0;
    let faults = 0;
    for (; cut < 200; cut++) {
      const callId = randomUUID();
      proxy.failAfter(cut);
      const first = await postTo(host.url, mixedBatch(callId, { ops }));
      proxy.restore();
      if (first.status === 202) break; // the whole batch fits in `cut` storage requests: no fault left to inject
      faults++;
      expect(first.status, `cut after ${cut} storage requests`).toBe(503);
      expect(first.retryAfter).toBe('5');
      expect(first.text).not.toMatch(/AccountKey|devstoreaccount1|ECONNRESET|socket/i);
      expect((await postTo(host.url, mixedBatch(callId, { ops }))).status).toBe(202); // Graph delivers again
      expect(await callSnapshot(callId), `cut after ${cut} storage requests`).toEqual(expected);
    }
    expect(faults).toBeGreaterThan(10);
    console.info(`storage cut at ${faults} points of one batch: every redelivery matched the fault-free state`);
  });
});

describe('storage failing around an invite', () => {
  it('answers 503 without calling Graph when storage is down before the invite is recorded', async () => {
    const callId = await simulatorApi(stack).createCall({ autoCallbacks: false });
    proxy.failAfter(0);
    const res = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      body: { participants: [userInvitee()] },
    });
    proxy.restore();
    expect(res.status).toBe(503);
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
  });

  it('keeps the outcome recoverable when storage fails after Graph accepted the invite', async () => {
    const callId = await simulatorApi(stack).createCall(); // Graph will call back as usual
    const body = { participants: [userInvitee()], clientContext: 'storage-died-after-graph' };
    proxy.failAfter(3); // the call's row (how Graph names the call), read + create of the invite's row succeed; storing Graph's answer fails
    const res = await call('POST', `/api/calls/${callId}/participants/invite`, { baseUrl: host.url, body });
    proxy.restore();
    expect(res.status).toBe(503);
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
    // Graph's callbacks carry the operation id and clientContext: they attach the operation to the invite.
    const recovered = await waitFor(
      async () => {
        const retry = await call('POST', `/api/calls/${callId}/participants/invite`, { baseUrl: host.url, body });
        return retry.status === 200 ? retry : undefined;
      },
      15_000,
      'the invite to be answerable again',
    );
    expect(recovered.body).toMatchObject({ status: 'completed', clientContext: 'storage-died-after-graph' });
    expect((await getOperation(callId, recovered.body.id)).status).toBe(200);
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
  });
});
