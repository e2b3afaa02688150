import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { call, getOperation, invite, listOperations, newCallId, stack, userInvitee, waitFor } from '../support/api';
import { referenceExample } from '../support/fixtures';
import { operationNotification, participant, rosterNotification } from '../support/notifications';
import { postNotifications, simulator } from '../support/simulator';

const quietCall = async () => {
  const callId = newCallId();
  await simulator.configureCall({ id: callId, autoCallbacks: false });
  return callId;
};

describe('POST /api/calls/{callId}/participants/invite', () => {
  it('answers 202 with an absolute Location, an integer Retry-After and the running operation', async () => {
    const callId = await quietCall();
    const res = await invite(callId, { participants: [userInvitee()] });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('2');
    const op = res.body;
    expect(op).toMatchObject({ callId, status: 'running', resultInfo: null });
    expect(op.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(op.clientContext).toMatch(/^[0-9a-f-]{36}$/); // generated when absent
    expect(res.headers.get('location')).toBe(`${stack.hostUrl}/api/calls/${callId}/operations/${op.id}`);
    expect(Date.parse(op.createdDateTime)).not.toBeNaN();
    expect(Date.parse(op.lastModifiedDateTime)).not.toBeNaN();
  });

  it('accepts each reference request that Graph honours in full', async () => {
    for (const n of [1, 3, 4] as const) {
      const callId = await quietCall();
      const body = { ...referenceExample(n, 'request'), clientContext: randomUUID() };
      const res = await invite(callId, body);
      expect(res.status, `example ${n}`).toBe(202);
      expect(res.body.participants).toEqual(body.participants);
    }
  });

  it('canonicalises the call id for storage and responses but calls Graph with the id as given', async () => {
    const callId = await quietCall();
    const asGiven = callId.replace(/-/g, '').toUpperCase();
    const res = await invite(asGiven, { participants: [userInvitee()] });
    expect(res.status).toBe(202);
    expect(res.body.callId).toBe(callId);
    const [sent] = await simulator.invitesFor(callId);
    expect(sent?.path).toBe(`/v1.0/communications/calls/${asGiven}/participants/invite`);
    expect((await getOperation(asGiven.toLowerCase(), res.body.id)).status).toBe(202);
  });

  it('passes unknown fields and @odata.type keys to Graph unchanged, and keeps callbackUrl to itself', async () => {
    const callId = await quietCall();
    const participant = {
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: {
        '@odata.type': '#microsoft.graph.identitySet',
        user: { '@odata.type': '#microsoft.graph.identity', id: randomUUID() },
      },
      participantId: 'extra-field',
    };
    const res = await invite(callId, {
      participants: [participant],
      futureFlag: { a: 1 },
      callbackUrl: 'https://example.com/hook',
      clientContext: 'c-1',
    });
    expect(res.status).toBe(202);
    const [sent] = await simulator.invitesFor(callId);
    expect(sent?.body).toEqual({ participants: [participant], futureFlag: { a: 1 }, clientContext: 'c-1' });
  });

  it('carries the code query parameter into Location when the caller authenticated with it', async () => {
    const callId = await quietCall();
    const res = await call('POST', `/api/calls/${callId}/participants/invite`, {
      body: { participants: [userInvitee()] },
      key: false,
      query: { code: stack.functionKey },
    });
    expect(res.status).toBe(202);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('code')).toBe(stack.functionKey);
    const followed = await fetch(location);
    expect(followed.status).toBe(202);
  });

  it('answers 200 with the terminal operation when Graph answers already completed', async () => {
    const callId = newCallId();
    await simulator.configureCall({ id: callId, inviteStatus: 'Completed' });
    const res = await invite(callId, { participants: [userInvitee()] });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.body.status).toBe('completed');
    expect((await getOperation(callId, res.body.id)).body.status).toBe('completed');
  });

  it('does not call Graph again for a repeated clientContext, answering as GET would', async () => {
    const callId = await quietCall();
    const body = { participants: [userInvitee()], clientContext: 'repeat-me' };
    const first = await invite(callId, body);
    const again = await invite(callId, { clientContext: 'repeat-me', participants: body.participants });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
  });

  it('answers a repeat with 200 and the terminal operation once Graph reported it completed', async () => {
    const callId = newCallId(); // the simulator calls back: running, roster, completed
    const body = { participants: [userInvitee()], clientContext: 'repeat-after-done' };
    const first = await invite(callId, body);
    await waitFor(
      async () => ((await getOperation(callId, first.body.id)).status === 200 ? true : undefined),
      10_000,
      'completion',
    );
    const again = await invite(callId, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, status: 'completed' });
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
  });

  it("keeps a clientContext holding `',` (Azurite loses such a key inside a transaction) and answers its repeat", async () => {
    for (const clientContext of ["it's, done", "',", "a','b"]) {
      const callId = await quietCall();
      const body = { participants: [userInvitee()], clientContext };
      const first = await invite(callId, body);
      expect(first.status).toBe(202);
      const again = await invite(callId, body);
      expect([again.status, again.body.id]).toEqual([202, first.body.id]);
      expect(await simulator.invitesFor(callId)).toHaveLength(1);
    }
  });

  it('refuses the same clientContext with a different body with 409', async () => {
    const callId = await quietCall();
    await invite(callId, { participants: [userInvitee()], clientContext: 'taken' });
    const res = await invite(callId, { participants: [userInvitee()], clientContext: 'taken' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('Conflict');
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
  });

  it('accepts the same clientContext in another call as a separate invite', async () => {
    const [a, b] = [await quietCall(), await quietCall()];
    const body = { participants: [userInvitee()], clientContext: 'shared-context' };
    expect((await invite(a, body)).status).toBe(202);
    expect((await invite(b, body)).status).toBe(202);
  });
});

