import { request } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHostProcess } from '../../dev/stack';
import { call, newCallId, stack } from '../support/api';
import { batch, operationNotification } from '../support/notifications';
import { postNotifications } from '../support/simulator';

const FORGED_HOST = 'attacker.example';
const PUBLIC_BASE_URL = 'https://calls.contoso.example/teams';

/** A request with a `Host` of the caller's choosing (fetch does not let one set it). */
function withHost(baseUrl: string, method: string, path: string, host: string, body?: unknown) {
  const url = new URL(path, baseUrl);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method,
          headers: {
            host,
            'x-functions-key': stack.functionKey,
            ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode!, headers: res.headers, body: raw ? JSON.parse(raw) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    },
  );
}

/** A call with three finished invites, as Graph's callbacks report them. */
async function callWithOperations(): Promise<string> {
  const callId = newCallId();
  const items = [1, 2, 3].map(() =>
    operationNotification({ callId, operationId: crypto.randomUUID(), status: 'completed' }),
  );
  expect((await postNotifications(batch(...items))).status).toBe(202);
  return callId;
}

const createCalls = async () =>
  ((await (await fetch(`${stack.simulatorUrl}/_sim/requests`)).json()) as { requests: Array<any> }).requests.filter(
    (r) => r.method === 'POST' && /\/communications\/calls$/.test(r.path),
  );

describe("addresses come from settings, never from a request's Host", () => {
  it("gives Graph this host's own callbackUri when a call is started with another Host", async () => {
    const before = (await createCalls()).length;
    const res = await withHost(stack.hostUrl, 'POST', '/api/calls', FORGED_HOST, { joinMeetingId: '234 567 890 777' });
    expect(res.status).toBe(202);
    const sent = (await createCalls()).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].body.callbackUri).toBe(`${stack.hostUrl}/api/notifications`);
  });

  describe('with PUBLIC_BASE_URL', () => {
    let host: Awaited<ReturnType<typeof startHostProcess>>;
    beforeAll(async () => {
      host = await startHostProcess({ env: { ...stack.hostEnv, PUBLIC_BASE_URL } });
    });
    afterAll(() => host?.stop());

    it('answers Location on PUBLIC_BASE_URL, whatever the Host', async () => {
      const res = await withHost(host.url, 'POST', '/api/calls', FORGED_HOST, { joinMeetingId: '234 567 890 778' });
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`${PUBLIC_BASE_URL}/api/calls/${res.body.id}`);
    });

    it('links the next page on PUBLIC_BASE_URL', async () => {
      const callId = await callWithOperations();
      const res = await withHost(host.url, 'GET', `/api/calls/${callId}/operations?$top=1`, FORGED_HOST);
      expect(res.status).toBe(200);
      expect(res.body['@odata.nextLink']).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/api/calls/${callId}/operations\\?`));
    });

    it("points the OpenAPI document's host and basePath at PUBLIC_BASE_URL", async () => {
      const res = await withHost(host.url, 'GET', '/api/openapi.json', FORGED_HOST);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ host: 'calls.contoso.example', basePath: '/teams/api', schemes: ['https'] });
    });
  });

  it('an altered $skiptoken is 400, even one that names this list', async () => {
    const callId = await callWithOperations();
    const first = await call('GET', `/api/calls/${callId}/operations`, { query: { $top: '1' } });
    const token = new URL(first.body['@odata.nextLink']).searchParams.get('$skiptoken')!;
    const [payload] = token.split('.');
    const { s, t } = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    // The same list, another position: without a signature this would read from where the caller chose.
    const forged = Buffer.from(JSON.stringify({ s, t: `${t}0` })).toString('base64url');
    for (const skiptoken of [forged, `${forged}.${token.split('.')[1]}`]) {
      const res = await call('GET', `/api/calls/${callId}/operations`, { query: { $top: '1', $skiptoken: skiptoken } });
      expect(res.status, skiptoken).toBe(400);
      expect(res.body.error.target ?? JSON.stringify(res.body)).toContain('$skiptoken');
    }
  });
});
