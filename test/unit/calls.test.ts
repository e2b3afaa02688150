import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import {
  callNotification,
  incomingCallNotification,
  operationNotification,
  plainUpperGuid,
} from '../../dev/graphPayloads';
import { isSettingUp, nextCallState } from '../../src/calls/callStateRules';
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
import { parseInviteRequest } from '../../src/operations/parseInviteRequest';
import { startInvite } from '../../src/operations/startInvite';
import { readEvents } from '../../src/roster/readEvents';
import {
  callDeps,
  deliveryDeps,
  inviteDeps,
  notificationDeps,
  provideServices,
  startCallDeps,
} from '../../src/services';
import { deliverWebhook } from '../../src/webhooks/deliverWebhook';
import {
  APP_ID,
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
const CALLER = { user: { id: randomUUID(), displayName: 'Caller' } };
const THREAD = '19:meeting_Win6Ydo4wsMijFjZS00ZGVjLTk5MGUtOTRjNWY2NmNkYTFm@thread.v2';
/** A join link as Teams shows it: thread, message and context URL-encoded. */
const longLink = (context: unknown = { Tid: TID, Oid: OID }, thread = THREAD, message = '0') =>
  `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread)}/${message}?context=${encodeURIComponent(typeof context === 'string' ? context : JSON.stringify(context))}`;

describe('Teams join links', () => {
  it('reads the long form (thread, message, tenant and organizer) and the short form (meeting ID; its p is not the passcode)', () => {
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
  const settings = { allowLoopbackUrls: false, appTenantId: TENANT_ID, applicationInstanceId: undefined };
  const parse = (body: unknown, instance?: string) =>
    parseStartCallRequest(body, { ...settings, applicationInstanceId: instance });
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
    const short = parse({ joinWebUrl: 'https://teams.microsoft.com/meet/234567890123?p=secret', passcode: 'pw2' });
    expect(short.graphBody.meetingInfo).toEqual({
      '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
      joinMeetingId: '234567890123',
      passcode: 'pw2',
    });
    expect(JSON.stringify([byId.startedWith, short.startedWith])).not.toMatch(/secret|pw/);
  });

  it('joins a short link by its meeting ID alone: its p is a hashed passcode, not the one Graph takes', () => {
    const short = parse({ joinWebUrl: 'https://teams.microsoft.com/meet/234567890123?p=Hx2kQ9aZ' });
    expect(short.graphBody.meetingInfo).toEqual({
      '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
      joinMeetingId: '234567890123',
    });
    expect(problemPaths({ joinWebUrl: longLink(), passcode: 'pw' })).toEqual(['passcode']);
  });

  it("names a channel meeting's post as chatInfo.replyChainMessageId (the link's context MessageId)", () => {
    const link = longLink({ Tid: TID, Oid: OID, MessageId: '1579701391484' }, THREAD, '1579701391484');
    expect(parse({ joinWebUrl: link }).graphBody.chatInfo).toEqual({
      '@odata.type': '#microsoft.graph.chatInfo',
      threadId: THREAD,
      messageId: '1579701391484',
      replyChainMessageId: '1579701391484',
    });
    expect(parse({ joinWebUrl: longLink() }).graphBody.chatInfo).not.toHaveProperty('replyChainMessageId');
  });

  it('calls a phone number from the resource account (source.identity.applicationInstance), and refuses one without it', () => {
    const instance = randomUUID();
    const targets = [{ identity: { phone: { id: '+14255550100' } } }];
    expect(parse({ targets }, instance).graphBody).toEqual({
      source: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          applicationInstance: { '@odata.type': '#microsoft.graph.identity', id: instance, tenantId: TENANT_ID },
        },
      },
      targets,
      tenantId: TENANT_ID,
    });
    expect(parse({ targets: [{ identity: { user: { id: 'u' } } }] }, instance).graphBody.source).toMatchObject({
      identity: { applicationInstance: { id: instance, tenantId: TENANT_ID } },
    });
    // A meeting join keeps the body Graph's pages show.
    expect(parse({ joinWebUrl: longLink() }, instance).graphBody).not.toHaveProperty('source');
    try {
      parse({ targets });
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidInput).problems).toEqual([
        { path: 'targets', message: expect.stringContaining('PSTN_APPLICATION_INSTANCE_ID') },
      ]);
    }
    expect(parse({ targets: [{ identity: { user: { id: 'u' } } }] }).graphBody).not.toHaveProperty('source');
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

  it('keeps an answered call establishing when Graph delivers its incoming notification again late', () => {
    expect(nextCallState('establishing', 'incoming')).toBe('establishing');
    expect(nextCallState('incoming', 'establishing')).toBe('establishing');
    expect(isSettingUp('incoming')).toBe(true);
  });
});

