import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Azurite, type HostProcess, startAzurite, startHostProcess } from '../../dev/stack';
import { call, stack, waitFor } from '../support/api';
import { operationNotification, participant, rosterNotification } from '../support/notifications';
import { selfSignedCert } from '../support/selfSignedCert';
import { postNotifications } from '../support/simulator';
import { WebhookReceiver } from '../support/webhookReceiver';

// TABLES_ENDPOINT with DefaultAzureCredential, as far as Azurite allows: Azurite over https with
// OAuth (`--oauth basic` checks a bearer token's audience, issuer and lifetime, not its signature),
// and a stand-in for App Service's managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER)
// that hands out such tokens.
let dir: string;
let azurite: Azurite;
let identity: http.Server;
let host: HostProcess;
const tokenRequests: string[] = [];
const tablesEndpoint = () => `https://127.0.0.1:${azurite.ports.table}/devstoreaccount1`;
const identityEndpoint = () => `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mi-'));
  const { cert, key } = selfSignedCert(dir);
  azurite = await startAzurite({ oauth: { cert, key } });

  identity = http.createServer((req, res) => {
    tokenRequests.push(req.url ?? '');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${stack.tenantId}/`, iat: now, nbf: now, exp: now + 3600, oid: randomUUID() })}.c2ln`;
    const ok = req.headers['x-identity-header'] === 'mi-secret';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        ok
          ? {
              access_token: token,
              expires_on: String(now + 3600),
              resource: 'https://storage.azure.com',
              token_type: 'Bearer',
            }
          : { error: 'bad header' },
      ),
    );
  });
  await new Promise<void>((r) => identity.listen(0, '127.0.0.1', r));

  const { TABLES_CONNECTION_STRING: _cs, ...env } = stack.hostEnv;
  host = await startHostProcess({
    env: {
      ...env,
      TABLES_CONNECTION_STRING: '',
      TABLES_ENDPOINT: `https://127.0.0.1:${azurite.ports.table}/devstoreaccount1`,
      // The queue of webhook deliveries as Azure names it: the service's URI, reached with the identity.
      WEBHOOK_QUEUE: '',
      WEBHOOK_QUEUE__queueServiceUri: `https://127.0.0.1:${azurite.ports.queue}/devstoreaccount1`,
      IDENTITY_ENDPOINT: `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`,
      IDENTITY_HEADER: 'mi-secret',
      NODE_EXTRA_CA_CERTS: cert,
    },
  });
});
afterAll(async () => {
  await host?.stop();
  await new Promise((r) => identity?.close(r));
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Table Storage through a managed identity (TABLES_ENDPOINT)', () => {
  it('gets a token from the identity endpoint and stores and reads with it', async () => {
    expect((await call('GET', '/api/health', { baseUrl: host.url, key: false })).status).toBe(200);
    expect(tokenRequests.some((url) => url.includes('storage.azure.com'))).toBe(true);
    const callId = randomUUID();
    const operationId = randomUUID();
    expect(
      (
        await postNotifications(operationNotification({ callId, operationId, status: 'completed' }), {
          baseUrl: host.url,
        })
      ).status,
    ).toBe(202);
    expect(
      (await call('GET', `/api/calls/${callId}/operations/${operationId}`, { baseUrl: host.url })).body.status,
    ).toBe('completed');
  });

  it('delivers webhooks through the queue named by WEBHOOK_QUEUE__queueServiceUri, the host polling it with the identity', async () => {
    const callId = randomUUID();
    const receiver = await new WebhookReceiver().start();
    try {
      const bot = participant('application', stack.hostEnv.GRAPH_CLIENT_ID!, { id: 'bot' });
      const notify = (...people: unknown[]) =>
        postNotifications(rosterNotification(callId, [bot, ...people]), { baseUrl: host.url });
      expect((await notify()).status).toBe(202);
      const subscribed = await call('POST', `/api/calls/${callId}/webhooks/events`, {
        baseUrl: host.url,
        body: { callbackUrl: receiver.url, identityId: 'queued-7' },
      });
      expect(subscribed.status).toBe(201);
      expect((await notify(participant('user', 'queued-7'))).status).toBe(202);
      const delivered = await waitFor(
        async () => receiver.received.find((r) => r.body?.type === 'joined'),
        20_000,
        'the joined event at the receiver',
      );
      expect(delivered.body).toMatchObject({ callId, type: 'joined', key: 'user:queued-7' });
    } finally {
      await receiver.close();
    }
  });

  it('answers 503 when the identity cannot get a token, and Azurite refuses requests without one', async () => {
    const { TABLES_CONNECTION_STRING: _cs, ...env } = stack.hostEnv;
    const refused = await startHostProcess({
      env: {
        ...env,
        TABLES_CONNECTION_STRING: '',
        TABLES_ENDPOINT: tablesEndpoint(),
        IDENTITY_ENDPOINT: identityEndpoint(),
        IDENTITY_HEADER: 'wrong',
        NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
      },
    });
    try {
      const res = await call('GET', '/api/health', { baseUrl: refused.url, key: false });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await refused.stop();
    }
    // Without a token Azurite refuses: the identity is what lets the service in.
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(
          `${tablesEndpoint()}/Tables`,
          {
            ca: readFileSync(path.join(dir, 'cert.pem')),
            headers: { accept: 'application/json', 'x-ms-version': '2019-02-02' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect([401, 403]).toContain(status);
  });
});
