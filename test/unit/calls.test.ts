import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { callNotification, operationNotification } from '../../dev/graphPayloads';
import { nextCallState } from '../../src/calls/callStateRules';
import { hangUp, keepCallsAlive } from '../../src/calls/callUseCases';
import { parseJoinLink } from '../../src/calls/joinLink';
import { parseStartCallRequest } from '../../src/calls/parseStartCallRequest';
import { startCall } from '../../src/calls/startCall';
import {
  Conflict,
  GraphOutcomeUnknown,
  GraphRefused,
  GraphUnavailable,
  InProgress,
  InvalidInput,
} from '../../src/errors';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { callDeps, deliveryDeps, notificationDeps, provideServices, startCallDeps } from '../../src/services';
import { deliverWebhook } from '../../src/webhooks/deliverWebhook';
import {
  GOOD_TOKEN,
  invoke,
  memoryServices,
  scriptedGraph,
  silentLog,
  TENANT_ID,
  TestClock,
} from '../support/inProcess';
import { restError } from '../support/memoryStores';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96';
const THREAD = '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2';
/** A join link as Teams shows it: thread, message and context URL-encoded. */
const longLink = (context: unknown = { Tid: TID, Oid: OID }, thread = THREAD, message = '0') =>
  `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread)}/${message}?context=${encodeURIComponent(typeof context === 'string' ? context : JSON.stringify(context))}`;

describe('Teams join links', () => {
  it('reads the long form (thread, message, tenant and organizer) and the short form (meeting ID, passcode)', () => {
    expect(parseJoinLink(longLink())).toEqual({
      kind: 'organizer',
      threadId: THREAD,
      messageId: '0',
      organizerId: OID,
      tenantId: TID,
    });
    expect(parseJoinLink(longLink({ Tid: TID.toUpperCase(), Oid: OID, MessageId: '0' }))).toMatchObject({
      tenantId: TID,
    });
    expect(parseJoinLink('https://teams.microsoft.com/meet/2345678901234?p=abc123')).toEqual({
      kind: 'joinMeetingId',
      joinMeetingId: '2345678901234',
      passcode: 'abc123',
    });
  });

  it.each([
    ['not a URL', 'teams meeting'],
    ['http', longLink().replace('https:', 'http:')],
    ['another host', longLink().replace('teams.microsoft.com', 'teams.evil.example')],
    ['another path', 'https://teams.microsoft.com/l/chat/0/0'],
    ['no message segment', `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(THREAD)}`],
    ['a thread that is not a meeting chat', longLink(undefined, 'meeting')],
    ['a message id that is not digits', longLink(undefined, THREAD, 'x')],
    ['no context', longLink().split('?')[0]!],
    ['a context that is not JSON', longLink('{Tid:')],
    ['a context without Oid', longLink({ Tid: TID })],
    ['a context with a Tid that is not a GUID', longLink({ Tid: 'contoso', Oid: OID })],
    ['a short link whose meeting ID is not digits', 'https://teams.microsoft.com/meet/abc?p=1'],
    ['a link with a user name and password', 'https://me:pw@teams.microsoft.com/meet/2345678901234?p=1'],
    ['a long link with a user name', longLink().replace('https://', 'https://me@')],
  ])('refuses %s, saying why', (_name, link) => {
    expect(parseJoinLink(link)).toEqual({ problem: expect.any(String) });
  });
});

