import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, startHostProcess } from '../../dev/stack';
import { call, newCallId, stack, userInvitee } from '../support/api';
import { simulator } from '../support/simulator';

// App Service leaves a Key Vault reference it could not resolve (the app's identity not yet
// granted, a wrong secret name) as the setting's literal text. A host of its own holding one.
const REFERENCE = '@Microsoft.KeyVault(SecretUri=https://kv-invites.vault.azure.net/secrets/graph-client-secret/)';
let host: HostProcess;
beforeAll(async () => {
  host = await startHostProcess({ env: { ...stack.hostEnv, GRAPH_CLIENT_SECRET: REFERENCE } });
});
afterAll(() => host?.stop());

describe('a setting whose Key Vault reference did not resolve', () => {
  it('says so at start, and health answers 503 naming the setting, never its value', async () => {
    expect(host.lines.some((l) => l.includes('GRAPH_CLIENT_SECRET') && l.includes('Key Vault'))).toBe(true);
    const health = await call('GET', '/api/health', { baseUrl: host.url, key: false });
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBeTruthy();
    expect(health.body.error).toMatchObject({ code: 'ServiceUnavailable' });
    expect(health.body.error.message).toContain('GRAPH_CLIENT_SECRET');
    expect(health.text + host.lines.join('\n')).not.toContain('kv-invites');
  });

  it('answers invites and callbacks 503 (Graph and Logic Apps retry) instead of acting on the literal text', async () => {
    const callId = newCallId();
    const answer = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      body: { participants: [userInvitee()] },
    });
    expect([answer.status, answer.body.error.code]).toEqual([503, 'ServiceUnavailable']);
    expect(await simulator.invitesFor(callId)).toHaveLength(0);
    const callback = await call('POST', '/api/notifications', { baseUrl: host.url, key: false, body: { value: [] } });
    expect(callback.status).toBe(503);
  });
});
