import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  call,
  getOperation,
  getRoster,
  invite,
  listOperations,
  newCallId,
  readAllPages,
  stack,
  userInvitee,
} from '../support/api';
import { publishedExample, referenceExample } from '../support/fixtures';
import {
  batch,
  callNotification,
  operationNotification,
  participant,
  rosterNotification,
  wrap,
} from '../support/notifications';
import { signedToken } from '../support/paging';
import { postNotifications, simulator } from '../support/simulator';

/** A reference notification re-pointed at a fresh call (and operation) so tests stay independent. */
function reference(
  n: 1 | 2 | 3 | 4,
  role: 'operation-completed-notification' | 'roster-notification',
  ids: Record<string, string>,
) {
  let text = JSON.stringify(referenceExample(n, role));
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  return JSON.parse(text);
}

describe('POST /api/notifications: authentication', () => {
  const payload = () => operationNotification({ callId: newCallId(), operationId: randomUUID(), status: 'running' });

  it('answers 202 with an empty body for a valid Graph token', async () => {
    const res = await postNotifications(payload());
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const rejected: Array<[string, () => Promise<string | null>]> = [
    ['no Authorization header', async () => null],
    ['a token that is not a JWT', async () => 'not.a.jwt'],
    ['the wrong audience', () => simulator.token({ aud: randomUUID() })],
    ['the wrong issuer', () => simulator.token({ iss: 'https://evil.example.com' })],
    ['a tenant that is not allowed', () => simulator.token({ tid: randomUUID() })],
    ['an expired token', () => simulator.token({ lifetimeSeconds: -600 })],
    ['a token not valid for 10 minutes yet', () => simulator.token({ nbf: now() + 600 })],
  ];

  it.each(rejected)('answers 401 and stores nothing for %s', async (_name, token) => {
    const body = payload();
    const res = await postNotifications(body, { token: await token() });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('Unauthorized');
    const callId = String(body.value[0]!.resource).split('/')[3]!;
    expect((await listOperations(callId)).status).toBe(404);
  });

  it('rejects a Basic scheme, and accepts a token from another allowed tenant and small clock skew', async () => {
    const res = await fetch(`${stack.hostUrl}/api/notifications`, {
      method: 'POST',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify(payload()),
    });
    expect(res.status).toBe(401);
    expect(
      (await postNotifications(payload(), { token: await simulator.token({ tid: stack.otherAllowedTenantId }) }))
        .status,
    ).toBe(202);
    expect((await postNotifications(payload(), { token: await simulator.token({ nbf: now() + 120 }) })).status).toBe(
      202,
    );
    expect(
      (await postNotifications(payload(), { token: await simulator.token({ lifetimeSeconds: -120 }) })).status,
    ).toBe(202);
  });

  it('accepts tokens signed with a newly published key', async () => {
    await simulator.rotateKey();
    await new Promise((r) => setTimeout(r, 1100)); // the test host refreshes keys at most once a second
    expect((await postNotifications(payload())).status).toBe(202);
  });
});

describe('POST /api/notifications: body', () => {
  it('answers 400 and stores nothing for a body that is not JSON or has no value array', async () => {
    expect((await postNotifications(undefined, { raw: '{"value": [' })).status).toBe(400);
    const noValue = await postNotifications({ '@odata.type': '#microsoft.graph.commsNotifications' });
    expect(noValue.status).toBe(400);
    expect(noValue.body.error.details[0].path).toBe('value');
    expect((await postNotifications({ value: {} })).status).toBe(400);
  });

  it('answers 413 for a body over 8 MiB', async () => {
    const huge = {
      value: [{ changeType: 'updated', resource: `/app/calls/${newCallId()}`, pad: 'x'.repeat(8 * 1024 * 1024) }],
    };
    const res = await postNotifications(huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PayloadTooLarge');
  });

  it('answers 413 for a batch of more than 1000 notifications, storing none of them', async () => {
    const callId = newCallId();
    const items = Array.from(
      { length: 1001 },
      (_, i) => rosterNotification(callId, [participant('user', `b-${i}`)]).value[0]!,
    );
    const res = await postNotifications({ value: items });
    expect(res.status).toBe(413);
    expect(res.body.error.details[0].path).toBe('value');
    expect((await getRoster(callId)).status).toBe(404);
  });

  it('skips items whose strings exceed what Graph ever sends, and applies the others', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const body = batch(
      callNotification(callId, 'x'.repeat(40_000)),
      operationNotification({ callId, operationId: randomUUID(), clientContext: 'c'.repeat(300), status: 'running' }),
      rosterNotification(callId, [participant('user', 'u'.repeat(300))]),
      operationNotification({
        callId,
        operationId,
        status: 'failed',
        resultInfo: { code: 1, subcode: 2, message: 'm'.repeat(5000) },
      }),
      operationNotification({ callId, operationId, status: 'running' }),
    );
    expect((await postNotifications(body)).status).toBe(202);
    const ops = (await listOperations(callId)).body.operations;
    expect(ops.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([[operationId, 'running']]);
    expect((await getRoster(callId)).body).toMatchObject({ state: null, participants: [] });
  });

  it('skips items holding a lone UTF-16 surrogate anywhere, applies the others, and every read keeps working', async () => {
    const callId = newCallId();
    const [good, bad] = [randomUUID(), randomUUID()];
    const body = batch(
      rosterNotification(callId, [participant('user', 'before')], 'created'),
      operationNotification({ callId, operationId: bad, clientContext: 'lone\ud800', status: 'running' }),
      rosterNotification(callId, [participant('user', 'x\udfff')]),
      rosterNotification(callId, [
        participant('user', 'ok', { info: { identity: { user: { id: 'ok', displayName: '\ud83d' } } } }),
      ]),
      operationNotification({
        callId,
        operationId: good,
        status: 'running',
        resultInfo: { code: 1, message: 'half \udc00 pair' },
      }),
      operationNotification({ callId, operationId: good, status: 'completed' }),
      rosterNotification(callId, [participant('user', 'after')], 'created'),
    );
    for (let i = 0; i < 2; i++) expect((await postNotifications(body)).status).toBe(202); // redelivery too
    expect((await getOperation(callId, good)).body.status).toBe('completed');
    expect((await getOperation(callId, bad)).status).toBe(404);
    expect((await listOperations(callId)).status).toBe(200);
    expect((await getRoster(callId)).body.participants.map((p: { key: string }) => p.key).sort()).toEqual([
      'user:after',
      'user:before',
    ]);
  });

  it('skips one malformed item and applies the others', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const body = batch(
      wrap({ changeType: 'updated', resource: '/app/calls/not-a-guid/participants', resourceData: [] }),
      wrap({ changeType: 'exploded', resource: `/app/calls/${callId}/participants`, resourceData: [] }),
      operationNotification({ callId, operationId, status: 'running' }),
      rosterNotification(callId, [participant('user', 'u-1')]),
    );
    expect((await postNotifications(body)).status).toBe(202);
    expect((await getOperation(callId, operationId)).body.status).toBe('running');
    expect((await getRoster(callId)).body.participants.map((p: { key: string }) => p.key)).toEqual(['user:u-1']);
  });

  it('acknowledges notifications it does not model, and stores nothing for them', async () => {
    const callId = newCallId();
    const body = batch(
      wrap({
        changeType: 'created',
        resource: `/app/calls/${callId}/contentSharingSessions/1`,
        resourceData: { '@odata.type': '#microsoft.graph.contentSharingSession', id: '1' },
      }),
      wrap({ changeType: 'updated', resource: `/app/calls/${callId}` }),
    );
    expect((await postNotifications(body)).status).toBe(202);
    expect((await listOperations(callId)).status).toBe(404);
    expect((await getRoster(callId)).status).toBe(404);
  });

  it('acknowledges content-sharing sessions without storing them as participants (create-call page)', async () => {
    const callId = newCallId();
    await postNotifications(rosterNotification(callId, [participant('user', 'presenter')]));
    const sharing = publishedExample('create-call-content-sharing-started', {
      '421f4c00-4436-4c3a-9d9a-c4924cf98e67': callId,
    });
    expect((await postNotifications(sharing)).status).toBe(202);
    // The same array at a participants path is no roster either: its items are not participants.
    sharing.value[0].resourceUrl = `/communications/calls/${callId}/participants`;
    expect((await postNotifications(sharing)).status).toBe(202);
    expect((await getRoster(callId)).body.participants.map((p: { key: string }) => p.key)).toEqual(['user:presenter']);
  });

  it("keeps every field Graph reports on an operation: a cancelled DTMF operation's completionReason", async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const canceled = publishedExample('send-dtmf-tones-canceled', {
      '481f3600-983e-4276-9b59-c1b30ec8d125': callId,
      'd36fe651-9f50-484d-bd4b-1e6415eae448': operationId,
    });
    expect((await postNotifications(canceled)).status).toBe(202);
    const op = (await getOperation(callId, operationId)).body;
    expect(op).toMatchObject({
      '@odata.type': '#microsoft.graph.sendDtmfTonesOperation',
      status: 'completed',
      completionReason: 'mediaOperationCanceled',
    });
    // A stale running notification changes neither the status nor the reported fields.
    await postNotifications(
      operationNotification({ callId, operationId, status: 'running', type: 'sendDtmfTonesOperation' }),
    );
    expect((await getOperation(callId, operationId)).body).toMatchObject({
      status: 'completed',
      completionReason: 'mediaOperationCanceled',
    });
  });

  it('stores nothing for an operation with neither an id nor a matching clientContext', async () => {
    const callId = newCallId();
    expect(
      (
        await postNotifications(
          operationNotification({ callId, operationId: null, clientContext: 'nobody', status: 'completed' }),
        )
      ).status,
    ).toBe(202);
    expect((await listOperations(callId)).status).toBe(404);
  });
});

describe('POST /api/notifications: the reference examples', () => {
  it('example 1: completes the invite and adds the participant reported as an application', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    const started = await invite(callId, {
      participants: [userInvitee('278405a3-f568-4b3e-b684-009193463064')],
      clientContext: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
    });
    const ids = {
      'ab6233a5-20b7-4c5e-bea2-ce56c9776429': callId,
      'eec3812a-fdc3-4fb4-825c-a06c9f35414e': started.body.id,
    };
    expect((await postNotifications(reference(1, 'roster-notification', ids))).status).toBe(202);
    expect((await postNotifications(reference(1, 'operation-completed-notification', ids))).status).toBe(202);
    const op = await getOperation(callId, started.body.id);
    expect(op.status).toBe(200);
    expect(op.body.status).toBe('completed');
    const roster = await getRoster(callId);
    expect(roster.body.participants).toHaveLength(1);
    expect(roster.body.participants[0]).toMatchObject({
      key: 'application:278405a3-f568-4b3e-b684-009193463064',
      id: null,
      isMuted: false,
      isInLobby: false,
      info: { endpointType: 'default' },
    });
  });

  it('example 2: matches the completed operation with id null by clientContext, and reads the roster sent under /operations/participants', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    const started = await invite(callId, {
      participants: [
        userInvitee('7e1b4346-85a6-4bdd-abe3-d11c5d420efe'),
        userInvitee('1e126418-44a0-4a94-a6f8-0efe1ad71acb'),
      ],
      clientContext: 'example-2-context',
    });
    const ids = {
      '7531d31f-d10d-44de-802f-c569dbca451c': callId,
      'f2fa86af-3c51-4bc2-8fc0-475452d9764f': 'example-2-context',
    };
    expect((await postNotifications(reference(2, 'operation-completed-notification', ids))).status).toBe(202);
    expect((await postNotifications(reference(2, 'roster-notification', ids))).status).toBe(202);
    expect((await getOperation(callId, started.body.id)).body.status).toBe('completed');
    expect((await getRoster(callId)).body.participants.map((p: { key: string }) => p.key).sort()).toEqual([
      'application:7e1b4346-85a6-4bdd-abe3-d11c5d420efe',
      'user:1e126418-44a0-4a94-a6f8-0efe1ad71acb',
    ]);
    expect((await listOperations(callId)).body.operations).toHaveLength(1);
  });

  it('example 3: records the roster under the replaced call id', async () => {
    const callId = newCallId();
    const replacedCallId = newCallId();
    const operationId = randomUUID();
    const ids = {
      'ab6233a5-20b7-4c5e-bea2-ce56c9776429': callId,
      'a7ebfb2d-871e-419c-87af-27290b22e8db': replacedCallId,
      '278405a3-f568-4b3e-b684-009193463064': operationId,
    };
    expect((await postNotifications(reference(3, 'operation-completed-notification', ids))).status).toBe(202);
    expect((await postNotifications(reference(3, 'roster-notification', ids))).status).toBe(202);
    expect((await getOperation(callId, operationId)).body.status).toBe('completed');
    expect((await getRoster(replacedCallId)).body.participants[0].key).toBe(
      'user:7e1b4346-85a6-4bdd-abe3-d11c5d420efe',
    );
  });

  it('example 4: keys the PSTN participant by phone number', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const ids = { 'ab6233a5-20b7-4c5e-bea2-ce56c9776429': callId, 'eec3812a-fdc3-4fb4-825c-a06c9f35414e': operationId };
    expect((await postNotifications(reference(4, 'roster-notification', ids))).status).toBe(202);
    expect((await postNotifications(reference(4, 'operation-completed-notification', ids))).status).toBe(202);
    expect((await getRoster(callId)).body.participants[0].key).toBe('phone:+12345678901');
    expect((await getOperation(callId, operationId)).body).toMatchObject({
      status: 'completed',
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
    });
  });
});