describe('start-call requests', () => {
  const parse = (body: unknown) => parseStartCallRequest(body, false, TENANT_ID);
  const problemPaths = (body: unknown) => {
    try {
      parse(body);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInput);
      return (err as InvalidInput).problems.map((p) => p.path);
    }
  };

  it('turns a join link into chatInfo and organizerMeetingInfo in the meeting tenant', () => {
    expect(parse({ joinWebUrl: longLink() }).graphBody).toEqual({
      chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: THREAD, messageId: '0' },
      meetingInfo: {
        '@odata.type': '#microsoft.graph.organizerMeetingInfo',
        organizer: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: OID, tenantId: TID },
        },
      },
      tenantId: TID,
    });
  });

  it('turns a meeting ID (with spaces, as Teams shows it) or a short link into joinMeetingIdMeetingInfo, and keeps no passcode', () => {
    const byId = parse({ joinMeetingId: '234 567 890 123', passcode: 'pw' });
    expect(byId.graphBody.meetingInfo).toEqual({
      '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
      joinMeetingId: '234567890123',
      passcode: 'pw',
    });
    const short = parse({ joinWebUrl: 'https://teams.microsoft.com/meet/234567890123?p=secret' });
    expect(short.graphBody.meetingInfo).toMatchObject({ joinMeetingId: '234567890123', passcode: 'secret' });
    expect(JSON.stringify([byId.startedWith, short.startedWith])).not.toMatch(/secret|pw/);
  });

  it('calls people as targets in the app tenant, or the one given', () => {
    const targets = [{ identity: { user: { id: randomUUID() } } }];
    expect(parse({ targets }).graphBody).toEqual({ targets, tenantId: TENANT_ID });
    const other = randomUUID();
    expect(parse({ targets, tenantId: other.toUpperCase() }).graphBody.tenantId).toBe(other);
  });

  it.each([
    ['none of the three ways', {}, ['joinWebUrl', 'joinMeetingId', 'targets']],
    ['two ways', { joinWebUrl: longLink(), joinMeetingId: '1234567' }, ['joinWebUrl', 'joinMeetingId']],
    ['a link that is not a Teams join link', { joinWebUrl: 'https://example.com/x' }, ['joinWebUrl']],
    ['a meeting ID of two digits padded with spaces', { joinMeetingId: '1    1' }, ['joinMeetingId']],
    ['a meeting ID of 31 digits', { joinMeetingId: '1'.repeat(31) }, ['joinMeetingId']],
    ['a link whose context has no Oid', { joinWebUrl: longLink({ Tid: TID }) }, ['joinWebUrl']],
    [
      'a passcode without a meeting ID',
      { targets: [{ identity: { user: { id: 'u' } } }], passcode: 'x' },
      ['passcode'],
    ],
    ['six targets', { targets: Array.from({ length: 6 }, () => ({ identity: { user: { id: 'u' } } })) }, ['targets']],
    ['a meeting ID of letters', { joinMeetingId: 'abc' }, ['joinMeetingId']],
    ['an unknown field', { joinMeetingId: '1234567', meeting: 'x' }, ['(body)']],
    [
      'a callbackUrl to a private address',
      { joinMeetingId: '1234567', callbackUrl: 'https://10.0.0.1/h' },
      ['callbackUrl'],
    ],
  ])('refuses %s with 400 naming the fields', (_name, body, paths) => {
    expect(problemPaths(body)).toEqual(paths);
  });
});

describe('call state', () => {
  it('keeps established when a late establishing arrives (Graph may send them out of order), and terminated for good', () => {
    expect(nextCallState('established', 'establishing')).toBe('established');
    expect(nextCallState('establishing', 'established')).toBe('established');
    expect(nextCallState('established', 'hold')).toBe('hold');
    expect(nextCallState('hold', 'established')).toBe('established');
    expect(nextCallState('terminated', 'established')).toBe('terminated');
    expect(nextCallState('terminating', 'established')).toBe('terminating');
    expect(nextCallState(null, 'incoming')).toBe('incoming');
  });
});

/** The call use cases on in-memory stores with a stand-in Graph and a clock of the test's. */
function setup(env: Record<string, string> = {}) {
  const graph = scriptedGraph();
  const clock = new TestClock();
  const services = memoryServices({ graph: graph.gateway, clock, env });
  const start = (body: Record<string, unknown>) =>
    startCall(startCallDeps(services, silentLog), {
      plan: parseStartCallRequest(body, true, TENANT_ID),
      rawBody: body,
      callbackUri: 'https://app.example/api/notifications',
    });
  const notify = (body: { value: unknown[] }) => applyNotifications(notificationDeps(services, silentLog), body);
  return { graph, clock, services, start, notify };
}

