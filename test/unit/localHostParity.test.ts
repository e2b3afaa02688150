import { request } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Registration } from '../../dev/host/functionsCore';
import { hostQuery, httpFunctions, type RunningHost, startLocalHost } from '../../dev/host/localHost';

/** A function that answers what it was given: its route value, query and body. */
function echo(name: string, route: string): Registration {
  return {
    metadata: {
      name,
      bindings: {
        req: { type: 'httpTrigger', direction: 'in', route, methods: ['POST'], authLevel: 'anonymous' },
        $return: { type: 'http', direction: 'out' },
      },
    },
    handler: async (...args: unknown[]) => {
      const req = args[0] as import('@azure/functions').HttpRequest;
      return { jsonBody: { id: req.params.id, a: req.query.get('a'), body: await req.text() } };
    },
  };
}

/** POSTs without Content-Length (chunked), as a client streaming its body does. */
function postChunked(url: string, body: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local host as the Azure host behaves', () => {
  let buffered: RunningHost;
  let streaming: RunningHost;
  const start = (stream: boolean) =>
    startLocalHost({
      registrations: [echo('echo', 'echo/{id}')],
      routePrefix: 'api',
      functionKey: 'k',
      port: 0,
      streaming: stream,
      log: () => undefined,
    });
  beforeAll(async () => {
    [buffered, streaming] = await Promise.all([start(false), start(true)]);
  });
  afterAll(async () => {
    await Promise.all([buffered?.close(), streaming?.close()]);
  });

  it('joins a repeated query key with , (the query the host passes); streaming reads the URL (the first)', async () => {
    expect(hostQuery(new URLSearchParams('a=1&a=2&b=3'))).toEqual({ a: '1,2', b: '3' });
    expect(await postChunked(`${buffered.url}/api/echo/x?a=1&a=2`, '')).toMatchObject({ a: '1,2' });
    expect(await postChunked(`${streaming.url}/api/echo/x?a=1&a=2`, '')).toMatchObject({ a: '1' });
  });

  it('hands a body without Content-Length over as empty, unless the app streams bodies', async () => {
    expect(await postChunked(`${buffered.url}/api/echo/x`, '{"a":1}')).toMatchObject({ body: '' });
    expect(await postChunked(`${streaming.url}/api/echo/x`, '{"a":1}')).toMatchObject({ body: '{"a":1}' });
  });

  it('keeps an encoded / encoded in a route value', async () => {
    expect(await postChunked(`${buffered.url}/api/echo/a%2Fb`, '')).toMatchObject({ id: 'a%2Fb' });
  });

  it("refuses a function whose route is under the host's own admin or runtime", () => {
    expect(() => httpFunctions([echo('bad', 'admin/host/status')])).toThrow(/admin/);
    expect(() => httpFunctions([echo('bad', 'Runtime/webhooks')])).toThrow(/runtime/);
    expect(httpFunctions([echo('fine', 'administrators/{id}')])).toHaveLength(1);
  });
});