describe('POST /api/notifications: operation state', () => {
  it('never moves a completed operation back to running, and the first terminal status wins', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const send = (status: string, resultInfo?: unknown) =>
      postNotifications(operationNotification({ callId, operationId, status, resultInfo }));
    await send('running');
    await send('completed', { code: 200, subcode: 0, message: 'ok' });
    await send('Running');
    await send('failed', { code: 500, subcode: 1, message: 'late' });
    expect((await getOperation(callId, operationId)).body).toMatchObject({
      status: 'completed',
      resultInfo: { code: 200, subcode: 0, message: 'ok' },
    });
  });

  it('stores a failure with resultInfo whose codes came as strings and subCode', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    await postNotifications(
      operationNotification({
        callId,
        operationId,
        status: 'Failed',
        resultInfo: { code: '403', subCode: '7507', message: 'Call not found' },
      }),
    );
    const res = await getOperation(callId, operationId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      resultInfo: { code: 403, subcode: 7507, message: 'Call not found' },
    });
  });

  it('leaves the same state when a batch is delivered twice', async () => {
    const callId = newCallId();
    const operationId = randomUUID();
    const body = batch(
      operationNotification({ callId, operationId, status: 'completed' }),
      rosterNotification(callId, [participant('user', 'twice-1'), participant('phone', '+15550001')]),
    );
    await postNotifications(body);
    const firstOp = await getOperation(callId, operationId);
    const firstRoster = await getRoster(callId);
    await postNotifications(body);
    expect((await getOperation(callId, operationId)).body).toEqual(firstOp.body);
    const again = await getRoster(callId);
    expect(again.body.participants).toEqual(firstRoster.body.participants);
  });

  it('handles the quirks of published payloads: no resource, no leading slash, id only in @odata.id, commsOperation item type', async () => {
    const callId = newCallId();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const body = {
      value: [
        {
          '@odata.type': '#microsoft.graph.commsOperation',
          changeType: 'updated',
          resourceUrl: `/communications/calls/${callId}/operations/${a}`,
          resourceData: { '@odata.type': '#microsoft.graph.playPromptOperation', id: a, status: 'Running' },
        },
        {
          changeType: 'deleted',
          resource: `communications/calls/${callId}/operations/${b}`,
          resourceData: { '@odata.type': '#microsoft.graph.recordOperation', status: 'completed' },
        },
        {
          changeType: 'updated',
          resource: `/app/calls/${callId}/operations/participants`,
          resourceData: {
            '@odata.type': '#microsoft.graph.commsOperation',
            '@odata.id': `/communications/calls/${callId}/operations/${c}`,
            status: 'running',
          },
        },
        {
          changeType: 'updated',
          resource: `/app/calls/${callId}/operations/${a}`,
          resourceData: {
            '@odata.type': '#microsoft.graph.playPromptOperation',
            id: a.replace(/-/g, '').toUpperCase(),
            status: 'completed',
          },
        },
      ],
    };
    expect((await postNotifications(body)).status).toBe(202);
    const ops = (await listOperations(callId)).body.operations as Array<{
      id: string;
      status: string;
      '@odata.type': string;
    }>;
    expect(Object.fromEntries(ops.map((o) => [o.id, [o['@odata.type'], o.status]]))).toEqual({
      [a]: ['#microsoft.graph.playPromptOperation', 'completed'],
      [b]: ['#microsoft.graph.recordOperation', 'completed'],
      [c]: ['#microsoft.graph.commsOperation', 'running'],
    });
  });

  it('creates a record for an invite whose Graph answer never arrived, matched by clientContext', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    await simulator.fault({ callId, status: 0 });
    expect((await invite(callId, { participants: [userInvitee()], clientContext: 'lost-answer' })).status).toBe(503);
    // Graph's running notification without id reaches the invite's row...
    await postNotifications(
      operationNotification({ callId, operationId: null, clientContext: 'lost-answer', status: 'running' }),
    );
    // ...and the completed one with its id creates the operation, linked to the invite.
    const operationId = randomUUID();
    await postNotifications(
      operationNotification({ callId, operationId, clientContext: 'lost-answer', status: 'completed' }),
    );
    const ops = (await listOperations(callId)).body.operations;
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ id: operationId, clientContext: 'lost-answer', status: 'completed' });
  });
});

