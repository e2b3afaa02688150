import { describe, expect, it } from 'vitest';
import { startHostProcess } from '../../dev/stack';
import { stack } from '../support/api';

describe('the app as the Functions host loads it', () => {
  it('registers each route with the methods and auth level of the contract', async () => {
    const host = await startHostProcess({ env: stack.hostEnv });
    try {
      const routes = host.lines.filter((l) => /^\s+\w+: \[/.test(l)).map((l) => l.trim().replace(/http:\/\/[^/]+/, ''));
      expect(routes.sort()).toEqual(
        [
          'getOperation: [GET] /api/calls/{callId}/operations/{operationId} (function)',
          'getRoster: [GET] /api/calls/{callId}/participants (function)',
          'health: [GET] /api/health (anonymous)',
          'invite: [POST] /api/calls/{callId}/participants/invite (function)',
          'listOperations: [GET] /api/calls/{callId}/operations (function)',
          'notifications: [POST] /api/notifications (anonymous)',
        ].sort(),
      );
    } finally {
      await host.stop();
    }
  });

  it('stops at start-up naming the missing Graph settings when loopback URLs are not allowed', async () => {
    const env = { ...stack.hostEnv, ALLOW_LOOPBACK_URLS: 'false', GRAPH_TENANT_ID: '' };
    await expect(startHostProcess({ env })).rejects.toThrow(/GRAPH_TENANT_ID is required[\s\S]*GRAPH_CLIENT_SECRET is required/);
  });

  it('stops at start-up when both storage settings are set', async () => {
    const env = { ...stack.hostEnv, TABLES_ENDPOINT: 'https://account.table.core.windows.net' };
    await expect(startHostProcess({ env })).rejects.toThrow(/TABLES_CONNECTION_STRING.*TABLES_ENDPOINT/);
  });
});