describe('starting a call (in process)', () => {
  it('calls Graph once for racing requests with one clientContext, with callbackUri, audio and service-hosted media', async () => {
    const { graph, start, services } = setup();
    const body = { joinWebUrl: longLink(), clientContext: 'bridge' };
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => start(body)));
    expect(graph.requests.filter((r) => r.method === 'createCall')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InProgress);
    const started = (await start(body)).callId;
    expect(graph.requests[0]!.body).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      callbackUri: 'https://app.example/api/notifications',
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      tenantId: TID,
    });
    expect(await services.calls.liveCalls()).toEqual([started]);
    await expect(start({ joinMeetingId: '1234567', clientContext: 'bridge' })).rejects.toBeInstanceOf(Conflict);
  });

  it('keeps nothing when Graph refuses, and keeps the request when the outcome is unknown', async () => {
    const { graph, start, services, clock } = setup();
    graph.answers.createCall.push(async () => {
      throw new GraphRefused(403, 'Forbidden', 'The meeting is not accessible.');
    });
    await expect(start({ joinMeetingId: '1234567', clientContext: 'refused' })).rejects.toBeInstanceOf(GraphRefused);
    expect(await services.calls.getCallRequest('refused')).toBeUndefined();
    graph.answers.createCall.push(async () => {
      throw new GraphOutcomeUnknown('Graph answered 504', 504);
    });
    await expect(start({ joinMeetingId: '1234567', clientContext: 'unknown' })).rejects.toBeInstanceOf(
      GraphOutcomeUnknown,
    );
    expect((await services.calls.getCallRequest('unknown'))?.value).toMatchObject({ callId: null, sendingSince: null });
    clock.advance(1000);
    expect((await start({ joinMeetingId: '1234567', clientContext: 'unknown' })).callId).toBeTruthy();
  });
});

describe('calls and their notifications (in process)', () => {
  it('rejects an incoming call once, though the notification comes twice', async () => {
    const { graph, notify, services } = setup();
    const callId = randomUUID();
    for (let i = 0; i < 2; i++) await notify(callNotification(callId, 'incoming', 'created'));
    expect(graph.requests.filter((r) => r.method === 'rejectCall')).toEqual([
      { method: 'rejectCall', callId, body: { reason: 'none' } },
    ]);
    expect((await services.calls.getCall(callId))?.value.rejectedAt).toBeTruthy();
  });

  it('leaves an incoming call alone when INCOMING_CALLS is ignore', async () => {
    const { graph, notify } = setup({ INCOMING_CALLS: 'ignore' });
    await notify(callNotification(randomUUID(), 'incoming', 'created'));
    expect(graph.requests.filter((r) => r.method === 'rejectCall')).toEqual([]);
  });

  it('keeps the calls it started alive, once per call however many instances tick, and drops those Graph ended', async () => {
    const { graph, start, services, clock, notify } = setup();
    const a = (await start({ joinMeetingId: '1234567' })).callId;
    const b = (await start({ joinMeetingId: '7654321' })).callId;
    const c = (await start({ joinMeetingId: '1111111' })).callId;
    await notify(callNotification(c, 'terminated', 'deleted'));
    clock.advance(15 * 60_000);
    graph.answers.keepAlive.push(
      async () => undefined,
      async () => {
        throw new GraphRefused(404, 'NotFound', 'Gone.');
      },
    );
    const deps = { ...callDeps(services, silentLog), minIntervalMs: 60_000 };
    const [first, second] = await Promise.all([keepCallsAlive(deps), keepCallsAlive(deps)]);
    expect(first.sent + second.sent + first.ended + second.ended).toBe(2);
    expect(
      graph.requests
        .filter((r) => r.method === 'keepAlive')
        .map((r) => r.callId)
        .sort(),
    ).toEqual([a, b].sort());
    expect((await services.calls.liveCalls()).length).toBe(1);
    const states = await Promise.all([a, b].map(async (id) => (await services.calls.getCall(id))?.value.state ?? null));
    expect(states.sort()).toEqual([null, 'terminated'].sort()); // the one Graph no longer knew
  });

  it('hangs up: Graph is not called for a call already over, and a call Graph no longer knows is recorded as over', async () => {
    const { graph, start, services, notify } = setup();
    const deps = callDeps(services, silentLog);
    const live = (await start({ joinMeetingId: '1234567' })).callId;
    expect(await hangUp(deps, live, live)).toBe('hangingUp');
    const gone = (await start({ joinMeetingId: '7654321' })).callId;
    graph.answers.deleteCall.push(async () => {
      throw new GraphRefused(404, 'NotFound', 'Gone.');
    });
    expect(await hangUp(deps, gone, gone)).toBe('over');
    expect((await services.calls.getCall(gone))?.value.state).toBe('terminated');
    expect(await services.calls.liveCalls()).toEqual([live]);
    await notify(callNotification(live, 'terminated', 'deleted'));
    const deletes = graph.requests.filter((r) => r.method === 'deleteCall').length;
    expect(await hangUp(deps, live, live)).toBe('over');
    expect(graph.requests.filter((r) => r.method === 'deleteCall')).toHaveLength(deletes);
  });
});

