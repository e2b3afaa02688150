import { describe, expect, it } from 'vitest';

import { startHostProcess } from '../../dev/stack';
import { routes } from '../../src/routes';
import { call, stack } from '../support/api';
import { azureHostMetadata, type FunctionMetadata, httpTriggerOf } from '../support/metadata';

const httpTrigger = (m: FunctionMetadata) => httpTriggerOf(m)!;
const isHttp = (m: FunctionMetadata) => Boolean(httpTriggerOf(m));

// The routes of the contract (docs/api.md), as the Functions host must see them.
const CONTRACT = [
  { name: 'invite', route: 'calls/{callId}/participants/invite', methods: ['POST'], authLevel: 'function' },
  { name: 'getOperation', route: 'calls/{callId}/operations/{operationId}', methods: ['GET'], authLevel: 'function' },
  { name: 'listOperations', route: 'calls/{callId}/operations', methods: ['GET'], authLevel: 'function' },
  { name: 'getRoster', route: 'calls/{callId}/participants', methods: ['GET'], authLevel: 'function' },
  { name: 'getEvents', route: 'calls/{callId}/events', methods: ['GET'], authLevel: 'function' },
  { name: 'subscribeCallEvents', route: 'calls/{callId}/webhooks/events', methods: ['POST'], authLevel: 'function' },
  {
    name: 'unsubscribeCallEventsByContext',
    route: 'calls/{callId}/webhooks/events',
    methods: ['DELETE'],
    authLevel: 'function',
  },
  {
    name: 'unsubscribeCallEvents',
    route: 'calls/{callId}/webhooks/events/{subscriptionId}',
    methods: ['DELETE'],
    authLevel: 'function',
  },
  { name: 'subscribeEvents', route: 'webhooks/events', methods: ['POST'], authLevel: 'function' },
  { name: 'unsubscribeEvents', route: 'webhooks/events/{subscriptionId}', methods: ['DELETE'], authLevel: 'function' },
  { name: 'notifications', route: 'notifications', methods: ['POST'], authLevel: 'anonymous' },
  { name: 'health', route: 'health', methods: ['GET'], authLevel: 'anonymous' },
  { name: 'subscribeInvite', route: 'calls/{callId}/webhooks/invite', methods: ['POST'], authLevel: 'function' },
  { name: 'unsubscribeInvite', route: 'calls/{callId}/webhooks/invite', methods: ['DELETE'], authLevel: 'function' },
  {
    name: 'cancelOperationWebhook',
    route: 'calls/{callId}/operations/{operationId}/webhook',
    methods: ['DELETE'],
    authLevel: 'function',
  },
  { name: 'openapi', route: 'openapi.json', methods: ['GET'], authLevel: 'anonymous' },
  { name: 'startCall', route: 'calls', methods: ['POST'], authLevel: 'function' },
  { name: 'getCall', route: 'calls/{callId}', methods: ['GET'], authLevel: 'function' },
  { name: 'hangUp', route: 'calls/{callId}', methods: ['DELETE'], authLevel: 'function' },
  {
    name: 'removeParticipant',
    route: 'calls/{callId}/participants/{participantId}',
    methods: ['DELETE'],
    authLevel: 'function',
  },
];

describe('the app as the Functions host loads it', () => {
  const all = azureHostMetadata();
  const metadata = all.filter(isHttp);

  it('registers exactly the rows of the route table, in its order, each with its trigger', () => {
    const TRIGGER = { http: 'httpTrigger', queue: 'queueTrigger', timer: 'timerTrigger' };
    expect(all.map((m) => m.name)).toEqual(routes.map((r) => r.name));
    for (const row of routes) {
      const binding = Object.values(all.find((m) => m.name === row.name)!.bindings).find((b) => b.direction === 'in');
      const { name: _name, trigger, load: _load, ...settings } = row;
      expect(binding, row.name).toMatchObject({
        type: TRIGGER[trigger],
        ...settings,
        ...('methods' in settings ? { methods: [...settings.methods] } : {}),
      });
    }
  });

  it('registers the webhook delivery as a queue trigger, the retention purge and the webhook sweep as timers', () => {
    const others = all.filter((m) => !isHttp(m));
    expect(others.map((m) => [m.name, Object.values(m.bindings).find((b) => b.direction === 'in')])).toEqual([
      [
        'deliverWebhook',
        expect.objectContaining({ type: 'queueTrigger', queueName: 'webhook-deliveries', connection: 'WEBHOOK_QUEUE' }),
      ],
      ['purgeOldRecords', expect.objectContaining({ type: 'timerTrigger', schedule: '%RETENTION_SCHEDULE%' })],
      ['keepAliveCalls', expect.objectContaining({ type: 'timerTrigger', schedule: '%KEEPALIVE_SCHEDULE%' })],
      ['sweepWebhooks', expect.objectContaining({ type: 'timerTrigger', schedule: '%WEBHOOK_SWEEP_SCHEDULE%' })],
    ]);
  });

  it('registers, through @azure/functions, each contract route with its methods and auth level', () => {
    const registered = metadata.map((m) => {
      const t = httpTrigger(m);
      return { name: m.name, route: t.route, methods: t.methods, authLevel: t.authLevel };
    });
    expect(registered.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [...CONTRACT].sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const m of metadata) expect(m.bindings.$return).toMatchObject({ type: 'http', direction: 'out' });
  });

  it('is served by the local host exactly as registered: route, methods and auth level', async () => {
    const sample = (route: string) =>
      route
        .replace('{callId}', '00000000-0000-0000-0000-000000000001')
        .replace('{operationId}', 'x')
        .replace('{participantId}', 'p');
    for (const m of metadata) {
      const t = httpTrigger(m);
      const path = `/api/${sample(t.route!)}`;
      for (const method of t.methods!) {
        const res = await call(method, path, { key: false, body: method === 'POST' ? {} : undefined });
        // The host's own refusal of a missing key is a 401 with an empty body.
        const refusedByHost = res.status === 401 && res.text === '';
        expect(refusedByHost, `${method} ${path} without key`).toBe(t.authLevel === 'function');
        expect([404, 405], `${method} ${path}`).not.toContain(res.status);
      }
      // A method no function on this route serves (GET and DELETE of calls/{callId} are two functions).
      const served = metadata.filter((n) => httpTrigger(n).route === t.route).flatMap((n) => httpTrigger(n).methods!);
      const other = ['PUT', 'PATCH', 'GET', 'POST', 'DELETE'].find((m) => !served.includes(m))!;
      expect((await call(other, path)).status, `${other} ${path}`).toBe(405);
    }
  });

  it('stops at start-up naming the missing Graph settings when loopback URLs are not allowed', async () => {
    const env = { ...stack.hostEnv, ALLOW_LOOPBACK_URLS: 'false', GRAPH_TENANT_ID: '' };
    await expect(startHostProcess({ env })).rejects.toThrow(
      /GRAPH_TENANT_ID is required[\s\S]*GRAPH_CLIENT_SECRET is required/,
    );
  });

  it('stops at start-up when both storage settings are set', async () => {
    const env = { ...stack.hostEnv, TABLES_ENDPOINT: 'https://account.table.core.windows.net' };
    await expect(startHostProcess({ env })).rejects.toThrow(/TABLES_CONNECTION_STRING.*TABLES_ENDPOINT/);
  });
});
