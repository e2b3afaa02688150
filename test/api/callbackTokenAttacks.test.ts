import { randomUUID } from 'node:crypto';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startGraphSimulator } from '../../dev/simulator/graphSimulator';
import { type HostProcess, startHostProcess } from '../../dev/stack';
import { listOperations, newCallId, stack } from '../support/api';
import { operationNotification } from '../support/notifications';
import { simulator } from '../support/simulator';

// A host of its own, so its log can be read, with a long key-refresh cooldown so the rate limit shows,
// and no CALLBACK_ALLOWED_TENANTS: the default (GRAPH_TENANT_ID) applies.
let host: HostProcess;
beforeAll(async () => {
  host = await startHostProcess({
    env: { ...stack.hostEnv, CALLBACK_KEY_REFRESH_SECONDS: '30', CALLBACK_ALLOWED_TENANTS: '' },
  });
});
afterAll(() => host?.stop());

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({
  iss: 'https://api.botframework.com',
  aud: stack.appId,
  tid: stack.tenantId,
  iat: now(),
  nbf: now(),
  exp: now() + 3600,
});

async function currentJwks(): Promise<{ keys: Array<{ kid: string; n: string; e: string; kty: string }> }> {
  return (await fetch(`${stack.simulatorUrl}/keys`)).json() as never;
}
const keyFetches = async () =>
  ((await (await fetch(`${stack.simulatorUrl}/_sim/stats`)).json()) as { keyFetches: number }).keyFetches;

async function post(authorization: string | undefined) {
  const callId = newCallId();
  const res = await fetch(`${host.url}/api/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) },
    body: JSON.stringify(operationNotification({ callId, operationId: randomUUID(), status: 'completed' })),
  });
  return { status: res.status, body: await res.text(), callId };
}

const attacks: Array<[string, () => Promise<string | undefined>]> = [
  ['missing Authorization header', async () => undefined],
  ['wrong scheme (Basic)', async () => `Basic ${b64('user:pass')}`],
  ['Bearer with nothing after it', async () => 'Bearer '],
  ['alg none', async () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}.`],
  [
    'HS256 signed with the public key as the secret',
    async () => {
      const jwk = (await currentJwks()).keys[0]!;
      const secret = new TextEncoder().encode(JSON.stringify(jwk));
      return `Bearer ${await new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(secret)}`;
    },
  ],
  [
    'a key not in the JWKS, claiming a published kid',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const kid = (await currentJwks()).keys[0]!.kid;
      return `Bearer ${await new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey)}`;
    },
  ],
  [
    'a key not in the JWKS, with an unknown kid',
    async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      void (await exportJWK(publicKey));
      return `Bearer ${await new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256', kid: randomUUID() }).sign(privateKey)}`;
    },
  ],
  ['expired', async () => `Bearer ${await simulator.token({ lifetimeSeconds: -400 })}`],
  ['nbf 10 minutes in the future', async () => `Bearer ${await simulator.token({ nbf: now() + 600 })}`],
  ['wrong audience', async () => `Bearer ${await simulator.token({ aud: randomUUID() })}`],
  ['wrong issuer', async () => `Bearer ${await simulator.token({ iss: 'https://sts.windows.net/evil/' })}`],
  ['tenant not allowed', async () => `Bearer ${await simulator.token({ tid: randomUUID() })}`],
  ['no tenant while tenants are restricted', async () => `Bearer ${await simulator.token({ tid: null })}`],
  [
    'no expiry',
    async () => {
      const token = await simulator.token({});
      const [header, , signature] = token.split('.');
      const { exp: _exp, ...claims } = validClaims();
      return `Bearer ${header}.${b64(claims)}.${signature}`; // payload swapped: signature no longer matches either
    },
  ],
  [
    'a tampered payload',
    async () => {
      const [header, payload, signature] = (await simulator.token()).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      return `Bearer ${header}.${b64({ ...claims, tid: randomUUID() })}.${signature}`;
    },
  ],
  ['garbage base64', async () => 'Bearer %%%.@@@.!!!'],
  ['three dots of nothing', async () => 'Bearer ...'],
];

describe('callback token attacks', () => {
  it.each(attacks)('rejects %s with 401, stores nothing and logs no token', async (_name, forge) => {
    const authorization = await forge();
    const res = await post(authorization);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('Unauthorized');
    expect((await listOperations(res.callId)).status).toBe(404);
    const token = authorization?.split(' ')[1];
    if (token && token.length > 8) expect(host.lines.join('\n')).not.toContain(token);
    expect(host.lines.some((l) => l.includes('Callback rejected'))).toBe(true);
  });

  it("accepts only the app's own tenant by default, and refuses a token without tid", async () => {
    expect((await post(`Bearer ${await simulator.token({ tid: stack.tenantId })}`)).status).toBe(202);
    expect((await post(`Bearer ${await simulator.token({ tid: stack.otherAllowedTenantId })}`)).status).toBe(401);
    expect((await post(`Bearer ${await simulator.token({ tid: null })}`)).status).toBe(401);
  });

  it('refuses a 64 KB Authorization header before any code runs (431), storing nothing', async () => {
    const res = await post(`Bearer ${'A'.repeat(65_536)}`);
    expect(res.status).toBe(431); // Node's header limit, as the Functions host has its own
    expect((await listOperations(res.callId)).status).toBe(404);
  });

  it('accepts a valid token, and one with clock skew under 5 minutes', async () => {
    expect((await post(`Bearer ${await simulator.token()}`)).status).toBe(202);
    expect((await post(`Bearer ${await simulator.token({ nbf: now() + 240, iat: now() + 240 })}`)).status).toBe(202);
    expect((await post(`Bearer ${await simulator.token({ lifetimeSeconds: -240 })}`)).status).toBe(202);
  });

  it('starts the cooldown on a failed key fetch too: 503s while the keys cannot be read, one fetch per cooldown', async () => {
    // A key endpoint of its own to break, and a host that has no keys cached yet.
    const keysDown = await startGraphSimulator({ appId: stack.appId, tenantId: stack.tenantId });
    await fetch(`${keysDown.url}/_sim/settings`, { method: 'POST', body: JSON.stringify({ failKeys: true }) });
    const fresh = await startHostProcess({
      env: {
        ...stack.hostEnv,
        CALLBACK_OPENID_CONFIGURATION_URL: keysDown.openIdConfigurationUrl,
        CALLBACK_KEY_REFRESH_SECONDS: '30',
      },
    });
    const token = async () =>
      ((await (await fetch(`${keysDown.url}/_sim/token`, { method: 'POST', body: '{}' })).json()) as { token: string })
        .token;
    const fetches = async () =>
      ((await (await fetch(`${keysDown.url}/_sim/stats`)).json()) as { keyFetches: number }).keyFetches;
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${fresh.url}/api/notifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
          body: JSON.stringify(
            operationNotification({ callId: newCallId(), operationId: randomUUID(), status: 'running' }),
          ),
        });
        expect(res.status).toBe(503); // Graph delivers again later; nothing was judged
        expect(res.headers.get('retry-after')).toBeTruthy();
      }
      expect(await fetches()).toBe(1);
    } finally {
      await fresh.stop();
      await keysDown.close();
    }
  });

  it('re-fetches the keys at most once per cooldown, however many unknown kids arrive', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const before = await keyFetches();
    const forged = await Promise.all(
      Array.from({ length: 20 }, () =>
        new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256', kid: randomUUID() }).sign(privateKey),
      ),
    );
    for (const token of forged) expect((await post(`Bearer ${token}`)).status).toBe(401);
    expect((await keyFetches()) - before).toBeLessThanOrEqual(1);
  });
});
