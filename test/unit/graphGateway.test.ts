import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GraphOutcomeUnknown, GraphRefused } from '../../src/errors';
import { createGraphGateway, type GraphGateway } from '../../src/graph/graphGateway';

// Graph answers reject with 202, keepAlive with 200 and hang-up with 204, none with a body
// (the reference pages' responses), and may label an empty body application/json as the
// simulator does: the client cannot read it as JSON, yet Graph accepted the request.
describe('the Graph gateway over HTTP, for answers without a body', () => {
  let server: http.Server;
  let gateway: GraphGateway;
  const answers: Array<{ status: number; type?: string; body?: string }> = [];
  const received: Array<{ method: string; url: string; body: string; contentType?: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        received.push({ method: req.method!, url: req.url!, body, contentType: req.headers['content-type'] });
        const next = answers.shift() ?? { status: 200 };
        res.writeHead(next.status, next.type ? { 'Content-Type': next.type } : {});
        res.end(next.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gateway = await createGraphGateway({
      baseUrl: `http://127.0.0.1:${port}/v1.0`,
      deadlineMs: 2000,
    } as Parameters<typeof createGraphGateway>[0]);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['reject: 202, empty, labelled JSON', 202, 'application/json'],
    ['reject: 202, empty, unlabelled', 202, undefined],
    ['keepAlive: 200, empty, labelled JSON', 200, 'application/json'],
    ['hang-up: 204', 204, undefined],
  ])('takes %s as accepted', async (_name, status, type) => {
    answers.push({ status, type });
    await expect(gateway.rejectCall('c1', 'none')).resolves.toBeUndefined();
  });

  it("still refuses on 4xx with Graph's code and 5xx stays unknown; an empty created call comes back as no call", async () => {
    answers.push({
      status: 403,
      type: 'application/json',
      body: JSON.stringify({ error: { code: 'Forbidden', message: 'no permission' } }),
    });
    await expect(gateway.keepAlive('c1')).rejects.toBeInstanceOf(GraphRefused);
    answers.push({
      status: 403,
      type: 'application/json',
      body: JSON.stringify({ error: { code: 'Forbidden', message: 'no permission' } }),
    });
    await expect(gateway.keepAlive('c1')).rejects.toMatchObject({ status: 403, graphCode: 'Forbidden' });
    answers.push({ status: 500, type: 'application/json', body: '{}' });
    await expect(gateway.deleteCall('c1')).rejects.toBeInstanceOf(GraphOutcomeUnknown);
    answers.push({ status: 201, type: 'application/json' });
    const created = await gateway.createCall({}, Date.now() + 2000);
    expect(created.call).toBeUndefined();
  });

  it('sends keepAlive with no body (call-keepalive: "Do not supply a request body"), answer with its body, each to the call id as given', async () => {
    received.length = 0;
    await gateway.keepAlive('57DAB8B1894C409AB240BD8BEAE78896');
    answers.push({ status: 202 });
    await gateway.answerCall('57DAB8B1894C409AB240BD8BEAE78896', {
      callbackUri: 'https://bot.example/api/notifications',
    });
    expect(received.map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: 'POST', url: '/v1.0/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/keepAlive', body: '' },
      {
        method: 'POST',
        url: '/v1.0/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/answer',
        body: JSON.stringify({ callbackUri: 'https://bot.example/api/notifications' }),
      },
    ]);
  });
});
