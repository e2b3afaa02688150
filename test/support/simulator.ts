import type { Fault } from '../../dev/simulator/graphSimulator';
import { stack } from './api';

async function sim<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.simulatorUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

export const simulator = {
  fault: (fault: Fault) => sim('POST', '/_sim/faults', fault),
  configureCall: (call: {
    id: string;
    autoCallbacks?: boolean;
    inviteStatus?: string;
    callbackUri?: string;
    nextOperationId?: string;
  }) => sim('POST', '/_sim/calls', call),
  /** Graph requests the simulator received for this call (any GUID form of the id). */
  async invitesFor(callId: string): Promise<Array<{ method: string; path: string; body: any }>> {
    const { requests } = await sim<{ requests: Array<{ method: string; path: string; body: any }> }>(
      'GET',
      '/_sim/requests',
    );
    const plain = callId.replace(/-/g, '').toLowerCase();
    return requests.filter((r) =>
      r.path.replace(/-/g, '').toLowerCase().includes(`/calls/${plain}/participants/invite`),
    );
  },
  /** A callback token signed by the simulator's current key; claims may be overridden. */
  token: async (claims: Record<string, unknown> = {}) =>
    (await sim<{ token: string }>('POST', '/_sim/token', claims)).token,
  rotateKey: async () => (await sim<{ kid: string }>('POST', '/_sim/rotate-key')).kid,
};

/** Posts a commsNotifications body to the service the way Graph does, with a signed token. */
export async function postNotifications(
  payload: unknown,
  options: { token?: string | null; raw?: string; baseUrl?: string } = {},
) {
  const token = options.token === undefined ? await simulator.token() : options.token;
  const res = await fetch(`${options.baseUrl ?? stack.hostUrl}/api/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: options.raw ?? JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as any) : undefined };
}