/** The call use cases on in-memory stores with a stand-in Graph and a clock of the test's. */
function setup(env: Record<string, string> = {}) {
  const graph = scriptedGraph();
  const clock = new TestClock();
  const services = memoryServices({ graph: graph.gateway, clock, env });
  const start = (body: Record<string, unknown>) =>
    startCall(startCallDeps(services, silentLog), {
      plan: parseStartCallRequest(body, {
        allowLoopbackUrls: true,
        appTenantId: TENANT_ID,
        applicationInstanceId: services.config.pstnApplicationInstanceId,
      }),
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
    expect((await services.calls.liveCalls()).map((c) => c.callId)).toEqual([started]);
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
    const deps = { ...callDeps(services, silentLog), timing: services.config.keepAlive };
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
    expect(states.sort()).toEqual(['establishing', 'terminated']); // the one Graph no longer knew
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
    expect((await services.calls.liveCalls()).map((c) => c.callId)).toEqual([live]);
    await notify(callNotification(live, 'terminated', 'deleted'));
    const deletes = graph.requests.filter((r) => r.method === 'deleteCall').length;
    expect(await hangUp(deps, live, live)).toBe('over');
    expect(graph.requests.filter((r) => r.method === 'deleteCall')).toHaveLength(deletes);
  });
});

