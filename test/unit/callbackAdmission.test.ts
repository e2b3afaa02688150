import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { provideServices } from '../../src/services';
import { APP_ID, GOOD_TOKEN, invoke, memoryServices, scriptedGraph, TENANT_ID } from '../support/inProcess';
import { batch, callNotification, participant, rosterNotification } from '../support/notifications';

const OTHER_TENANT = 'b7d8a1c2-0f3e-4d5a-9b6c-1e2f3a4b5c6d';
const OTHER_TOKEN = 'Bearer other-tenant-token';

/** Services accepting callbacks of two tenants: GOOD_TOKEN is TENANT_ID's, OTHER_TOKEN the other's. */
function twoTenants() {
  const graph = scriptedGraph();
  const services = memoryServices({
    graph: graph.gateway,
    env: { CALLBACK_ALLOWED_TENANTS: `${TENANT_ID},${OTHER_TENANT}` },
  });
  services.callbackTokens = {
    async validate(authorization) {
      const tenantId = authorization === OTHER_TOKEN ? OTHER_TENANT : TENANT_ID;
      return { issuer: 'https://graph.microsoft.com', tenantId, appId: APP_ID };
    },
  };
  provideServices(services);
  return { graph, services };
}

const notify = (body: unknown, token = GOOD_TOKEN) =>
  invoke('notifications', { headers: { authorization: token }, body });

afterEach(() => provideServices(undefined));

describe('one signed batch is bounded', () => {
  it('handles one incoming call per batch: a batch of 1000 makes one reject, not 1000', async () => {
    const { graph } = twoTenants();
    const calls = Array.from({ length: 1000 }, () => randomUUID());
    const res = await notify(batch(...calls.map((id) => callNotification(id, 'incoming', 'created'))));
    expect(res.status).toBe(202);
    expect(graph.requests.filter((r) => r.method === 'rejectCall')).toEqual([
      { method: 'rejectCall', callId: calls[0], body: { reason: 'none' } },
    ]);
  });

  it('records at most 10 calls from one batch', async () => {
    const { services } = twoTenants();
    const calls = Array.from({ length: 1000 }, () => randomUUID());
    const res = await notify(batch(...calls.map((id) => rosterNotification(id, [participant('user', `u-${id}`)]))));
    expect(res.status).toBe(202);
    const known = await Promise.all(calls.map(async (id) => (await services.roster.rosterPage(id, 1)).known));
    expect(known.filter(Boolean)).toHaveLength(10);
    expect(known.slice(0, 10).every(Boolean)).toBe(true);
  });
});

describe("a call answers only its own tenant's callbacks", () => {
  it('lets a token without tid (accepted with CALLBACK_ALLOWED_TENANTS=*) change no call', async () => {
    const services = memoryServices({ env: { CALLBACK_ALLOWED_TENANTS: '*' } });
    services.callbackTokens = {
      async validate() {
        return { issuer: 'https://graph.microsoft.com', tenantId: undefined, appId: APP_ID };
      },
    };
    provideServices(services);
    const callId = randomUUID();
    expect((await notify(rosterNotification(callId, [participant('user', 'alice')]))).status).toBe(202);
    expect((await services.roster.rosterPage(callId, 10)).known).toBe(false);
  });

  it("leaves a call the service started in one tenant alone when another tenant's token ends it", async () => {
    const { services } = twoTenants();
    const started = await invoke('startCall', { body: { joinMeetingId: '234 567 890 123' } });
    const callId = started.body.id;
    expect((await notify(callNotification(callId, 'terminated', 'deleted'), OTHER_TOKEN)).status).toBe(202);
    expect((await services.calls.getCall(callId))?.value.state).toBe('establishing');
    await notify(callNotification(callId, 'terminated', 'deleted'));
    expect((await services.calls.getCall(callId))?.value.state).toBe('terminated');
  });

  it('holds a call it only observes to the tenant of the first token that brought news of it', async () => {
    const { services } = twoTenants();
    const callId = randomUUID();
    await notify(rosterNotification(callId, [participant('user', 'alice')]), OTHER_TOKEN);
    await notify(callNotification(callId, 'established'), OTHER_TOKEN);
    // The app's own tenant's token, but not this call's: neither the roster nor the state change.
    await notify(rosterNotification(callId, []));
    await notify(callNotification(callId, 'terminated', 'deleted'));
    expect((await services.roster.rosterPage(callId, 10)).entries).toHaveLength(1);
    expect((await services.calls.getCall(callId))?.value.state).toBe('established');
  });
});
