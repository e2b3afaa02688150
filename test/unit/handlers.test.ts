import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { operationNotification } from '../../dev/graphPayloads';
import { GraphRefused, GraphUnavailable } from '../../src/errors';
import { provideServices } from '../../src/services';
import { accepts, fails, GOOD_TOKEN, invoke, memoryServices, scriptedGraph, TestClock } from '../support/inProcess';

// The handlers of the route table, called in process with real HttpRequest and InvocationContext
// objects, on in-memory stores and a stand-in Graph: the contract's status codes, headers and envelopes.
afterEach(() => provideServices(undefined));

function serve(...script: Parameters<typeof scriptedGraph>) {
  const graph = scriptedGraph(...script);
  const clock = new TestClock();
  const services = memoryServices({ graph: graph.gateway, clock });
  provideServices(services);
  return { graph, services, clock };
}

const user = () => ({ identity: { user: { id: randomUUID(), displayName: 'Test' } } });

describe('handlers in process', () => {
  it('invite: 202 with an absolute Location carrying the code, Retry-After and the running operation', async () => {
    const { graph } = serve(accepts());
    const callId = randomUUID();
    const res = await invoke('invite', {
      params: { callId },
      query: { code: 'the-key' },
      body: { participants: [user()] },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('2');
    const location = new URL(res.headers.get('location')!);
    expect(location.pathname).toBe(`/api/calls/${callId}/operations/${res.body.id}`);
    expect(location.searchParams.get('code')).toBe('the-key');
    expect(res.body).toMatchObject({ callId, status: 'running', invitees: [{ outcome: 'pending' }] });
    expect(graph.sent).toHaveLength(1);
  });

  it('invite: 400 naming the field, Graph not called, for a bad call id or body', async () => {
    const { graph } = serve();
    const badId = await invoke('invite', { params: { callId: 'nope' }, body: { participants: [user()] } });
    expect(badId).toMatchObject({
      status: 400,
      body: { error: { code: 'BadRequest', details: [{ path: 'callId' }] } },
    });
    const badBody = await invoke('invite', { params: { callId: randomUUID() }, body: { participants: [] } });
    expect(badBody.body.error.details[0].path).toBe('participants');
    const notJson = await invoke('invite', { params: { callId: randomUUID() }, rawBody: '{"participants":' });
    expect(notJson.status).toBe(400);
    expect(graph.sent).toHaveLength(0);
  });

  it("invite: Graph's refusal passes through as UpstreamError; throttling answers 503 with Graph's Retry-After", async () => {
    serve(fails(new GraphRefused(403, 'Forbidden', 'Not in this call.')), fails(new GraphUnavailable(429, 7)));
    const refused = await invoke('invite', { params: { callId: randomUUID() }, body: { participants: [user()] } });
    expect(refused).toMatchObject({
      status: 403,
      body: { error: { code: 'UpstreamError', details: [{ path: 'graph', code: 'Forbidden' }] } },
    });
    const throttled = await invoke('invite', { params: { callId: randomUUID() }, body: { participants: [user()] } });
    expect(throttled.status).toBe(503);
    expect(throttled.headers.get('retry-after')).toBe('7');
  });

  it('getOperation: 202 while running, 200 once terminal, 404 in the envelope for an unknown one', async () => {
    serve(accepts());
    const callId = randomUUID();
    const started = await invoke('invite', { params: { callId }, body: { participants: [user()] } });
    const running = await invoke('getOperation', { params: { callId, operationId: started.body.id } });
    expect(running.status).toBe(202);
    await invoke('notifications', {
      headers: { authorization: GOOD_TOKEN },
      body: operationNotification({ callId, operationId: started.body.id, status: 'completed' }),
    });
    expect(
      (await invoke('getOperation', { params: { callId, operationId: started.body.id.toUpperCase() } })).status,
    ).toBe(200);
    const unknown = await invoke('getOperation', { params: { callId, operationId: randomUUID() } });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'NotFound' } } });
  });

  it('notifications: 401 without a valid token and nothing stored; 202 with an empty body otherwise', async () => {
    const { services } = serve();
    const callId = randomUUID();
    const body = operationNotification({ callId, operationId: randomUUID(), status: 'running' });
    const refused = await invoke('notifications', { body });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'Unauthorized' } } });
    expect(await services.operations.hasAny(callId)).toBe(false);
    const taken = await invoke('notifications', { headers: { authorization: GOOD_TOKEN }, body });
    expect(taken).toMatchObject({ status: 202, body: undefined });
  });

  it('listOperations and getRoster: 404 for a call never seen, newest first once known', async () => {
    const { clock } = serve(accepts());
    const callId = randomUUID();
    expect((await invoke('listOperations', { params: { callId } })).status).toBe(404);
    expect((await invoke('getRoster', { params: { callId } })).status).toBe(404);
    const first = await invoke('invite', { params: { callId }, body: { participants: [user()] } });
    clock.advance(1000);
    const second = await invoke('invite', { params: { callId }, body: { participants: [user()] } });
    const list = await invoke('listOperations', { params: { callId } });
    expect(list.body.operations.map((o: { id: string }) => o.id)).toEqual([second.body.id, first.body.id]);
    expect((await invoke('getRoster', { params: { callId } })).body).toMatchObject({
      callId,
      participants: [],
      state: null,
    });
  });

  it('webhook routes: subscribe answers 201 with the subscription, unsubscribe wants a clientContext, cancel is idempotent', async () => {
    serve(accepts());
    const callId = randomUUID();
    const body = { participants: [user()], callbackUrl: 'https://example.com/hook', clientContext: 'sub' };
    const subscribed = await invoke('subscribeInvite', { params: { callId }, body });
    expect(subscribed.status).toBe(201);
    expect(new URL(subscribed.headers.get('location')!).pathname).toBe(
      `/api/calls/${callId}/operations/${subscribed.body.id}/webhook`,
    );
    expect(
      (await invoke('subscribeInvite', { params: { callId }, body: { participants: [user()] } })).body.error.details[0]
        .path,
    ).toBe('callbackUrl');
    expect((await invoke('unsubscribeInvite', { params: { callId } })).status).toBe(400);
    expect((await invoke('unsubscribeInvite', { params: { callId }, query: { clientContext: 'sub' } })).status).toBe(
      204,
    );
    for (let i = 0; i < 2; i++) {
      expect(
        (await invoke('cancelOperationWebhook', { params: { callId, operationId: subscribed.body.id } })).status,
      ).toBe(204);
    }
  });

  it('health answers ok, and the OpenAPI document names every route of the table', async () => {
    serve();
    expect(await invoke('health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const doc = (await invoke('openapi')).body;
    expect(Object.keys(doc.paths)).toContain('/calls/{callId}/participants/invite');
  });
});
