import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { call, getOperation, invite, listOperations, newCallId, stack, userInvitee } from '../support/api';
import { operationNotification } from '../support/notifications';
import { postNotifications, simulator } from '../support/simulator';

describe('GET /api/calls/{callId}/operations/{operationId}', () => {
  it('answers 202 with Location and Retry-After while running, then 200 once completed', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    const started = await invite(callId, { participants: [userInvitee()], clientContext: 'poll-me' });
    const running = await getOperation(callId, started.body.id);
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toBe(started.headers.get('location'));
    expect(running.headers.get('retry-after')).toBe('2');
    expect(running.body).toEqual(started.body);

    await postNotifications(
      operationNotification({ callId, operationId: started.body.id, clientContext: 'poll-me', status: 'completed' }),
    );
    const done = await getOperation(callId, started.body.id);
    expect(done.status).toBe(200);
    expect(done.headers.get('location')).toBeNull();
    expect(done.body).toMatchObject({
      id: started.body.id,
      status: 'completed',
      clientContext: 'poll-me',
      participants: started.body.participants,
    });
    expect(done.body.lastModifiedDateTime >= started.body.lastModifiedDateTime).toBe(true);
  });

  it('finds an operation whatever GUID form the caller uses, showing the canonical form', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    await postNotifications(operationNotification({ callId, operationId, status: 'Running' }));
    const res = await getOperation(callId.replace(/-/g, '').toUpperCase(), operationId.toUpperCase());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: operationId, callId, status: 'running' });
  });

  it('answers 404 for an unknown operation and for an unknown call', async () => {
    const callId = newCallId();
    await postNotifications(operationNotification({ callId, operationId: randomUUID(), status: 'running' }));
    const unknownOp = await getOperation(callId, randomUUID());
    expect(unknownOp.status).toBe(404);
    expect(unknownOp.body.error.code).toBe('NotFound');
    expect((await getOperation(newCallId(), randomUUID())).status).toBe(404);
  });

  it('answers 400 for a call id that is not a GUID and 401 without the key', async () => {
    expect((await getOperation('nope', randomUUID())).status).toBe(400);
    expect((await call('GET', `/api/calls/${newCallId()}/operations/${randomUUID()}`, { key: false })).status).toBe(
      401,
    );
  });
});

describe('GET /api/calls/{callId}/operations', () => {
  it('lists invites and operations learned from notifications, newest first', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    const first = await invite(callId, { participants: [userInvitee()] });
    const promptId = randomUUID();
    await postNotifications(
      operationNotification({ callId, operationId: promptId, status: 'completed', type: 'playPromptOperation' }),
    );
    const last = await invite(callId, { participants: [userInvitee()] });
    const res = await listOperations(callId);
    expect(res.status).toBe(200);
    expect(res.body.callId).toBe(callId);
    expect(res.body.operations.map((o: { id: string }) => o.id)).toEqual([last.body.id, promptId, first.body.id]);
    expect(res.body.operations[1]['@odata.type']).toBe('#microsoft.graph.playPromptOperation');
  });

  it('answers 404 for a call never seen', async () => {
    const res = await listOperations(newCallId());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
  });
});

describe('local host routing', () => {
  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call('GET', '/api/nothing-here')).status).toBe(404);
    expect((await call('GET', '/elsewhere')).status).toBe(404);
    // The invite route and the participant route (DELETE, participantId "invite") both match this path.
    const wrong = await call('PATCH', `/api/calls/${newCallId()}/participants/invite`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, DELETE');
  });

  it('serves health anonymously', async () => {
    const res = await call('GET', '/api/health', { key: false });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(stack.hostUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
