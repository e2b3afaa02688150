import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';

import { call, stack } from '../support/api';
import { azureHostMetadata, httpTriggerOf } from '../support/metadata';

function httpRegistrations() {
  return azureHostMetadata().flatMap((m) => {
    const t = httpTriggerOf(m);
    return t
      ? (t.methods ?? []).map((method) => ({
          path: `/${t.route}`,
          method: method.toLowerCase(),
          authLevel: t.authLevel,
        }))
      : [];
  });
}

describe('GET /api/openapi.json', () => {
  it('serves anonymously an OpenAPI 2.0 document that a validator accepts', async () => {
    const res = await call('GET', '/api/openapi.json', { key: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      swagger: '2.0',
      basePath: '/api',
      host: new URL(stack.hostUrl).host,
      schemes: ['http'],
    });
    await expect(SwaggerParser.validate(structuredClone(res.body))).resolves.toBeTruthy();
  });

  it('describes exactly the routes the app registers that are connector operations, each with its auth', async () => {
    const doc = (await call('GET', '/api/openapi.json', { key: false })).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(
      ([p, ops]) =>
        Object.entries(ops)
          .filter(([method]) => !method.startsWith('x-'))
          .map(([method, op]) => ({ path: p, method, keyed: Boolean(op.security?.length) })),
    );
    // Not connector operations: Graph's callback, health, this document, the HTTP Webhook pattern's
    // routes (an invite's, and the unsubscribe of an event subscription by clientContext).
    const notOperations = new Set(['/notifications', '/health', '/openapi.json', '/calls/{callId}/webhooks/invite']);
    const registered = httpRegistrations()
      .filter((r) => !notOperations.has(r.path) && !r.path.endsWith('/webhook'))
      .filter((r) => !(r.path === '/calls/{callId}/webhooks/events' && r.method === 'delete'))
      .map((r) => ({
        path: r.path,
        method: r.method,
        keyed: r.authLevel === 'function',
      }));
    const byKey = (a: { path: string; method: string }, b: { path: string; method: string }) =>
      `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);
    expect(documented.sort(byKey)).toEqual(registered.sort(byKey));
  });

  it('carries the schemas of bodies and answers, with connector extensions', async () => {
    const doc = (await call('GET', '/api/openapi.json', { key: false })).body;
    expect(Object.keys(doc.definitions).sort()).toEqual(
      [
        'call',
        'callEvent',
        'callEventList',
        'callEventSubscriptionRequest',
        'error',
        'eventsTriggerRequest',
        'eventSubscription',
        'invitee',
        'inviteRequest',
        'operation',
        'operationList',
        'resultInfo',
        'roster',
        'rosterParticipant',
        'startCallRequest',
      ].sort(),
    );
    const invite = doc.definitions.inviteRequest;
    expect(invite.properties.participants).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 5,
      'x-ms-summary': 'Participants',
    });
    expect(invite.properties.clientContext).toMatchObject({ maxLength: 256, 'x-ms-summary': 'Client context' });
    expect(doc.definitions.operation.properties.status.enum).toEqual(['notStarted', 'running', 'completed', 'failed']);
    expect(doc.definitions.invitee.properties.outcome.enum).toEqual([
      'pending',
      'joined',
      'inLobby',
      'notJoined',
      'left',
    ]);
    // Power Platform registers a flow's trigger on every save, which must never invite: the only
    // triggers subscribe to events.
    const triggers = Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
      ([p, ops]) => Object.entries(ops).flatMap(([method, op]) => (op['x-ms-trigger'] ? [`${method} ${p}`] : [])),
    );
    expect(triggers.sort()).toEqual(['post /calls/{callId}/webhooks/events', 'post /webhooks/events']);
    const action = doc.paths['/calls/{callId}/participants/invite'].post;
    expect(action.responses['202'].headers).toHaveProperty('Location');
    expect(action.responses['202'].headers).toHaveProperty('Retry-After');
    expect(JSON.stringify(doc)).not.toMatch(/"nullable"|"anyOf"|"oneOf"|"const"/); // OpenAPI 3 only
  });
});
