import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHostProcess } from '../../dev/stack';
import { call, getOperation, getRoster, stack, userInvitee, waitFor } from '../support/api';
import { WebhookReceiver } from '../support/webhookReceiver';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '5810cede-f3cc-42eb-b2c1-e9bd5d53ec96';
const THREAD = `19:meeting_${randomUUID().replace(/-/g, '')}@thread.v2`;
const joinLink = () =>
  `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(THREAD)}/0?context=${encodeURIComponent(JSON.stringify({ Tid: TID, Oid: OID }))}`;

const sim = async (method: string, path: string, body?: unknown) =>
  (
    await fetch(`${stack.simulatorUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
  ).json() as Promise<any>;
const graphRequests = async (pattern: RegExp, method = 'POST') =>
  ((await sim('GET', '/_sim/requests')).requests as Array<{ method: string; path: string; body: any }>).filter(
    (r) => r.method === method && pattern.test(r.path),
  );
const createCalls = () => graphRequests(/\/communications\/calls$/);

/** Polls GET /api/calls/{id} (on the given host) until it answers 200. */
const settled = (callId: string, baseUrl = stack.hostUrl) =>
  waitFor(
    async () => {
      const res = await call('GET', `/api/calls/${callId}`, { baseUrl });
      return res.status === 200 ? res : undefined;
    },
    10_000,
    `call ${callId} to settle`,
  );

describe('calls the service owns', () => {
  it('joins a meeting from its link: 202 with the call, then established with the bot and the organizer in the roster', async () => {
    const before = (await createCalls()).length;
    const res = await call('POST', '/api/calls', {
      body: { joinWebUrl: joinLink(), clientContext: `join-${randomUUID()}` },
    });
    expect(res.status).toBe(202);
    const callId = res.body.id;
    expect(res.headers.get('location')).toBe(`${stack.hostUrl}/api/calls/${callId}`);
    expect(res.body).toMatchObject({
      startedByService: true,
      startedWith: { meeting: { threadId: THREAD, organizerId: OID, tenantId: TID } },
    });
    const sent = (await createCalls()).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      callbackUri: `${stack.hostUrl}/api/notifications`,
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      chatInfo: { threadId: THREAD, messageId: '0' },
      meetingInfo: { organizer: { user: { id: OID, tenantId: TID } } },
      tenantId: TID,
    });
    expect((await settled(callId)).body).toMatchObject({ id: callId, state: 'established' });
    const roster = await waitFor(
      async () => {
        const r = await getRoster(callId);
        return r.body.participants?.length === 2 ? r.body : undefined;
      },
      5000,
      'the roster',
    );
    expect(roster.participants.every((p: { id: string | null }) => typeof p.id === 'string')).toBe(true);
  });

  it('join -> invite -> they join -> remove them -> hang up, each as the roster and the call show it', async () => {
    const started = await call('POST', '/api/calls', { body: { joinMeetingId: '234 567 890 123', passcode: 'pw' } });
    const callId = started.body.id;
    await settled(callId);
    const invitee = userInvitee();
    const invited = await call('POST', `/api/calls/${callId}/participants/invite`, {
      body: { participants: [invitee] },
    });
    expect(invited.status).toBe(202);
    await waitFor(
      async () => {
        const op = (await getOperation(callId, invited.body.id)).body;
        return op.status === 'completed' && op.invitees?.[0]?.outcome === 'joined' ? op : undefined;
      },
      10_000,
      'the invitee to join',
    );
    const participant = (await getRoster(callId)).body.participants.find(
      (p: { info: { identity: Record<string, { id: string }> } }) =>
        Object.values(p.info.identity).some((i) => i?.id === invitee.identity.user.id),
    );
    expect(participant.id).toEqual(expect.any(String));
    expect((await call('DELETE', `/api/calls/${callId}/participants/${participant.id}`)).status).toBe(202);
    await waitFor(
      async () =>
        (await getOperation(callId, invited.body.id)).body.invitees[0].outcome === 'left' ? true : undefined,
      5000,
      'left',
    );
    expect((await call('DELETE', `/api/calls/${callId}`)).status).toBe(202);
    await waitFor(
      async () => ((await call('GET', `/api/calls/${callId}`)).body.state === 'terminated' ? true : undefined),
      5000,
      'terminated',
    );
    const deletes = (await graphRequests(new RegExp(`/calls/${callId}$`), 'DELETE')).length;
    expect((await call('DELETE', `/api/calls/${callId}`)).status).toBe(204);
    expect(await graphRequests(new RegExp(`/calls/${callId}$`), 'DELETE')).toHaveLength(deletes);
  });

  it('refuses a link that is not a Teams join link, or none or several ways, before Graph is called', async () => {
    const before = (await createCalls()).length;
    const bodies = [
      { joinWebUrl: 'https://teams.microsoft.com/l/meetup-join/x/0' },
      { joinWebUrl: `${joinLink().split('?')[0]}?context=%7B%22Tid%22%3A1%7D` },
      {},
      { joinWebUrl: joinLink(), targets: [userInvitee()] },
    ];
    for (const body of bodies) {
      const res = await call('POST', '/api/calls', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    expect(await createCalls()).toHaveLength(before);
  });

  it("passes Graph's refusal of a meeting through, and answers 503 while Graph throttles, keeping nothing", async () => {
    await sim('POST', '/_sim/faults', {
      target: 'createCall',
      status: 403,
      code: 'MeetingNotAccessible',
      message: 'The meeting cannot be joined.',
    });
    const refused = await call('POST', '/api/calls', {
      body: { joinWebUrl: joinLink(), clientContext: 'refused-call' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details[0]).toMatchObject({ code: 'MeetingNotAccessible' });
    await sim('POST', '/_sim/faults', { target: 'createCall', status: 429, retryAfter: 1, times: 10 });
    const throttled = await call('POST', '/api/calls', {
      body: { joinWebUrl: joinLink(), clientContext: 'throttled-call' },
    });
    expect(throttled.status).toBe(503);
    expect(throttled.headers.get('retry-after')).toBeTruthy();
    await sim('DELETE', '/_sim/faults'); // what the deadline left unused
    const retried = await call('POST', '/api/calls', {
      body: { joinWebUrl: joinLink(), clientContext: 'refused-call' },
    });
    expect(retried.status).toBe(202); // nothing was kept: the same clientContext starts the call now
  });

  it('POSTs the call to its callbackUrl once it is established, exactly once', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const res = await call('POST', '/api/calls', { body: { joinMeetingId: '1234567', callbackUrl: receiver.url } });
      const callId = res.body.id;
      await waitFor(async () => (receiver.received.length ? true : undefined), 10_000, 'the call webhook');
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.body).toMatchObject({ id: callId, state: 'established', startedByService: true });
      await call('DELETE', `/api/calls/${callId}`);
    } finally {
      await receiver.close();
    }
  });

  it('rejects an incoming call once, though Graph delivers its notification twice', async () => {
    const { id } = await sim('POST', '/_sim/incoming', {});
    const rejects = () => graphRequests(new RegExp(`/calls/${id}/reject$`));
    await waitFor(async () => ((await rejects()).length ? true : undefined), 5000, 'the reject');
    await sim('POST', '/_sim/notify', {
      payload: {
        value: [
          {
            changeType: 'created',
            resource: `/app/calls/${id}`,
            resourceData: { '@odata.type': '#microsoft.graph.call', state: 'incoming', id },
          },
        ],
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await rejects()).map((r) => r.body)).toEqual([{ reason: 'none' }]);
    expect((await sim('GET', `/_sim/live/${id}`)).rejected).toMatchObject({ reason: 'none' });
  });
});

describe("calls that reach real people (phone numbers, answering the bot's line)", () => {
  const instance = randomUUID();
  let line: Awaited<ReturnType<typeof startHostProcess>>;
  beforeAll(async () => {
    line = await startHostProcess({
      env: { ...stack.hostEnv, PSTN_APPLICATION_INSTANCE_ID: instance, INCOMING_CALLS: 'answer' },
    });
  });
  afterAll(() => line?.stop());

  it('answers once when Graph delivers the incoming call to two instances at once', async () => {
    const second = await startHostProcess({ env: { ...stack.hostEnv, INCOMING_CALLS: 'answer' } });
    try {
      // Placed with a callbackUri of nowhere: the test delivers Graph's notification itself, to both.
      const { id } = await sim('POST', '/_sim/incoming', { callbackUri: 'http://127.0.0.1:9/none' });
      const incoming = {
        value: [
          {
            changeType: 'created',
            resource: `/app/calls/${id}`,
            resourceData: { '@odata.type': '#microsoft.graph.call', state: 'incoming', id },
          },
        ],
      };
      const statuses = await Promise.all(
        [line.url, second.url, line.url, second.url].map(
          async (url) =>
            (await sim('POST', '/_sim/notify', { url: `${url}/api/notifications`, payload: incoming })).status,
        ),
      );
      expect(statuses.every((s: number) => s === 202)).toBe(true);
      expect(await graphRequests(new RegExp(`/calls/${id}/answer$`))).toHaveLength(1);
      expect((await call('GET', `/api/calls/${id}`)).body.startedByService).toBe(true);
      await call('DELETE', `/api/calls/${id}`, { baseUrl: line.url });
    } finally {
      await second.stop();
    }
  });

  it('calls a phone number from the resource account; without PSTN_APPLICATION_INSTANCE_ID it is 400 naming targets, and Graph is not called', async () => {
    const phone = { identity: { phone: { id: '+14255550123' } } };
    const before = (await createCalls()).length;
    const refused = await call('POST', '/api/calls', { body: { targets: [phone] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { path: 'targets', message: expect.stringContaining('PSTN_APPLICATION_INSTANCE_ID') },
    ]);
    expect(await createCalls()).toHaveLength(before);

    const res = await call('POST', '/api/calls', { baseUrl: line.url, body: { targets: [phone] } });
    expect([res.status, res.body.state]).toEqual([202, 'establishing']);
    expect((await createCalls()).at(-1)!.body.source).toMatchObject({
      identity: { applicationInstance: { id: instance, tenantId: TID } },
    });
    expect((await settled(res.body.id, line.url)).body.state).toBe('established');
    await call('DELETE', `/api/calls/${res.body.id}`, { baseUrl: line.url });

    // The simulator refuses a phone call without that source, as Graph does.
    const direct = await fetch(`${stack.simulatorUrl}/v1.0/communications/calls`, {
      method: 'POST',
      body: JSON.stringify({ callbackUri: 'https://bot.example/api/notifications', targets: [phone], tenantId: TID }),
    });
    expect(direct.status).toBe(400);
  });

  it('answers a call to its number once, then owns it: the caller in the incoming event, an invite into it, hang up', async () => {
    const caller = { phone: { id: '+14255550199' } };
    const { id } = await sim('POST', '/_sim/incoming', {
      callbackUri: `${line.url}/api/notifications`,
      applicationInstanceId: instance,
      caller,
    });
    expect(id).toMatch(/^[0-9A-F]{32}$/); // as the answer page writes an incoming call's id
    const answers = () => graphRequests(new RegExp(`/calls/${id}/answer$`));
    await waitFor(async () => ((await answers()).length ? true : undefined), 5000, 'the answer');
    const incoming = {
      value: [
        {
          changeType: 'created',
          resource: `/app/calls/${id}`,
          resourceData: { '@odata.type': '#microsoft.graph.call', state: 'incoming', id },
        },
      ],
    };
    await sim('POST', '/_sim/notify', { url: `${line.url}/api/notifications`, payload: incoming });
    const callId = (await call('GET', `/api/calls/${id}`, { baseUrl: line.url })).body.id;
    const answered = await settled(callId, line.url);
    expect(answered.body).toMatchObject({
      state: 'established',
      startedByService: true,
      clientContext: null,
      startedWith: { answered: { caller: { phone: expect.objectContaining({ id: '+14255550199' }) } } },
    });
    expect((await answers()).map((r) => r.body)).toEqual([
      {
        callbackUri: `${line.url}/api/notifications`,
        acceptedModalities: ['audio'],
        mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      },
    ]);
    const events = (await call('GET', `/api/calls/${callId}/events`, { baseUrl: line.url })).body.events;
    expect(events[0]).toMatchObject({ type: 'incoming', identity: { phone: { id: '+14255550199' } } });

    const onCall = userInvitee();
    const invited = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: line.url,
      body: { participants: [onCall] },
    });
    expect(invited.status).toBe(202);
    await waitFor(
      async () => {
        const op = (await getOperation(callId, invited.body.id)).body; // one storage: any instance answers
        return op.invitees?.[0]?.outcome === 'joined' ? op : undefined;
      },
      10_000,
      'the on-call person to join',
    );
    const two = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: line.url,
      body: { participants: [userInvitee(), userInvitee()] },
    });
    expect([two.status, two.body.error.details[0].path]).toEqual([400, 'participants']);
    expect((await call('DELETE', `/api/calls/${callId}`, { baseUrl: line.url })).status).toBe(202);
    await waitFor(
      async () =>
        (await call('GET', `/api/calls/${callId}`, { baseUrl: line.url })).body.state === 'terminated'
          ? true
          : undefined,
      5000,
      'terminated',
    );
  });
});

describe('keep-alive and instances', () => {
  // Graph ends a call left without keepAlive: 3 s in the simulator here, instead of 45 minutes.
  beforeAll(() => sim('POST', '/_sim/settings', { keepAliveTimeoutMs: 3000 }));
  afterAll(() => sim('POST', '/_sim/settings', { keepAliveTimeoutMs: 45 * 60_000 }));

  it('keeps a call alive while the timer runs, and the call ends without it', async () => {
    // Tables of its own for the keeping host: the live-call index is shared by every instance on one storage.
    const keeper = await startHostProcess({
      env: {
        ...stack.hostEnv,
        KEEPALIVE_SCHEDULE: '* * * * * *',
        KEEPALIVE_INTERVAL_SECONDS: '1',
        KEEPALIVE_MIN_INTERVAL_SECONDS: '1',
        TABLES_OPERATIONS_TABLE: 'keptops',
        TABLES_ROSTER_TABLE: 'keptcalls',
      },
    });
    const idle = await startHostProcess({ env: { ...stack.hostEnv, KEEPALIVE_SCHEDULE: '0 0 0 1 1 *' } });
    try {
      const kept = (await call('POST', '/api/calls', { baseUrl: keeper.url, body: { joinMeetingId: '1234567' } })).body
        .id;
      const dropped = (await call('POST', '/api/calls', { baseUrl: idle.url, body: { joinMeetingId: '7654321' } })).body
        .id;
      await settled(kept, keeper.url);
      await settled(dropped, idle.url);
      await new Promise((r) => setTimeout(r, 6000)); // twice the timeout
      // Graph's delete page lists 408/8537 for a call ended for want of keep-alive.
      expect((await call('GET', `/api/calls/${dropped}`)).body).toMatchObject({
        state: 'terminated',
        resultInfo: { code: 408, subcode: 8537 },
      });
      expect((await call('GET', `/api/calls/${kept}`, { baseUrl: keeper.url })).body.state).toBe('established');
      expect((await sim('GET', `/_sim/live/${kept}`)).keepAlives).toBeGreaterThanOrEqual(3);
      // The service saw them accepted too (Graph answers keepAlive with 200 and no body).
      expect(keeper.lines.filter((l) => l.includes('"event":"calls.keptAlive"') && l.includes('"sent":1'))).not.toEqual(
        [],
      );
      expect(keeper.lines.filter((l) => l.includes('call.keepAliveFailed'))).toEqual([]);
      await call('DELETE', `/api/calls/${kept}`, { baseUrl: keeper.url });
    } finally {
      await keeper.stop();
      await idle.stop();
    }
  }, 30_000);

  it('starts one call for one clientContext across two instances', async () => {
    const other = await startHostProcess({ env: stack.hostEnv });
    try {
      const before = (await createCalls()).length;
      const clientContext = `two-instances-${randomUUID()}`;
      const body = { joinWebUrl: joinLink(), clientContext };
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call('POST', '/api/calls', { baseUrl: i % 2 ? other.url : stack.hostUrl, body }),
        ),
      );
      expect(answers.every((a) => a.status === 202 || a.status === 503)).toBe(true);
      expect(await createCalls()).toHaveLength(before + 1);
      const ids = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id));
      expect(ids.size).toBe(1);
    } finally {
      await other.stop();
    }
  });
});