describe("a started call's webhook (in process)", () => {
  it('queues one delivery once the call is established, and POSTs the call body once', async () => {
    const { start, services, notify, clock } = setup();
    const { callId } = await start({ joinMeetingId: '1234567', callbackUrl: 'https://example.com/hook' });
    expect(services.webhooks.messages).toEqual([]);
    await notify(callNotification(callId, 'establishing'));
    expect(services.webhooks.messages).toEqual([]);
    await notify(callNotification(callId, 'established'));
    await notify(callNotification(callId, 'terminated', 'deleted'));
    expect(services.webhooks.messages.map((m) => m.message)).toEqual([
      { callId, operationId: '~call', attempt: 0, waits: 0 },
    ]);
    const posts: unknown[] = [];
    const deps = {
      ...deliveryDeps(services, silentLog),
      post: async (_url: string, body: unknown) => (posts.push(body), { status: 200 }),
    };
    clock.advance(2000);
    expect(await deliverWebhook(deps, services.webhooks.messages[0]!.message)).toBe('delivered');
    expect(await deliverWebhook(deps, services.webhooks.messages[0]!.message)).toBe('done');
    expect(posts).toEqual([expect.objectContaining({ id: callId, startedByService: true, state: 'terminated' })]);
    expect(JSON.stringify(posts)).not.toContain('example.com/hook');
  });

  it('starts the webhook when Graph reported the call established before its answer was recorded', async () => {
    const { graph, start, services, notify } = setup();
    const callId = randomUUID();
    graph.answers.createCall.push(async () => {
      await notify(callNotification(callId, 'established'));
      return { id: callId, state: 'establishing' };
    });
    await start({ joinMeetingId: '1234567', callbackUrl: 'https://example.com/hook' });
    expect(services.webhooks.messages.map((m) => m.message.callId)).toEqual([callId]);
  });
});

describe('call routes in process', () => {
  afterEach(() => provideServices(undefined));

  it('POST /api/calls answers 202 + Location of the call, GET answers 202 until established, then 200; DELETE 202 then 204', async () => {
    const graph = scriptedGraph();
    const services = memoryServices({ graph: graph.gateway });
    provideServices(services);
    const started = await invoke('startCall', {
      body: { joinWebUrl: longLink(), clientContext: 'r1' },
      query: { code: 'k' },
    });
    expect(started.status).toBe(202);
    const callId = started.body.id;
    expect(started.body).toMatchObject({
      state: null,
      clientContext: 'r1',
      startedByService: true,
      startedWith: { meeting: { threadId: THREAD, tenantId: TID } },
    });
    const location = new URL(started.headers.get('location')!);
    expect([location.pathname, location.searchParams.get('code')]).toEqual([`/api/calls/${callId}`, 'k']);
    expect(started.headers.get('retry-after')).toBe('2');
    expect(graph.requests[0]!.body).toMatchObject({ callbackUri: 'http://localhost:7071/api/notifications' });

    expect((await invoke('getCall', { params: { callId } })).status).toBe(202);
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: callNotification(callId, 'established'),
    });
    expect((await invoke('getCall', { params: { callId } })).body).toMatchObject({ state: 'established' });
    expect((await invoke('getCall', { params: { callId } })).status).toBe(200);
    expect((await invoke('removeParticipant', { params: { callId, participantId: 'p-1' } })).status).toBe(202);
    expect((await invoke('hangUp', { params: { callId } })).status).toBe(202);
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: callNotification(callId, 'terminated', 'deleted'),
    });
    expect((await invoke('hangUp', { params: { callId } })).status).toBe(204);
  });

  it('reads a call known only from notifications, and answers 404 for a call never seen', async () => {
    provideServices(memoryServices());
    const observed = randomUUID();
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: operationNotification({ callId: observed, operationId: randomUUID(), status: 'running' }),
    });
    expect((await invoke('getCall', { params: { callId: observed } })).body).toMatchObject({
      id: observed,
      startedByService: false,
      state: null,
    });
    for (const name of ['getCall', 'hangUp'] as const) {
      expect((await invoke(name, { params: { callId: randomUUID() } })).status).toBe(404);
    }
    expect(
      (await invoke('startCall', { body: { joinWebUrl: 'https://example.com' } })).body.error.details[0].path,
    ).toBe('joinWebUrl');
  });
});