describe('invite: bad input', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no participants', { participants: [] }, 'participants'],
    ['six participants', { participants: Array.from({ length: 6 }, () => userInvitee()) }, 'participants'],
    ['participants missing', { clientContext: 'x' }, 'participants'],
    ['an identity with no kind', { participants: [{ identity: {} }] }, 'participants[0].identity'],
    [
      'a participant without identity',
      { participants: [{ replacesCallId: randomUUID() }] },
      'participants[0].identity',
    ],
    ['an empty user id', { participants: [{ identity: { user: { id: '' } } }] }, 'participants[0].identity.user.id'],
    [
      'a phone number that is not E.164',
      { participants: [{ identity: { phone: { id: '555-1234' } } }] },
      'participants[0].identity.phone.id',
    ],
    ['replacesCallId with two participants', referenceExample(2, 'request'), 'participants[0].replacesCallId'],
    [
      'a clientContext over 256 characters',
      { participants: [userInvitee()], clientContext: 'x'.repeat(257) },
      'clientContext',
    ],
    ['an empty clientContext', { participants: [userInvitee()], clientContext: '' }, 'clientContext'],
    [
      'a callbackUrl that is not https',
      { participants: [userInvitee()], callbackUrl: 'http://example.com/x' },
      'callbackUrl',
    ],
    [
      'a callbackUrl to a private address',
      { participants: [userInvitee()], callbackUrl: 'https://10.1.2.3/x' },
      'callbackUrl',
    ],
    // The URL parser rewrites these to hex IPv6 forms (`[::ffff:a00:1]`); the address inside is what counts.
    [
      'a callbackUrl to an IPv4-mapped private address',
      { participants: [userInvitee()], callbackUrl: 'https://[::ffff:10.0.0.1]/h' },
      'callbackUrl',
    ],
    [
      'a callbackUrl to the mapped metadata address',
      { participants: [userInvitee()], callbackUrl: 'https://[::ffff:a9fe:a9fe]/h' },
      'callbackUrl',
    ],
    [
      'a callbackUrl to a fully written mapped address',
      { participants: [userInvitee()], callbackUrl: 'https://[0:0:0:0:0:ffff:a00:1]/h' },
      'callbackUrl',
    ],
    // The test host allows loopback (ALLOW_LOOPBACK_URLS): the compatible form of 10.0.0.1 stands in for [::7f00:1].
    [
      'a callbackUrl to an IPv4-compatible private address',
      { participants: [userInvitee()], callbackUrl: 'https://[::10.0.0.1]/h' },
      'callbackUrl',
    ],
    [
      'a callbackUrl longer than 2048 characters',
      { participants: [userInvitee()], callbackUrl: `https://example.com/${'a'.repeat(2030)}` },
      'callbackUrl',
    ],
    ['a body that is an array', [userInvitee()], '(body)'],
    // Ill-formed UTF-16 cannot be stored or sent on: refused before Graph or storage is touched.
    [
      'a lone surrogate in clientContext',
      { participants: [userInvitee()], clientContext: 'run-\ud800' },
      'clientContext',
    ],
    [
      'a lone surrogate in an identity id',
      { participants: [userInvitee('a\udc00b')] },
      'participants[0].identity.user.id',
    ],
    [
      'a lone surrogate in a field passed to Graph',
      { participants: [userInvitee(undefined, { note: ['\ud83d'] })] },
      'participants[0].note[0]',
    ],
    ['a lone surrogate in a key', { participants: [userInvitee()], ['k\udbff']: 1 }, 'k\ufffd'],
  ];

  it.each(cases)(
    'answers 400 for %s, naming the field, storing nothing and not calling Graph',
    async (_name, body, path) => {
      const callId = newCallId();
      const res = await invite(callId, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BadRequest');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(res.body.error.message).toContain(path === '(body)' ? 'body' : path);
      expect(await simulator.invitesFor(callId)).toHaveLength(0);
      expect((await listOperations(callId)).status).toBe(404);
    },
  );

  it('answers 400 for invalid JSON and for an empty body', async () => {
    const callId = newCallId();
    for (const rawBody of ['{"participants": [', '']) {
      const res = await call('POST', `/api/calls/${callId}/participants/invite`, {
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BadRequest');
    }
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
  });

  it.each(['not-a-guid', '12345', 'ab6233a5-20b7-4c5e-bea2-ce56c977642', 'ab6233a5-20b7-4c5e-bea2-ce56c9776429x'])(
    'answers 400 for the call id %s',
    async (callId) => {
      const res = await invite(callId, { participants: [userInvitee()] });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('callId');
    },
  );

  it('answers 401 with an empty body for a missing or wrong function key', async () => {
    const callId = newCallId();
    for (const key of [false, 'wrong-key'] as const) {
      const res = await invite(callId, { participants: [userInvitee()] }, { key });
      expect(res.status).toBe(401);
      expect(res.text).toBe('');
    }
    const wrongCode = await call('POST', `/api/calls/${callId}/participants/invite`, {
      body: {},
      key: false,
      query: { code: 'nope' },
    });
    expect(wrongCode.status).toBe(401);
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
  });
});

describe('invite: body size', () => {
  it('refuses a body over 1 MiB with 413 before calling Graph', async () => {
    const callId = newCallId();
    const res = await invite(callId, { participants: [userInvitee(undefined, { note: 'x'.repeat(1024 * 1024) })] });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PayloadTooLarge');
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
  });

  it('stores a 64 KiB body whole, though one field is longer than a table string property', async () => {
    const callId = await quietCall();
    const participants = [userInvitee(undefined, { note: 'é😀x'.repeat(16_000) })];
    const res = await invite(callId, { participants });
    expect(res.status).toBe(202);
    expect((await getOperation(callId, res.body.id)).body.participants).toEqual(participants);
  });

  it('between 64 KiB and the limit, either stores the body whole or answers 413, never 500', async () => {
    for (const size of [200_000, 450_000, 700_000, 1_000_000]) {
      const callId = await quietCall();
      const participants = [userInvitee(undefined, { note: 'x'.repeat(size) })];
      const res = await invite(callId, { participants });
      expect([202, 413], `size ${size}`).toContain(res.status);
      if (res.status === 202) expect((await getOperation(callId, res.body.id)).body.participants).toEqual(participants);
      else expect(await simulator.invitesFor(callId)).toHaveLength(0);
    }
  });
});

describe('invite: Graph failures', () => {
  it.each([400, 403, 404, 409])('passes Graph %i through as UpstreamError and keeps nothing', async (status) => {
    const callId = await quietCall();
    await simulator.fault({ callId, status, code: 'GraphCode', message: 'Graph says no.' });
    const body = { participants: [userInvitee()], clientContext: 'refused' };
    const res = await invite(callId, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('UpstreamError');
    expect(res.body.error.details[0]).toMatchObject({ code: 'GraphCode', message: 'Graph says no.' });
    expect((await listOperations(callId)).status).toBe(404);
    // Nothing was kept, so the same clientContext calls Graph again.
    const retry = await invite(callId, body);
    expect(retry.status).toBe(202);
    expect(await simulator.invitesFor(callId)).toHaveLength(2);
  });

  it('answers 502 UpstreamError when Graph refuses the app itself (401), keeping nothing', async () => {
    const callId = await quietCall();
    await simulator.fault({
      callId,
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: 'Access token is empty.',
    });
    const res = await invite(callId, { participants: [userInvitee()] });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'UpstreamError', details: [{ code: 'InvalidAuthenticationToken' }] });
    expect((await listOperations(callId)).status).toBe(404);
  });

  it('honours Graph Retry-After on 429 and succeeds within the deadline', async () => {
    const callId = await quietCall();
    await simulator.fault({ callId, status: 429, retryAfter: 1, times: 1 });
    const res = await invite(callId, { participants: [userInvitee()] });
    expect(res.status).toBe(202);
    expect(await simulator.invitesFor(callId)).toHaveLength(2);
  });

  it.each([429, 503])('answers 503 with Retry-After when Graph stays at %i, keeping nothing', async (status) => {
    const callId = await quietCall();
    await simulator.fault({ callId, status, retryAfter: status === 429 ? 1 : undefined, times: 50 }); // this call only
    const started = Date.now();
    const res = await invite(callId, { participants: [userInvitee()], clientContext: 'throttled' });
    expect(Date.now() - started).toBeLessThan(5000); // the 2 s deadline of the test host, not a hang
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('ServiceUnavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await listOperations(callId)).status).toBe(404);
  });

  it.each([500, 502, 504])(
    'sends an invite once when Graph answers %i (outcome unknown): 503, the pending invite kept, a late callback matches it',
    async (status) => {
      const callId = await quietCall();
      await simulator.fault({ callId, status, times: 50 });
      const body = { participants: [userInvitee()], clientContext: `unknown-${status}` };
      const res = await invite(callId, body);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('ServiceUnavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await simulator.invitesFor(callId)).toHaveLength(1); // never re-sent by the service itself
      expect((await listOperations(callId)).status).toBe(200); // the pending invite is kept
      const operationId = randomUUID();
      const completed = operationNotification({
        callId,
        operationId,
        clientContext: body.clientContext,
        status: 'completed',
      });
      expect((await postNotifications(completed)).status).toBe(202);
      const retry = await invite(callId, body);
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ id: operationId, status: 'completed' });
      expect(await simulator.invitesFor(callId)).toHaveLength(1);
    },
  );

  it('answers 503 when Graph is too slow, keeps the pending invite, and a late callback still matches it', async () => {
    const callId = await quietCall();
    await simulator.fault({ callId, delayMs: 3000, times: 1 }); // beyond the 2 s deadline; Graph answers late
    const body = { participants: [userInvitee()], clientContext: 'slow-graph' };
    const res = await invite(callId, body);
    expect(res.status).toBe(503);
    // The call is known (pending invite kept) though no operation id is known yet.
    expect((await listOperations(callId)).body.operations).toEqual([]);
    const operationId = randomUUID();
    const completed = referenceExample(1, 'operation-completed-notification');
    completed.value[0].resource = `/app/calls/${callId}/operations/${operationId}`;
    completed.value[0].resourceUrl = `/communications/calls/${callId}/operations/${operationId}`;
    Object.assign(completed.value[0].resourceData, { id: operationId, clientContext: 'slow-graph' });
    expect((await postNotifications(completed)).status).toBe(202);
    // The retry finds the invite's operation through its clientContext and does not call Graph again.
    const retry = await invite(callId, body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: operationId, status: 'completed', clientContext: 'slow-graph' });
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
  });

  it('calls Graph again when a pending invite whose answer was lost is retried', async () => {
    const callId = await quietCall();
    await simulator.fault({ callId, status: 0, times: 1 }); // connection reset
    const body = { participants: [userInvitee()], clientContext: 'reset' };
    expect((await invite(callId, body)).status).toBe(503);
    const retry = await waitFor(
      async () => {
        const res = await invite(callId, body);
        return res.status === 503 ? undefined : res;
      },
      10_000,
      'the retry to reach Graph',
    );
    expect(retry.status).toBe(202);
    expect(await simulator.invitesFor(callId)).toHaveLength(2);
  });
});

