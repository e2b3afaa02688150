import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalGuid } from '../../src/ids';
import { stableHash } from '../../src/operations/stableHash';
import { participantKey } from '../../src/roster/participantKey';
import { fromChunks, toChunks, ValueTooLargeError } from '../../src/storage/chunkedJson';
import { escapeKey, inviteContextRowKey, operationRowKey } from '../../src/storage/keys';

describe('GUID forms', () => {
  it('reads dashed and undashed GUIDs in any case as one canonical form', () => {
    expect(canonicalGuid('57DAB8B1894C409AB240BD8BEAE78896')).toBe('57dab8b1-894c-409a-b240-bd8beae78896');
    expect(canonicalGuid('57dab8b1-894c-409a-b240-BD8BEAE78896')).toBe('57dab8b1-894c-409a-b240-bd8beae78896');
    expect(canonicalGuid('not-a-guid')).toBeUndefined();
    expect(canonicalGuid('57dab8b1-894c-409a-b240-bd8beae7889')).toBeUndefined();
  });
});

describe('table keys', () => {
  // Any UTF-16 string, lone surrogates included (`unit: 'binary'`), as JSON's \uXXXX escapes can deliver.
  const anyText = (maxLength?: number) =>
    fc.oneof(
      fc.string({ unit: 'binary', maxLength }),
      fc.string({ maxLength }),
      fc.constantFrom('\ud800', 'a\udfffb', '\ufffd', '%uD800'),
    );

  it('escapes every character Table Storage forbids, lone surrogates too, and nothing collides with prefixed rows', () => {
    fc.assert(
      fc.property(anyText(300), (raw) => {
        const key = escapeKey(raw);
        expect(key).not.toMatch(/[/\\#?\p{Cc}]|\p{Cs}/u);
        expect(operationRowKey(raw).startsWith('ctx:')).toBe(false);
        expect(inviteContextRowKey(raw).startsWith('ctx:')).toBe(true);
      }),
    );
  });

  it('keeps distinct values distinct', () => {
    fc.assert(
      fc.property(anyText(), anyText(), (a, b) => {
        fc.pre(a !== b);
        return escapeKey(a) !== escapeKey(b);
      }),
    );
    expect(escapeKey('a/b')).not.toBe(escapeKey('a%2Fb'));
    expect(escapeKey('\ud800')).not.toBe(escapeKey('\ufffd'));
    expect(escapeKey('\ud800')).not.toBe(escapeKey('%uD800'));
  });

  it('replaces very long keys by a digest that stays under the key size limit', () => {
    const key = escapeKey('#'.repeat(1000));
    expect(key.length).toBeLessThan(100);
    expect(escapeKey('#'.repeat(1001))).not.toBe(key);
  });
});

describe('participant keys', () => {
  it('prefers the participant id, then identity kinds in the documented order', () => {
    expect(participantKey({ id: 'P-1', info: { identity: { user: { id: 'u' } } } })).toBe('P-1');
    expect(participantKey({ id: null, info: { identity: { phone: { id: '+1555' }, user: { id: 'U' } } } })).toBe(
      'user:U',
    );
    expect(participantKey({ id: null, info: { identity: { device: { id: 'd' }, guest: { id: 'g' } } } })).toBe(
      'guest:g',
    );
    expect(participantKey({ id: null, info: { identity: { user: null, acsUser: { id: 'a' } } } })).toBe('acsUser:a');
    expect(participantKey({ id: null, info: { identity: { user: { id: null } } } })).toBeUndefined();
  });

  it('canonicalises GUID ids so both forms give one key', () => {
    expect(participantKey({ info: { identity: { user: { id: '278405A3F5684B3EB684009193463064' } } } })).toBe(
      'user:278405a3-f568-4b3e-b684-009193463064',
    );
  });
});

describe('chunked JSON', () => {
  it('round-trips any JSON value through chunks of at most 32 000 UTF-16 units', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const props = toChunks('v', value);
        for (const [k, v] of Object.entries(props))
          if (k !== 'v_n') expect(String(v).length).toBeLessThanOrEqual(32_000);
        expect(fromChunks(props, 'v')).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('never splits a surrogate pair across chunks', () => {
    const value = 'a' + '😀'.repeat(40_000);
    const props = toChunks('v', value);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'v_n') continue;
      const s = String(v);
      expect(s.charCodeAt(s.length - 1) >= 0xd800 && s.charCodeAt(s.length - 1) <= 0xdbff).toBe(false);
    }
    expect(fromChunks(props, 'v')).toBe(value);
  });

  it('refuses a value that cannot fit in one entity', () => {
    expect(() => toChunks('v', 'x'.repeat(600_000))).toThrow(ValueTooLargeError);
  });
});

describe('request digest', () => {
  it('ignores key order', () => {
    expect(stableHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(stableHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
  });
});

import { VerifiedTokens } from '../../src/auth/verifiedTokens';

describe('verified token cache', () => {
  it('serves a verified token only within its validity (with skew), and stays bounded', () => {
    const cache = new VerifiedTokens<string>(300, 2);
    cache.remember('t1', 'claims-1', 1000, 2000);
    expect(cache.get('t1', 1500)).toBe('claims-1');
    expect(cache.get('t1', 701)).toBe('claims-1'); // nbf - skew
    expect(cache.get('t1', 600)).toBeUndefined();
    cache.remember('t1', 'claims-1', 1000, 2000);
    expect(cache.get('t1', 2299)).toBe('claims-1');
    expect(cache.get('t1', 2300)).toBeUndefined(); // expired beyond the skew: dropped
    expect(cache.get('t1', 1500)).toBeUndefined();
    cache.remember('a', 'A', 0, 9e9);
    cache.remember('b', 'B', 0, 9e9);
    cache.remember('c', 'C', 0, 9e9);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([undefined, 'B', 'C']);
  });
});

describe('table keys of long ill-formed text', () => {
  it('never share a digest with a well-formed value spelled like their escaped form', () => {
    const long = 'a'.repeat(400);
    expect(escapeKey(`\ud800${long}`)).not.toBe(escapeKey(`%uD800${long}`));
  });
});