describe('calls under faults (in process)', () => {
  it('refuses targets too large to keep with 413 naming targets, before Graph is called', async () => {
    const graph = scriptedGraph();
    provideServices(memoryServices({ graph: graph.gateway }));
    const targets = Array.from({ length: 5 }, () => ({
      identity: { user: { id: randomUUID() } },
      note: 'x'.repeat(95_000),
    }));
    const answer = await invoke('startCall', { body: { targets } });
    provideServices(undefined);
    expect(answer.status).toBe(413);
    expect(answer.body.error.details).toEqual([{ path: 'targets', message: expect.stringContaining('bytes') }]);
    expect(graph.requests).toEqual([]);
  });

  it('hangs up a call Graph started when its id cannot be recorded, so a retry leaves one bot in the meeting', async () => {
    const { graph, start, services, clock } = setup();
    const update = services.calls.updateCallRequest.bind(services.calls);
    let failures = 1;
    services.calls.updateCallRequest = async (record, etag) => {
      if (record.callId && failures-- > 0) throw restError(503, 'ServerBusy');
      return update(record, etag);
    };
    const body = { joinMeetingId: '1234567', clientContext: 'bridge' };
    await expect(start(body)).rejects.toMatchObject({ statusCode: 503 });
    const hungUp = graph.requests.filter((r) => r.method === 'deleteCall');
    expect(hungUp).toHaveLength(1);
    expect(silentLog.lines.some((l) => l.includes('call.unrecordedHungUp') && l.includes(hungUp[0]!.callId!))).toBe(
      true,
    );
    clock.advance(13_000);
    const second = await start(body);
    expect(graph.requests.filter((r) => r.method === 'createCall')).toHaveLength(2);
    expect(second.callId).not.toBe(hungUp[0]!.callId);
    expect(await services.calls.liveCalls()).toEqual([second.callId]);
  });

  it('keeps the other calls alive when one call fails, and drops from the index a call Graph ended whatever its row says', async () => {
    const { graph, start, services, clock } = setup();
    const a = (await start({ joinMeetingId: '1234567' })).callId;
    const b = (await start({ joinMeetingId: '7654321' })).callId;
    const orphan = randomUUID(); // in the index, but its call row was never written
    services.calls.live.set(orphan, new Date(0).toISOString());
    clock.advance(15 * 60_000);
    const claim = services.calls.claimKeepAlive.bind(services.calls);
    services.calls.claimKeepAlive = async (callId, now, min) => {
      if (callId === a) throw restError(503, 'ServerBusy');
      return claim(callId, now, min);
    };
    graph.answers.keepAlive.push(async ({ callId }) => {
      if (callId === orphan) throw new GraphRefused(404, 'NotFound', 'Gone.');
    });
    graph.answers.keepAlive.push(async ({ callId }) => {
      if (callId === orphan) throw new GraphRefused(404, 'NotFound', 'Gone.');
    });
    const counts = await keepCallsAlive({ ...callDeps(services, silentLog), minIntervalMs: 60_000 });
    expect(counts).toMatchObject({ sent: 1, ended: 1, failed: 1 });
    expect(graph.requests.filter((r) => r.method === 'keepAlive').map((r) => r.callId)).toContain(b);
    expect((await services.calls.liveCalls()).sort()).toEqual([a, b].sort());
  });

  it('gives an incoming call another reject when Graph was throttled (the batch fails, Graph delivers again), and logs a refused reject', async () => {
    const { graph, notify } = setup();
    const callId = randomUUID();
    graph.answers.rejectCall.push(async () => {
      throw new GraphUnavailable(429, 5);
    });
    await expect(notify(callNotification(callId, 'incoming', 'created'))).rejects.toBeInstanceOf(GraphUnavailable);
    await notify(callNotification(callId, 'incoming', 'created'));
    expect(graph.requests.filter((r) => r.method === 'rejectCall')).toHaveLength(2);

    const refused = randomUUID();
    graph.answers.rejectCall.push(async () => {
      throw new GraphRefused(403, 'Forbidden', 'The app lacks a permission.');
    });
    await notify(callNotification(refused, 'incoming', 'created'));
    expect(silentLog.lines.some((l) => l.includes('call.rejectRefused') && l.includes(refused))).toBe(true);
  });
});
