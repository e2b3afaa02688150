import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HostProcess, startHostProcess } from '../../dev/stack';
import { call, newCallId, stack, userInvitee, waitFor } from '../support/api';
import { selfSignedCert } from '../support/selfSignedCert';

// Application Insights' ingestion endpoint, stood in for on loopback: the host's connection string
// names it, and the Azure Monitor exporter posts its envelopes (`/v2.1/track`) here.
interface Envelope {
  name: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: { message?: string; properties?: Record<string, string> } };
}
const received: Envelope[] = [];
let ingestion: https.Server;
let host: HostProcess;

beforeAll(async () => {
  // The exporter speaks https only: a certificate of our own, which the host is told to trust.
  const { cert, key } = selfSignedCert(mkdtempSync(path.join(tmpdir(), 'ingestion-')));
  ingestion = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url?.includes('/track')) {
        const parsed = JSON.parse(body.toString('utf8')) as Envelope | Envelope[];
        received.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const { port } = ingestion.address() as AddressInfo;
  host = await startHostProcess({
    env: {
      ...stack.hostEnv,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=0a5c4e2b-1d2f-4a8e-9b7c-3d6e5f4a2b1c;IngestionEndpoint=http://127.0.0.1:${port}/`,
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      NODE_EXTRA_CA_CERTS: cert,
    },
  });
}, 30_000);
afterAll(async () => {
  await host?.stop();
  await new Promise((resolve) => ingestion?.close(resolve));
});

describe('events in Application Insights', () => {
  it("carry callId, operationId and clientContext as customDimensions, under the request's operation", async () => {
    const callId = newCallId();
    const traceId = randomBytes(16).toString('hex');
    const invited = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      body: { participants: [userInvitee()], clientContext: 'telemetry-check' },
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(invited.status).toBe(202);
    const accepted = await waitFor(
      async () =>
        received.find(
          (e) =>
            e.data?.baseData?.properties?.event === 'invite.accepted' && e.data.baseData.properties.callId === callId,
        ),
      15_000,
      'the invite.accepted event at the ingestion endpoint',
    );
    expect(accepted.data?.baseType).toBe('MessageData');
    expect(accepted.data?.baseData?.properties).toMatchObject({
      event: 'invite.accepted',
      callId,
      operationId: invited.body.id,
      clientContext: 'telemetry-check',
      'faas.name': 'invite',
    });
    expect(accepted.tags?.['ai.operation.id']).toBe(traceId);
  });

  it("carry the app's own logs only: not the worker's system logs, which pass through the same hook", async () => {
    const callId = newCallId();
    await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      body: { participants: [userInvitee()], clientContext: 'system-logs-check' },
    });
    await waitFor(
      async () => received.find((e) => e.data?.baseData?.properties?.clientContext === 'system-logs-check'),
      15_000,
      "the invite's event at the ingestion endpoint",
    );
    const messages = received.map((e) => e.data?.baseData?.message ?? '');
    expect(messages.filter((m) => m.includes('received FunctionInvocationRequest'))).toEqual([]);
    expect(received.filter((e) => e.data?.baseData?.properties?.['log.category'] === 'system')).toEqual([]);
  });
});