describe('invite: callbacks that arrive before Graph answers, or instead of its answer', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** A call whose next invite Graph answers after `delayMs`, with the operation id the test picked. */
  async function slowGraph(delayMs: number) {
    const callId = newCallId();
    const operationId = randomUUID();
    await simulator.configureCall({ id: callId, autoCallbacks: false, nextOperationId: operationId });
    await simulator.fault({ callId, delayMs, times: 1 });
    return { callId, operationId };
  }

  it('answers a retry from id-less callbacks that proved the invite started, without inviting again', async () => {
    const { callId } = await slowGraph(3000); // beyond the test host's 2 s deadline
    const body = { participants: [userInvitee(), userInvitee()], clientContext: 'lost-answer' };
    expect((await invite(callId, body)).status).toBe(503);
    // Graph's form for several invitees (reference 004, example 2): id null at /operations/participants.
    await postNotifications(
      operationNotification({ callId, operationId: null, clientContext: 'lost-answer', status: 'running' }),
    );
    const retry = await invite(callId, body);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({
      status: 'running',
      clientContext: 'lost-answer',
      participants: body.participants,
    });
    expect(await simulator.invitesFor(callId)).toHaveLength(1);
    await postNotifications(
      operationNotification({ callId, operationId: null, clientContext: 'lost-answer', status: 'completed' }),
    );
    const polled = await call('GET', new URL(retry.headers.get('location')!).pathname);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ id: retry.body.id, status: 'completed' });
    expect((await invite(callId, body)).body).toMatchObject({ id: retry.body.id, status: 'completed' });
  });

  it("applies Graph's id-bearing callbacks, with or without clientContext, to the operation a retry answered with", async () => {
    const { callId, operationId: graphId } = await slowGraph(3000);
    const clientContext = 'learns-graph-id';
    const body = { participants: [userInvitee()], clientContext };
    expect((await invite(callId, body)).status).toBe(503);
    await postNotifications(operationNotification({ callId, operationId: null, clientContext, status: 'running' }));
    const retry = await invite(callId, body);
    expect(retry.status).toBe(202);
    await postNotifications(operationNotification({ callId, operationId: graphId, clientContext, status: 'running' }));
    await postNotifications(operationNotification({ callId, operationId: graphId, status: 'completed' })); // no clientContext
    expect((await getOperation(callId, retry.body.id)).body).toMatchObject({ id: retry.body.id, status: 'completed' });
    expect((await getOperation(callId, graphId)).body).toMatchObject({ id: retry.body.id, status: 'completed' });
    expect((await listOperations(callId)).body.operations).toHaveLength(1);
  });

  it('keeps the invite of an unknown first attempt when a retry is refused, so its callbacks still match', async () => {
    const callId = await quietCall();
    await simulator.fault({ callId, status: 504, times: 1 });
    const clientContext = 'refused-retry';
    const body = { participants: [userInvitee(), userInvitee()], clientContext };
    expect((await invite(callId, body)).status).toBe(503); // the first attempt may have started
    await simulator.fault({ callId, status: 403, times: 1 });
    expect((await invite(callId, body)).status).toBe(403); // the retry is refused
    // The first attempt did start: its callbacks (id null, several invitees) still find the invite...
    await postNotifications(operationNotification({ callId, operationId: null, clientContext, status: 'running' }));
    const again = await invite(callId, body);
    expect(again.status).toBe(202); // ...and the next retry answers from them.
    expect(await simulator.invitesFor(callId)).toHaveLength(2);
  });

  it('keeps the first terminal status when it came as an early id-less callback, with its resultInfo', async () => {
    const { callId, operationId } = await slowGraph(1200); // within the deadline
    const clientContext = 'early-failed';
    const pending = invite(callId, { participants: [userInvitee()], clientContext });
    await sleep(400);
    const failed = { code: 500, subcode: 7, message: 'first' };
    await postNotifications(
      operationNotification({ callId, operationId: null, clientContext, status: 'failed', resultInfo: failed }),
    );
    await postNotifications(
      operationNotification({
        callId,
        operationId,
        clientContext,
        status: 'completed',
        resultInfo: { code: 200, subcode: 0, message: 'later' },
      }),
    );
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: operationId, status: 'failed', resultInfo: failed });
    expect((await getOperation(callId, operationId)).body).toMatchObject({ status: 'failed', resultInfo: failed });
  });

  it("keeps the request's replacesCallId when a callback created the operation before Graph's answer", async () => {
    const { callId, operationId } = await slowGraph(1200);
    const replaced = randomUUID();
    const invitee = userInvitee(undefined, { replacesCallId: replaced });
    const pending = invite(callId, { participants: [invitee], clientContext: 'replacing' });
    await sleep(400);
    // Graph's echo of the participants drops replacesCallId (reference 004, example 1's notification).
    const running = operationNotification({ callId, operationId, clientContext: 'replacing', status: 'running' });
    (running.value[0]!.resourceData as Record<string, unknown>).participants = [{ identity: invitee.identity }];
    await postNotifications(running);
    expect((await pending).status).toBe(202);
    const op = (await getOperation(callId, operationId)).body;
    expect(op.participants).toEqual([invitee]);
    // The replaced call's roster is consulted for the outcome (example 3).
    await postNotifications(rosterNotification(replaced, [participant('user', invitee.identity.user.id)]));
    expect((await getOperation(callId, operationId)).body.invitees[0].outcome).toBe('joined');
  });
});
