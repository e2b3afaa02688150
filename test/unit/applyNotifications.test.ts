import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  batch,
  callNotification,
  operationNotification,
  participantOf,
  rosterNotification,
} from '../../dev/graphPayloads';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { readRoster } from '../../src/roster/readRoster';
import { notificationDeps } from '../../src/services';
import { memoryServices, silentLog } from '../support/inProcess';

function setup() {
  const services = memoryServices();
  const notify = (...bodies: Array<{ value: unknown[] }>) =>
    applyNotifications(notificationDeps(services, silentLog), batch(...bodies));
  return { services, notify };
}

describe('applying notifications (in process)', () => {
  it('creates an operation of any kind it has no record of, with every field Graph reported', async () => {
    const { services, notify } = setup();
    const [callId, operationId] = [randomUUID(), randomUUID()];
    const summary = await notify(
      operationNotification({
        callId,
        operationId,
        status: 'completed',
        type: 'playPromptOperation',
        resultInfo: { code: '200', subCode: '0' },
      }),
    );
    expect(summary).toEqual({ applied: 1, skipped: 0 });
    expect((await services.operations.get(callId, operationId))?.value).toMatchObject({
      type: 'playPromptOperation',
      status: 'completed',
      resultInfo: { code: 200, subcode: 0, message: null },
    });
  });

  it('never moves an operation backwards, and writes nothing for a stale or duplicate notification', async () => {
    const { services, notify } = setup();
    const [callId, operationId] = [randomUUID(), randomUUID()];
    await notify(operationNotification({ callId, operationId, status: 'completed' }));
    const writes = services.operations.writes;
    await notify(
      operationNotification({ callId, operationId, status: 'running' }),
      operationNotification({ callId, operationId, status: 'completed' }),
    );
    expect(services.operations.writes).toBe(writes);
    await notify(operationNotification({ callId, operationId, status: 'failed' }));
    expect((await services.operations.get(callId, operationId))?.value.status).toBe('completed');
    expect(silentLog.lines.some((l) => l.includes(`ignoring later failed`))).toBe(true);
  });

  it('stores nothing for an operation with neither an id nor a clientContext it knows', async () => {
    const { services, notify } = setup();
    const callId = randomUUID();
    expect(
      await notify(operationNotification({ callId, operationId: null, clientContext: 'nobody', status: 'completed' })),
    ).toEqual({ applied: 0, skipped: 1 });
    expect(await services.operations.hasAny(callId)).toBe(false);
  });

  it('keeps departed participants as departed and shows only those present', async () => {
    const { services, notify } = setup();
    const callId = randomUUID();
    await notify(rosterNotification(callId, [participantOf('user', 'a'), participantOf('user', 'b')], 'created'));
    await notify(
      rosterNotification(callId, [participantOf('user', 'b')], 'deleted'),
      callNotification(callId, 'Established'),
    );
    const roster = (await readRoster(services.roster, services.operations, callId, { top: 100 })).body;
    expect(roster.participants.map((p) => p.key)).toEqual(['user:a']);
    expect(roster.state).toBe('established');
    expect((await services.roster.presence([callId], ['b']))[0]).toMatchObject({ present: false });
  });

  it('keeps a terminated call terminated when a late notification arrives', async () => {
    const { services, notify } = setup();
    const callId = randomUUID();
    await notify(callNotification(callId, 'terminated', 'deleted'), callNotification(callId, 'established'));
    expect((await services.roster.getCall(callId))?.value.state).toBe('terminated');
  });

  it('skips an item holding ill-formed text and applies the rest of the batch', async () => {
    const { services, notify } = setup();
    const callId = randomUUID();
    const summary = await notify(
      rosterNotification(callId, [participantOf('user', 'x\udfff')]),
      rosterNotification(callId, [participantOf('user', 'fine')]),
    );
    expect(summary).toEqual({ applied: 1, skipped: 1 });
    expect(
      (await readRoster(services.roster, services.operations, callId, { top: 100 })).body.participants.map(
        (p) => p.key,
      ),
    ).toEqual(['user:fine']);
  });
});
