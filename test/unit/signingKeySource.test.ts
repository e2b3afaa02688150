import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';

import { SigningKeySource, SigningKeysUnavailableError } from '../../src/auth/signingKeySource';

const METADATA = 'https://keys.example.com/.well-known/openid-configuration';
const HOUR = 3600_000;

/** A key endpoint whose answers the test controls, counting what it is asked. */
async function keyEndpoint() {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const state = { clock: 0, failing: false, metadataReads: 0, keyReads: 0, jwksUri: 'https://keys.example.com/jwks' };
  const fakeFetch = (async (url: string) => {
    if (url === METADATA) {
      state.metadataReads++;
      return Response.json({ jwks_uri: state.jwksUri });
    }
    state.keyReads++;
    return state.failing ? new Response('down', { status: 500 }) : Response.json({ keys: [jwk] });
  }) as typeof fetch;
  const source = new SigningKeySource({
    openIdConfigurationUrl: METADATA,
    allowLoopback: false,
    cooldownMs: 30_000,
    maxAgeMs: 24 * HOUR,
    fetchTimeoutMs: 1000,
    fetch: fakeFetch,
    now: () => state.clock,
  });
  const keyFor = async (kid: string) => source.getKey({ alg: 'RS256', kid }, { payload: '', signature: '' } as never);
  return { state, source, keyFor };
}

describe('signing keys of callback tokens', () => {
  it('reads the metadata and keys once, then again when they are a day old', async () => {
    const { state, keyFor } = await keyEndpoint();
    await keyFor('k1');
    await keyFor('k1');
    expect([state.metadataReads, state.keyReads]).toEqual([1, 1]);
    state.clock += 23 * HOUR;
    await keyFor('k1');
    expect(state.metadataReads).toBe(1);
    state.clock += 2 * HOUR;
    await keyFor('k1');
    expect([state.metadataReads, state.keyReads]).toEqual([2, 2]);
  });

  it('reads the metadata again for an unknown kid, at most once per cooldown', async () => {
    const { state, keyFor } = await keyEndpoint();
    await keyFor('k1');
    state.clock += 31_000;
    for (let i = 0; i < 5; i++)
      await expect(keyFor(`unknown-${i}`)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect([state.metadataReads, state.keyReads]).toEqual([2, 2]);
  });

  it('starts the cooldown on a failed read, keeps serving the keys it had, and 503s what it cannot judge', async () => {
    const { state, keyFor } = await keyEndpoint();
    await keyFor('k1');
    state.failing = true;
    state.clock += 25 * HOUR; // due for its daily read, which fails
    await expect(keyFor('k1')).resolves.toBeDefined(); // the keys it had still serve
    for (let i = 0; i < 5; i++) await expect(keyFor('rotated')).rejects.toBeInstanceOf(SigningKeysUnavailableError);
    expect(state.keyReads).toBe(2);
    state.failing = false;
    state.clock += 31_000;
    await expect(keyFor('rotated')).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(state.keyReads).toBe(3);
  });

  it('answers 503 (keys unavailable) without fetching again while the first read failed', async () => {
    const { state, keyFor } = await keyEndpoint();
    state.failing = true;
    for (let i = 0; i < 5; i++) await expect(keyFor('k1')).rejects.toBeInstanceOf(SigningKeysUnavailableError);
    expect(state.keyReads).toBe(1);
  });
});
