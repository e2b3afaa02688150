import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Azurite, type HostProcess, startAzurite, startHostProcess } from '../../dev/stack';
import { call, stack } from '../support/api';
import { batch, operationNotification, participant, rosterNotification } from '../support/notifications';
import { simulator } from '../support/simulator';
import { callSnapshot } from '../support/snapshot';

// Azurite of its own, persisted to disk, so it can be stopped mid-batch and started again.
let location: string;
let azurite: Azurite;
let host: HostProcess;
beforeAll(async () => {
  location = mkdtempSync(path.join(tmpdir(), 'azurite-restart-'));
  azurite = await startAzurite({ location });
  host = await startHostProcess({ env: { ...stack.hostEnv, TABLES_CONNECTION_STRING: azurite.connectionString } });
});
afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  rmSync(location, { recursive: true, force: true });
});

function bigBatch(callId: string, operations: string[]) {
  return batch(
    ...operations.map((id) => operationNotification({ callId, operationId: id, status: 'running' })),
    ...Array.from({ length: 150 }, (_, i) => rosterNotification(callId, [participant('user', `u-${i}`)], 'created')),
    ...Array.from({ length: 50 }, (_, i) => rosterNotification(callId, [participant('user', `u-${i * 3}`)], 'deleted')),
    ...operations.map((id) => operationNotification({ callId, operationId: id, status: 'completed' })),
  );
}

async function post(baseUrl: string, body: unknown) {
  const res = await fetch(`${baseUrl}/api/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await simulator.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

describe('Azurite stopped in the middle of a notification batch', () => {
  it('answers 503 + Retry-After, and after a restart the redelivered batch leaves the fault-free state', async () => {
    const operations = Array.from({ length: 10 }, () => randomUUID());
    const referenceCall = randomUUID();
    expect((await post(stack.hostUrl, bigBatch(referenceCall, operations))).status).toBe(202);
    const expected = await callSnapshot(referenceCall);

    const callId = randomUUID();
    expect((await call('GET', '/api/health', { baseUrl: host.url, key: false })).status).toBe(200);
    const delivery = post(host.url, bigBatch(callId, operations));
    await new Promise((r) => setTimeout(r, 150)); // part of the batch is written by now
    await azurite.stop();
    const first = await delivery;
    expect(first.status).toBe(503);
    expect(first.retryAfter).toBe('5');
    expect((await call('GET', '/api/health', { baseUrl: host.url, key: false })).status).toBe(503);

    azurite = await startAzurite({ ports: azurite.ports, location });
    // Graph delivers again until it gets 202. The restarted emulator lost its tables (its data is
    // saved periodically): the first delivery finds that out and gets 503, the next recreates them.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3 && statuses.at(-1) !== 202; attempt++)
      statuses.push((await post(host.url, bigBatch(callId, operations))).status);
    expect(statuses.at(-1)).toBe(202);
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    // Read through the restarted store, via the host that uses it.
    expect(await callSnapshot(callId, [], host.url)).toEqual(expected);
  });
});
