import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { callbackUrlProblem, classifyAddress, classifyHost, settingUrlProblem } from '../../src/net/addresses';

// Every IPv4 block a webhook may not reach, as [first octets, prefix length, class].
const REFUSED_V4: Array<[number[], number, 'loopback' | 'internal']> = [
  [[127], 8, 'loopback'],
  [[10], 8, 'internal'],
  [[172, 16], 12, 'internal'],
  [[192, 168], 16, 'internal'],
  [[169, 254], 16, 'internal'], // link-local, the metadata address 169.254.169.254 among them
  [[100, 64], 10, 'internal'], // carrier-grade NAT
  [[0], 8, 'internal'],
  [[198, 18], 15, 'internal'], // benchmarking
  [[224], 4, 'internal'], // multicast
  [[240], 4, 'internal'], // reserved, broadcast included
  [[168, 63, 129, 16], 32, 'internal'], // Azure's wire server
];

/** A random address inside a block. */
const inBlock = ([octets, prefix]: [number[], number, unknown]) =>
  fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => {
    const base = octets
      .concat([0, 0, 0, 0])
      .slice(0, 4)
      .reduce((a, o) => a * 256 + o, 0);
    const n = (base & ~(2 ** (32 - prefix) - 1)) + offset;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  });

const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
/** Every way to write an IPv4 address, alone or inside an IPv6 one, that routes to it. */
const notations = (o: number[]): string[] => {
  const [a, b, c, d] = o as [number, number, number, number];
  const dotted = o.join('.');
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return [
    dotted,
    String(n), // 2130706433
    `0x${n.toString(16)}`,
    `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
    `::ffff:${dotted}`,
    `::ffff:${hex(a, b)}:${hex(c, d)}`,
    `0:0:0:0:0:ffff:${hex(a, b)}:${hex(c, d)}`,
    `0000:0000:0000:0000:0000:FFFF:${hex(a, b).toUpperCase()}:${hex(c, d)}`,
    `::${dotted}`, // IPv4-compatible
    `::ffff:0:${dotted}`, // IPv4-translated
    `64:ff9b::${dotted}`, // NAT64
    `64:ff9b::${hex(a, b)}:${hex(c, d)}`,
    `2002:${hex(a, b)}:${hex(c, d)}::1`, // 6to4
  ];
};

describe('address classes (one module for every address rule)', () => {
  it('classifies every notation of every refused IPv4 block as its class, bracketed in a URL too', () => {
    for (const block of REFUSED_V4) {
      fc.assert(
        fc.property(inBlock(block), (octets) => {
          for (const form of notations(octets)) {
            expect(classifyAddress(form), form).toBe(block[2]);
            if (form.includes(':')) {
              const url = new URL(`https://[${form}]/h`);
              // The one overlap: the URL parser writes ::0.0.0.1 as IPv6's own loopback ::1 (refused either way).
              const want = url.hostname === '[::1]' ? 'loopback' : block[2];
              expect(classifyHost(url.hostname), `${form} as ${url.hostname}`).toBe(want);
              expect(callbackUrlProblem(url, true), url.href).toEqual(
                want === 'loopback' ? undefined : expect.any(String),
              );
            }
          }
        }),
        { numRuns: 200 },
      );
    }
  });

  it('allows public IPv4 addresses in every notation, and public IPv6', () => {
    for (const ip of ['8.8.8.8', '20.50.2.1', '172.32.0.1', '100.128.0.1', '198.20.0.1', '168.63.129.17']) {
      for (const form of notations(ip.split('.').map(Number))) expect(classifyAddress(form), form).toBe('public');
    }
    for (const ip of ['2001:4860:4860::8888', '2606:4700::1111', '[2a01:111:f400::1]'])
      expect(classifyAddress(ip), ip).toBe('public');
  });

  it('refuses internal IPv6 blocks and anything with a zone id', () => {
    const cases: Record<string, string> = {
      '::1': 'loopback',
      '0:0:0:0:0:0:0:1': 'loopback',
      '::': 'internal',
      'fe80::1': 'internal',
      'fe80::1%eth0': 'internal',
      'febf::1': 'internal',
      'fec0::1': 'internal',
      'fc00::1': 'internal',
      'fdff:ffff::1': 'internal',
      'ff02::1': 'internal',
      '64:ff9b:1::a00:1': 'internal', // local-use NAT64, embedding not fixed
      '2001:0:4136:e378:8000:63bf:3fff:fdd2': 'internal', // Teredo
      '2001:db8::1': 'internal',
      '100::1': 'internal',
    };
    for (const [ip, kind] of Object.entries(cases)) expect(classifyAddress(ip), ip).toBe(kind);
  });

  it('treats localhost names as loopback and other names as names', () => {
    for (const host of ['localhost', 'LOCALHOST', 'api.localhost', 'localhost.'])
      expect(classifyHost(host), host).toBe('loopback');
    for (const host of ['example.com', 'localhost.example.com', 'mylocalhost'])
      expect(classifyHost(host), host).toBe('name');
    expect(classifyAddress('example.com')).toBeUndefined();
  });

  it('ALLOW_LOOPBACK_URLS relaxes loopback only, never private or link-local addresses', () => {
    expect(callbackUrlProblem(new URL('http://127.0.0.1:8080/h'), true)).toBeUndefined();
    expect(callbackUrlProblem(new URL('http://[::ffff:7f00:1]/h'), true)).toBeUndefined();
    expect(callbackUrlProblem(new URL('http://127.0.0.1:8080/h'), false)).toBe('must be an https URL');
    expect(callbackUrlProblem(new URL('https://127.0.0.1/h'), false)).toMatch(/loopback/);
    for (const url of [
      'https://10.0.0.1/',
      'https://[::ffff:a9fe:a9fe]/',
      'http://10.0.0.1/',
      'https://169.254.169.254/',
    ]) {
      expect(callbackUrlProblem(new URL(url), true), url).toEqual(expect.any(String));
    }
    expect(callbackUrlProblem(new URL('https://user:pw@example.com/'), false)).toMatch(/credentials/);
    expect(callbackUrlProblem(new URL('https://example.com/h'), false)).toBeUndefined();
  });

  it('accepts setting URLs that are https, or http on loopback only when allowed', () => {
    expect(settingUrlProblem('https://graph.microsoft.com/v1.0', false)).toBeUndefined();
    expect(settingUrlProblem('http://127.0.0.1:1234/v1.0', true)).toBeUndefined();
    expect(settingUrlProblem('http://127.0.0.1:1234/v1.0', false)).toBe('must be an https URL');
    expect(settingUrlProblem('http://10.0.0.1/v1.0', true)).toBe('must be https, or http on a loopback address');
    expect(settingUrlProblem('not a url', true)).toBe('must be an absolute URL');
  });
});