describe('fidelity to Graph (in process)', () => {
  it('rejects with the call id as Graph wrote it (57DAB8B1...), and logs a reject Graph answers 404', async () => {
    const { graph, notify } = setup();
    const callId = randomUUID();
    const asWritten = plainUpperGuid(callId);
    graph.answers.rejectCall.push(async () => {
      throw new GraphRefused(404, 'NotFound', 'The caller hung up.');
    });
    await notify(incomingCallNotification(asWritten, { caller: CALLER, called: { application: { id: APP_ID } } }));
    expect(graph.requests.filter((r) => r.method === 'rejectCall').map((r) => r.callId)).toEqual([asWritten]);
    expect(silentLog.lines.some((l) => l.includes('call.rejectRefused') && l.includes(callId))).toBe(true);
  });

  it('sends keep-alive every 10 minutes on a 5-minute timer, a failed one again 5 minutes later, to the id as Graph gave it', async () => {
    const { graph, start, services, clock } = setup();
    const callId = randomUUID();
    const asGiven = plainUpperGuid(callId);
    graph.answers.createCall.push(async ({ body }) => ({ ...body, id: asGiven, state: 'establishing' }));
    expect((await start({ joinMeetingId: '1234567' })).callId).toBe(callId);
    const deps = { ...callDeps(services, silentLog), timing: services.config.keepAlive };
    const sentAt: number[] = [];
    for (let minute = 5; minute <= 40; minute += 5) {
      clock.advance(5 * 60_000);
      if (minute === 20) {
        graph.answers.keepAlive.push(async () => {
          throw new GraphUnavailable(503, 5);
        });
      }
      const before = graph.requests.filter((r) => r.method === 'keepAlive').length;
      await keepCallsAlive(deps);
      if (graph.requests.filter((r) => r.method === 'keepAlive').length > before) sentAt.push(minute);
    }
    // 10: due; 20: due but Graph throttled; 25: sent again at once; then every 10 minutes.
    expect(sentAt).toEqual([10, 20, 25, 35]);
    expect(new Set(graph.requests.filter((r) => r.method === 'keepAlive').map((r) => r.callId))).toEqual(
      new Set([asGiven]),
    );
  });

  it("drops a state's stale resultInfo when the call moves on (a failed transfer is not why it ended), and keeps the one it ended with", async () => {
    const { notify, services } = setup();
    const callId = randomUUID();
    const transferFailed = { code: 500, subcode: 7700, message: 'Transfer failed.' };
    await notify(callNotification(callId, 'established', 'updated', transferFailed));
    expect((await services.calls.getCall(callId))?.value.resultInfo).toMatchObject({ subcode: 7700 });
    await notify(callNotification(callId, 'terminated', 'deleted'));
    expect((await services.calls.getCall(callId))?.value).toMatchObject({ state: 'terminated', resultInfo: null });

    const other = randomUUID();
    await notify(callNotification(other, 'established', 'updated', transferFailed));
    const ended = { code: 200, subcode: 5001, message: 'The bot hung up.' };
    await notify(callNotification(other, 'terminated', 'deleted', ended));
    await notify(callNotification(other, 'terminated', 'deleted'));
    await notify(callNotification(other, 'establishing', 'updated', transferFailed)); // stale: not applied
    expect((await services.calls.getCall(other))?.value).toMatchObject({ state: 'terminated', resultInfo: ended });
  });

  it('refuses before Graph a phone number into a call started without the resource account, and several people into a peer-to-peer call', async () => {
    const { graph, start, services } = setup();
    const phone = { identity: { phone: { id: '+14255550100' } } };
    const user = () => ({ identity: { user: { id: randomUUID() } } });
    const meeting = (await start({ joinMeetingId: '1234567' })).callId;
    const peer = (await start({ targets: [user()] })).callId;
    const placed = (await start({ targets: [user(), user()] })).callId;
    const group = (await start({ targets: [user(), user()] })).callId;
    const invite = (callId: string, participants: unknown[]) =>
      startInvite(inviteDeps(services, silentLog), {
        callId,
        callIdAsGiven: callId,
        request: parseInviteRequest({ participants }, false),
        rawBody: { participants },
      });
    await expect(invite(placed, [phone])).rejects.toMatchObject({
      problems: [{ path: 'participants', message: expect.stringContaining('PSTN_APPLICATION_INSTANCE_ID') }],
    });
    await expect(invite(peer, [user(), user()])).rejects.toMatchObject({
      problems: [{ path: 'participants', message: expect.stringContaining('peer-to-peer') }],
    });
    expect(graph.sent).toEqual([]);
    await invite(peer, [user()]);
    await invite(group, [user(), user()]);
    await invite(randomUUID(), [user(), phone]); // a call the service only observes: Graph judges
    await invite(meeting, [phone]); // a meeting it joined: Graph judges (call-answer lists meetings taking phones)
    expect(graph.sent).toHaveLength(4);

    const withInstance = setup({ PSTN_APPLICATION_INSTANCE_ID: randomUUID() });
    const bridge = (await withInstance.start({ targets: [user(), user()] })).callId;
    await startInvite(inviteDeps(withInstance.services, silentLog), {
      callId: bridge,
      callIdAsGiven: bridge,
      request: parseInviteRequest({ participants: [phone] }, false),
      rawBody: { participants: [phone] },
    });
    expect(withInstance.graph.sent).toHaveLength(1);
  });
});

