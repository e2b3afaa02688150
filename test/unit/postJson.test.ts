import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { backoffSeconds } from '../../src/webhooks/deliverWebhook';
import { postJson } from '../../src/webhooks/postJson';

let server: http.Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(req.url === '/redirect' ? 302 : 204, { Location: 'http://10.0.0.1/' }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('webhook POST (SSRF-safe)', () => {
  it('refuses loopback, private and link-local targets unless loopback is allowed, without connecting', async () => {
    const before = hits;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `https://127.0.0.1:${port}/`,
      `https://localhost:${port}/`,
      'https://10.1.2.3/',
      'https://169.254.169.254/latest',
      'https://[::1]/',
    ]) {
      expect((await postJson(url, {}, { timeoutMs: 2000, allowLoopback: false })).status, url).toBe(0);
    }
    expect(hits).toBe(before);
  });

  it('refuses an IP literal of an internal address in any notation at connect time, without connecting', async () => {
    const before = hits;
    // Node connects to an IP literal without a DNS lookup, so the lookup guard alone never sees these.
    for (const host of [
      '[::ffff:7f00:1]',
      '[::ffff:127.0.0.1]',
      '[0:0:0:0:0:ffff:7f00:1]',
      '[::7f00:1]',
      '0x7f.1',
      '2130706433',
    ]) {
      const url = `http://${host}:${port}/`;
      expect(await postJson(url, {}, { timeoutMs: 2000, allowLoopback: false }), url).toEqual({
        status: 0,
        error: 'address not allowed',
      });
    }
    expect(hits).toBe(before);
    for (const url of [
      'http://[::ffff:a00:1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a00:1]/',
      'http://[2002:a00:1::]/',
    ]) {
      expect(await postJson(url, {}, { timeoutMs: 2000, allowLoopback: true }), url).toEqual({
        status: 0,
        error: 'address not allowed',
      });
    }
  });

  it('reaches a loopback receiver when allowed, and never follows a redirect', async () => {
    expect(
      (await postJson(`http://localhost:${port}/hook`, { a: 1 }, { timeoutMs: 2000, allowLoopback: true })).status,
    ).toBe(204);
    expect(
      (await postJson(`http://127.0.0.1:${port}/redirect`, {}, { timeoutMs: 2000, allowLoopback: true })).status,
    ).toBe(302);
    expect((await postJson('http://10.0.0.1/', {}, { timeoutMs: 2000, allowLoopback: true })).status).toBe(0);
  });

  it('backs off exponentially: 5 tries span more than 10 minutes at the default 15 s base', () => {
    const delays = [1, 2, 3, 4].map((n) => backoffSeconds(n, 15));
    expect(delays).toEqual([15, 30, 60, 120]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffSeconds(n, 15)).reduce((a, b) => a + b)).toBeGreaterThan(600);
  });
});
