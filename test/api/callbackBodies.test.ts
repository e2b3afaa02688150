import { request } from 'node:http';

import { describe, expect, it } from 'vitest';

import { stack } from '../support/api';
import { simulator } from '../support/simulator';

const MiB = 1024 * 1024;
/** What loopback socket buffers may hold beyond what the host read: sent, not read. */
const IN_FLIGHT = 16 * MiB;
/** Where a sender gives up: past the Azure host's own 100 MB limit, so a host that buffers shows. */
const GIVE_UP = 160 * MiB;

/**
 * POSTs to /api/notifications a body that does not end (chunked, or with a large Content-Length it
 * never reaches), and counts the bytes the host took before it answered.
 */
function endlessPost(headers: Record<string, string | number>): Promise<{ status: number; sent: number }> {
  const chunk = Buffer.alloc(256 * 1024, 0x20); // JSON whitespace
  return new Promise((resolve) => {
    let sent = 0;
    let answered = false;
    const req = request(`${stack.hostUrl}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    const total = Math.min(GIVE_UP, Number(headers['content-length'] ?? Infinity));
    const pump = () => {
      while (!answered && sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (!answered) req.end(); // a host that reads everything answers only now
    };
    req.on('response', (res) => {
      answered = true;
      resolve({ status: res.statusCode!, sent });
      res.resume();
      req.destroy();
    });
    req.on('error', () => {
      if (!answered) resolve({ status: 0, sent });
    });
    pump();
  });
}

describe('the anonymous callback reads no body it will refuse', () => {
  it('answers 401 to a chunked body without a valid token, reading only what sits in the sockets', async () => {
    const res = await endlessPost({ authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(res.sent).toBeLessThan(IN_FLIGHT);
  });

  it('answers 401 before reading a body whose Content-Length is over the limit', async () => {
    const res = await endlessPost({ authorization: 'Bearer not-a-token', 'content-length': 95 * MiB });
    expect(res.status).toBe(401);
    expect(res.sent).toBeLessThan(IN_FLIGHT);
  });

  it('answers 413 for a Content-Length over the limit before reading, with a valid token', async () => {
    const token = await simulator.token();
    const res = await endlessPost({ authorization: `Bearer ${token}`, 'content-length': 95 * MiB });
    expect(res.status).toBe(413);
    expect(res.sent).toBeLessThan(IN_FLIGHT);
  });

  it('stops a chunked body at the limit (8 MiB) with 413, with a valid token', async () => {
    const token = await simulator.token();
    const res = await endlessPost({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(res.sent).toBeGreaterThan(8 * MiB);
    expect(res.sent).toBeLessThan(8 * MiB + IN_FLIGHT);
  });
});