describe('answering calls (INCOMING_CALLS=answer, in process)', () => {
  const answering = { INCOMING_CALLS: 'answer', CALLBACK_URI: 'https://app.example/api/notifications' };

  it("answers once, though Graph delivers the notification twice and two instances race; the call is then the service's own", async () => {
    const { graph, notify, services, clock } = setup(answering);
    const instance = randomUUID();
    const callId = randomUUID();
    const asWritten = plainUpperGuid(callId);
    const incoming = incomingCallNotification(asWritten, {
      caller: CALLER,
      called: { applicationInstance: { id: instance } },
    });
    await Promise.all([notify(incoming), notify(incoming)]);
    await notify(incoming);
    expect(graph.requests.filter((r) => r.method === 'answerCall' || r.method === 'rejectCall')).toEqual([
      {
        method: 'answerCall',
        callId: asWritten,
        body: {
          callbackUri: 'https://app.example/api/notifications',
          acceptedModalities: ['audio'],
          mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
        },
      },
    ]);
    expect((await services.calls.getCall(callId))?.value.started).toMatchObject({
      clientContext: null,
      startedWith: { answered: { caller: { user: expect.objectContaining({ id: CALLER.user.id }) } } },
      graphCallId: asWritten,
      applicationInstanceId: instance,
    });
    const events = await readEvents(services.roster, services.operations, callId, { top: 10, after: 0 });
    expect(events.body.events).toEqual([
      expect.objectContaining({ type: 'incoming', identity: expect.objectContaining({ user: expect.anything() }) }),
    ]);
    // Owned: kept alive (by Graph's form of its id), and a phone number may be invited into it.
    await notify(callNotification(callId, 'establishing'));
    await notify(callNotification(callId, 'established'));
    clock.advance(10 * 60_000);
    await keepCallsAlive({ ...callDeps(services, silentLog), timing: services.config.keepAlive });
    expect(graph.requests.filter((r) => r.method === 'keepAlive').map((r) => r.callId)).toEqual([asWritten]);
    const phone = [{ identity: { phone: { id: '+14255550100' } } }];
    await startInvite(inviteDeps(services, silentLog), {
      callId,
      callIdAsGiven: callId,
      request: parseInviteRequest({ participants: phone }, false),
      rawBody: { participants: phone },
    });
    expect(graph.sent.map((s) => s.callId)).toEqual([asWritten]);
    // Hung up by the id as the caller reads it (canonical), sent to Graph in Graph's own form.
    expect(await hangUp(callDeps(services, silentLog), callId, callId)).toBe('hangingUp');
    expect(graph.requests.filter((r) => r.method === 'deleteCall').map((r) => r.callId)).toEqual([asWritten]);
  });

  it('takes several invitees into an answered group call (its notification carries chatInfo), one into a call to the bot', async () => {
    const { graph, notify, services } = setup(answering);
    const group = randomUUID();
    const invitation = incomingCallNotification(group, { caller: CALLER, called: { application: { id: APP_ID } } });
    Object.assign(invitation.value[0]!.resourceData as object, {
      chatInfo: { threadId: THREAD, messageId: '0' },
      meetingInfo: { '@odata.type': '#microsoft.graph.organizerMeetingInfo' },
    });
    await notify(invitation);
    const peer = randomUUID();
    await notify(incomingCallNotification(peer, { caller: CALLER, called: { application: { id: APP_ID } } }));
    const two = [{ identity: { user: { id: randomUUID() } } }, { identity: { user: { id: randomUUID() } } }];
    const invite = (callId: string) =>
      startInvite(inviteDeps(services, silentLog), {
        callId,
        callIdAsGiven: callId,
        request: parseInviteRequest({ participants: two }, false),
        rawBody: { participants: two },
      });
    await invite(group);
    await expect(invite(peer)).rejects.toBeInstanceOf(InvalidInput);
    expect(graph.sent.map((s) => s.callId)).toEqual([group]);
    expect((await services.calls.getCall(group))?.value.started?.startedWith).toMatchObject({
      answered: { groupCall: true },
    });
  });

  it('answers again on redelivery when Graph was throttled, gives a refused call back, and leaves others to reject or ignore', async () => {
    const { graph, notify, services } = setup(answering);
    const callId = randomUUID();
    const incoming = incomingCallNotification(callId, { caller: CALLER, called: { application: { id: APP_ID } } });
    graph.answers.answerCall.push(async () => {
      throw new GraphUnavailable(429, 3);
    });
    await expect(notify(incoming)).rejects.toBeInstanceOf(GraphUnavailable);
    expect((await services.calls.getCall(callId))?.value.started).toBeUndefined();
    expect(await services.calls.liveCalls()).toEqual([]);
    await notify(incoming);
    expect(graph.requests.filter((r) => r.method === 'answerCall')).toHaveLength(2);
    expect((await services.calls.getCall(callId))?.value.started).toBeTruthy();

    const refused = randomUUID();
    graph.answers.answerCall.push(async () => {
      throw new GraphRefused(403, 'Forbidden', 'The app lacks Calls.JoinGroupCall.All.');
    });
    await notify(incomingCallNotification(refused, { caller: CALLER, called: { application: { id: APP_ID } } }));
    expect((await services.calls.getCall(refused))?.value.started).toBeUndefined();
    expect((await services.calls.liveCalls()).map((c) => c.callId)).toEqual([callId]);
    expect(silentLog.lines.some((l) => l.includes('call.answerRefused') && l.includes(refused))).toBe(true);
  });

  it('does not answer twice when the outcome is unknown (it may have taken effect); a call Graph then ends leaves keep-alive', async () => {
    const { graph, notify, services } = setup(answering);
    const callId = randomUUID();
    const incoming = incomingCallNotification(callId, { caller: CALLER, called: { application: { id: APP_ID } } });
    graph.answers.answerCall.push(async () => {
      throw new GraphOutcomeUnknown('Graph answered 504', 504);
    });
    await notify(incoming);
    await notify(incoming);
    expect(graph.requests.filter((r) => r.method === 'answerCall')).toHaveLength(1);
    expect((await services.calls.liveCalls()).map((c) => c.callId)).toEqual([callId]);
    await notify(callNotification(callId, 'terminated', 'deleted'));
    expect(await services.calls.liveCalls()).toEqual([]);
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
    // Graph's 201 says `establishing` (application-post-calls); before, the call answered `state: null`.
    expect(started.body).toMatchObject({
      state: 'establishing',
      clientContext: 'r1',
      startedByService: true,
      startedWith: { meeting: { threadId: THREAD, tenantId: TID } },
    });
    const location = new URL(started.headers.get('location')!);
    expect([location.pathname, location.searchParams.get('code')]).toEqual([`/api/calls/${callId}`, 'k']);
    expect(started.headers.get('retry-after')).toBe('2');
    // The local host's own address (ALLOW_LOOPBACK_URLS, no WEBSITE_HOSTNAME here), not the request's.
    expect(graph.requests[0]!.body).toMatchObject({ callbackUri: 'http://127.0.0.1:7071/api/notifications' });

    expect((await invoke('getCall', { params: { callId } })).status).toBe(202);
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: callNotification(callId, 'established'),
    });
    expect((await invoke('getCall', { params: { callId } })).body).toMatchObject({ state: 'established' });
    expect((await invoke('getCall', { params: { callId } })).status).toBe(200);
    const participantId = randomUUID();
    expect((await invoke('removeParticipant', { params: { callId, participantId } })).status).toBe(202);
    expect(graph.requests.at(-1)).toMatchObject({ method: 'removeParticipant', body: { participantId } });
    expect((await invoke('hangUp', { params: { callId } })).status).toBe(202);
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: callNotification(callId, 'terminated', 'deleted'),
    });
    expect((await invoke('hangUp', { params: { callId } })).status).toBe(204);
  });

  it("refuses a participant id that is not Graph's form (., .., an encoded /) before a Graph path is built", async () => {
    const graph = scriptedGraph();
    provideServices(memoryServices({ graph: graph.gateway }));
    const callId = randomUUID();
    for (const participantId of ['.', '..', '../../users', 'a/b', '%2e%2e', 'p-1', ' ']) {
      const res = await invoke('removeParticipant', { params: { callId, participantId } });
      expect(res.status, participantId).toBe(400);
      expect(res.body.error.details[0].path, participantId).toBe('participantId');
    }
    expect(graph.requests).toEqual([]);
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
    expect((await services.calls.liveCalls()).map((c) => c.callId)).toEqual([second.callId]);
  });

  it('keeps the other calls alive when one call fails, and drops from the index a call Graph ended whatever its row says', async () => {
    const { graph, start, services, clock } = setup();
    const a = (await start({ joinMeetingId: '1234567' })).callId;
    const b = (await start({ joinMeetingId: '7654321' })).callId;
    const orphan = randomUUID(); // in the index, but its call row was never written
    services.calls.live.set(orphan, { graphCallId: orphan, lastKeepAliveAt: new Date(0).toISOString() });
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
    const counts = await keepCallsAlive({ ...callDeps(services, silentLog), timing: services.config.keepAlive });
    expect(counts).toMatchObject({ sent: 1, ended: 1, failed: 1 });
    expect(graph.requests.filter((r) => r.method === 'keepAlive').map((r) => r.callId)).toContain(b);
    expect((await services.calls.liveCalls()).map((c) => c.callId).sort()).toEqual([a, b].sort());
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