describe('POST /api/notifications: roster and call state', () => {
  it('adds on created, takes updated as the whole roster, removes on deleted', async () => {
    const callId = newCallId();
    const [r1, r2, r3] = ['r-1', 'r-2', 'r-3'].map((id) => participant('user', id));
    await postNotifications(rosterNotification(callId, [r1!, r2!], 'created'));
    await postNotifications(rosterNotification(callId, [r3!], 'created'));
    // The whole roster: r-3 is not in it, so r-3 left; r-1 muted.
    await postNotifications(rosterNotification(callId, [{ ...r1, isMuted: true }, r2!], 'updated'));
    await postNotifications(rosterNotification(callId, [r2!, participant('user', 'never-seen')], 'deleted'));
    const roster = await getRoster(callId);
    expect(roster.status).toBe(200);
    expect(roster.body.participants).toHaveLength(1);
    expect(roster.body.participants[0]).toMatchObject({ key: 'user:r-1', isMuted: true });
    expect(roster.body.state).toBeNull();
    expect(Date.parse(roster.body.lastModifiedDateTime)).not.toBeNaN();
    const events = await call('GET', `/api/calls/${callId}/events`);
    expect(events.body.events.map((e: { type: string; key: string }) => `${e.type} ${e.key}`)).toEqual([
      'joined user:r-1',
      'joined user:r-2',
      'joined user:r-3',
      'left user:r-3',
      'left user:r-2',
    ]);
  });

  it("pages a call's events oldest first, from ?after=, and refuses an altered continuation", async () => {
    const callId = newCallId();
    const people = Array.from({ length: 5 }, (_, i) => participant('user', `e-${i}`));
    for (let i = 1; i <= people.length; i++) await postNotifications(rosterNotification(callId, people.slice(0, i)));
    const events = await readAllPages(`/api/calls/${callId}/events?$top=2`, 'events');
    expect(events.pages).toBe(3);
    expect(events.body.events.map((e: { sequence: number }) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    const later = await call('GET', `/api/calls/${callId}/events?after=3`);
    expect(later.body.events.map((e: { key: string }) => e.key)).toEqual(['user:e-3', 'user:e-4']);
    const first = await call('GET', `/api/calls/${callId}/events?$top=2`);
    const altered = new URL(first.body['@odata.nextLink']);
    // Signed, so what is refused is the position: not an event's sequence.
    altered.searchParams.set('$skiptoken', await signedToken(`events:${callId}`, 'abc'));
    const refused = await call('GET', altered.pathname + altered.search);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].path).toBe('$skiptoken');
    expect((await call('GET', `/api/calls/${callId}/events?after=-1`)).status).toBe(400);
    expect((await call('GET', `/api/calls/${newCallId()}/events`)).status).toBe(404);
  });

  it('stores a roster update whose participants together exceed one 4 MiB transaction', async () => {
    const callId = newCallId();
    // 30 participants of 200 KB each on the wire ('é' is two UTF-8 bytes): 6 MB, in one 6 MB notification.
    const people = Array.from({ length: 30 }, (_, i) =>
      participant('user', `big-${i}`, { note: `${i}`.padEnd(100_000, 'é') }),
    );
    expect((await postNotifications(rosterNotification(callId, people))).status).toBe(202);
    const roster = (await getRoster(callId)).body;
    expect(roster.participants).toHaveLength(30);
    expect(roster.participants.every((p: { note: string }) => p.note.length === 100_000)).toBe(true);
  });

  it('keeps the identity of a participant whose deletion carries only its id, so an invitee shows left', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    const person = userInvitee();
    const started = await invite(callId, { participants: [person] });
    const participantId = randomUUID();
    await postNotifications(
      rosterNotification(callId, [participant('user', person.identity.user.id, { id: participantId })]),
    );
    expect((await getOperation(callId, started.body.id)).body.invitees[0].outcome).toBe('joined');
    await postNotifications(
      rosterNotification(callId, [{ '@odata.type': '#microsoft.graph.participant', id: participantId }], 'deleted'),
    );
    expect((await getOperation(callId, started.body.id)).body.invitees[0].outcome).toBe('left');
    expect((await getRoster(callId)).body.participants).toEqual([]);
  });

  it('makes a call known from a roster notification that lists nobody', async () => {
    const callId = newCallId();
    expect((await postNotifications(rosterNotification(callId, []))).status).toBe(202);
    const roster = await getRoster(callId);
    expect(roster.status).toBe(200);
    expect(roster.body.participants).toEqual([]);
  });

  it('keys a participant by its id when Graph sends one', async () => {
    const callId = newCallId();
    await postNotifications(rosterNotification(callId, [participant('user', 'u-9', { id: 'participant-id-9' })]));
    expect((await getRoster(callId)).body.participants[0]).toMatchObject({
      key: 'participant-id-9',
      id: 'participant-id-9',
    });
  });

  it('records the call state from call notifications, in any casing, and its resultInfo when it ends', async () => {
    const callId = newCallId();
    await postNotifications(callNotification(callId, 'Established'));
    expect((await getRoster(callId)).body.state).toBe('established');
    await postNotifications(
      callNotification(callId, 'terminated', 'deleted', { code: 200, subcode: 5001, message: 'ended' }),
    );
    await postNotifications(callNotification(callId, 'established'));
    const roster = await getRoster(callId);
    expect(roster.body).toMatchObject({ state: 'terminated', resultInfo: { code: 200, subcode: 5001 } });
  });

  it('reflects every notification when many for one call arrive at once', async () => {
    const callId = newCallId();
    const keys = Array.from({ length: 40 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(
      keys.map((k) => postNotifications(rosterNotification(callId, [participant('user', k)], 'created'))),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    const roster = await getRoster(callId);
    expect(roster.body.participants.map((p: { key: string }) => p.key).sort()).toEqual(
      keys.map((k) => `user:${k}`).sort(),
    );
  });

  it('answers 404 for the roster of a call never seen, 200 with an empty roster for a call with only an invite', async () => {
    expect((await getRoster(newCallId())).status).toBe(404);
    const callId = newCallId();
    await simulator.configureCall({ id: callId, autoCallbacks: false });
    await invite(callId, { participants: [userInvitee()] });
    const roster = await getRoster(callId);
    expect(roster.status).toBe(200);
    expect(roster.body).toMatchObject({ callId, state: null, participants: [] });
  });
});
