import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';

import { classifyAddress, isAllowedAddress } from '../net/addresses';

export interface PostResult {
  /** HTTP status, or 0 when no answer came (refused, reset, timed out, blocked address). */
  status: number;
  error?: string;
}

/**
 * POSTs JSON to a caller-supplied URL without letting it reach inside the network: every address
 * the host name resolves to is checked at connect time (so DNS rebinding cannot slip past a
 * check made earlier), redirects are not followed, and the whole exchange has a deadline.
 * With `allowLoopback` (local development), loopback addresses are allowed; private ones never.
 */
export function postJson(
  target: string,
  body: unknown,
  options: { timeoutMs: number; allowLoopback: boolean },
): Promise<PostResult> {
  const url = new URL(target);
  const allowed = (ip: string) => isAllowedAddress(ip, options.allowLoopback);
  // Node connects to an IP literal without a lookup, so a literal is judged here, before connecting.
  if (classifyAddress(url.hostname) && !allowed(url.hostname))
    return Promise.resolve({ status: 0, error: 'address not allowed' });
  if (url.protocol !== 'https:' && !(options.allowLoopback && url.protocol === 'http:')) {
    return Promise.resolve({ status: 0, error: 'scheme not allowed' });
  }

  const guardedLookup = (hostname: string, opts: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const blocked = addresses.find((a) => !allowed(a.address));
      if (blocked || addresses.length === 0) return callback(new Error('address not allowed'));
      const wantsAll = (opts as { all?: boolean }).all;
      return wantsAll ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': payload.length },
        lookup: guardedLookup as never,
        timeout: options.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('timed out')), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.on('close', () => clearTimeout(timer));
    req.end(payload);
  });
}
