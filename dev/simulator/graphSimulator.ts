import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigningKeys, type TokenClaims } from './signingKeys';
import { inviteResponse, operationNotification, rosterNotification, type Invitee } from './referencePayloads';

export interface SimulatorOptions {
  port?: number;
  /** Where callbacks go for calls not created through the simulator (the service's /api/notifications). */
  defaultCallbackUrl?: string;
  /** The bot's app id: the `aud` of callback tokens. */
  appId: string;
  tenantId?: string;
  issuer?: string;
  /** Pause between the callbacks of one invite. */
  callbackDelayMs?: number;
  log?: (line: string) => void;
}

/** A fault the next invite request(s) get instead of a normal answer. */
export interface Fault {
  /** Only invites into this call get the fault (any GUID form); all invites when absent. */
  callId?: string;
  status?: number;
  retryAfter?: number;
  code?: string;
  message?: string;
  /** Answer this late (ms); with `status` 0 the connection is destroyed instead of answered. */
  delayMs?: number;
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  at: string;
}

export interface Delivery {
  url: string;
  status: number;
  payload: unknown;
}

export interface RunningSimulator {
  url: string;
  graphBaseUrl: string;
  openIdConfigurationUrl: string;
  keys: SigningKeys;
  requests: RecordedRequest[];
  deliveries: Delivery[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** A call the simulator knows: where its callbacks go and how its invites behave. */
interface SimulatedCall {
  id: string;
  callbackUri?: string;
  /** false: answer invites but send no callbacks (a test sends its own). */
  autoCallbacks?: boolean;
  /** The status the invite answer reports (`Running` unless set, e.g. `Completed`). */
  inviteStatus?: string;
}

const sameCall = (a: string, b: string) => a.replace(/-/g, '').toLowerCase() === b.replace(/-/g, '').toLowerCase();

/**
 * A stand-in for Microsoft Graph's calling API, reached through the real Graph client with only
 * the base URL changed. It answers invites as the reference pages show, then delivers the
 * callbacks that follow, each signed with its own key published as OpenID metadata + JWKS.
 * `/_sim/...` routes let tests and the demo inject faults, read what happened, and send callbacks.
 */
export async function startGraphSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const keys = await SigningKeys.create();
  const log = options.log ?? (() => undefined);
  const issuer = options.issuer ?? 'https://api.botframework.com';
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const calls = new Map<string, SimulatedCall>();
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const deliveries: Delivery[] = [];
  const settings = { autoCallbacks: true, callbackDelayMs: options.callbackDelayMs ?? 100, defaultCallbackUrl: options.defaultCallbackUrl ?? '' };
  let baseUrl = '';

  const claims = (): TokenClaims => ({ iss: issuer, aud: options.appId, tid: tenantId, appid: options.appId });

  async function deliver(url: string, payload: unknown, token?: string): Promise<number> {
    const bearer = token ?? (await keys.sign(claims()));
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
          body: JSON.stringify(payload),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      deliveries.push({ url, status, payload });
      // Graph redelivers when the endpoint fails; a few tries are enough here.
      if ((status >= 200 && status < 500) || attempt >= 3 || token !== undefined) return status;
      await sleep(settings.callbackDelayMs * attempt);
    }
  }

  const callOf = (callId: string) => [...calls.values()].find((c) => sameCall(c.id, callId));
  const callbackUrlOf = (callId: string) => callOf(callId)?.callbackUri || settings.defaultCallbackUrl;

  async function playInvite(callId: string, operationId: string, clientContext: string, invitees: Invitee[]) {
    const target = callbackUrlOf(callId);
    if (!target) return;
    const rosterCall = invitees.length === 1 && invitees[0]?.replacesCallId ? invitees[0].replacesCallId : callId;
    const steps: Json[] = [
      operationNotification({ callId, operationId, clientContext, invitees, status: 'running' }),
      rosterNotification({
        callId: rosterCall,
        invitees,
        resourceStyle: rosterCall !== callId ? 'communications' : invitees.length > 1 ? 'operations' : 'app',
      }),
      operationNotification({ callId, operationId, clientContext, invitees, status: 'completed' }),
    ];
    for (const step of steps) {
      await sleep(settings.callbackDelayMs);
      await deliver(target, step);
    }
  }

  async function handleInvite(req: http.IncomingMessage, res: http.ServerResponse, callId: string, body: Json) {
    const faultIndex = faults.findIndex((f) => !f.callId || sameCall(f.callId, callId));
    const fault = faults[faultIndex];
    if (fault) {
      if (fault.times === undefined || --fault.times <= 0) faults.splice(faultIndex, 1);
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.status === 0) return req.socket.destroy();
      if (fault.status && fault.status >= 400) {
        return sendJson(res, fault.status, graphError(fault.code ?? codeFor(fault.status), fault.message ?? 'Simulated failure.'), {
          ...(fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {}),
        });
      }
    }
    const invitees = Array.isArray(body.participants) ? (body.participants as Invitee[]) : [];
    const clientContext = typeof body.clientContext === 'string' ? body.clientContext : '';
    if (invitees.length < 1 || invitees.length > 5) {
      return sendJson(res, 400, graphError('BadRequest', 'Between 1 and 5 participants can be invited.'));
    }
    if (clientContext.length > 256) return sendJson(res, 400, graphError('BadRequest', 'clientContext is too long.'));
    const operationId = randomUUID();
    const call = callOf(callId);
    const answer = inviteResponse(operationId, clientContext, invitees);
    if (call?.inviteStatus) answer.status = call.inviteStatus;
    sendJson(res, 200, answer, {
      Location: `${baseUrl}/v1.0/communications/calls/${callId}/operations/${operationId}`,
    });
    if (settings.autoCallbacks && call?.autoCallbacks !== false && !call?.inviteStatus) {
      void playInvite(callId, operationId, clientContext, invitees);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const raw = await readText(req);
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      return sendJson(res, 400, graphError('BadRequest', 'Body is not JSON.'));
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (!path.startsWith('/_sim/') && !path.includes('well-known') && path !== '/keys') {
      requests.push({ method, path, body, at: new Date().toISOString() });
      log(`[sim] ${method} ${path}`);
    }

    if (method === 'GET' && /^\/(v1\.0\/)?\.well-known\/openidconfiguration$/i.test(path)) {
      return sendJson(res, 200, { issuer, jwks_uri: `${baseUrl}/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (method === 'GET' && path === '/keys') return sendJson(res, 200, keys.jwks());

    const graph = /^\/(v1\.0|beta)\/communications\/calls(?:\/([^/]+)(\/participants\/invite)?)?$/i.exec(path);
    if (graph && method === 'POST' && graph[2] && graph[3]) return handleInvite(req, res, decodeURIComponent(graph[2]), body);
    if (graph && method === 'POST' && !graph[2]) {
      const id = randomUUID();
      const callbackUri = typeof body.callbackUri === 'string' ? body.callbackUri : settings.defaultCallbackUrl;
      calls.set(id.replace(/-/g, ''), { id, callbackUri });
      return sendJson(res, 201, { '@odata.type': '#microsoft.graph.call', ...body, id, state: 'establishing', callbackUri });
    }

    // Control routes for tests and the demo.
    if (path === '/_sim/requests' && method === 'GET') return sendJson(res, 200, { requests });
    if (path === '/_sim/requests' && method === 'DELETE') {
      requests.length = 0;
      deliveries.length = 0;
      return sendJson(res, 200, {});
    }
    if (path === '/_sim/deliveries' && method === 'GET') return sendJson(res, 200, { deliveries });
    if (path === '/_sim/calls' && method === 'POST') {
      const id = typeof body.id === 'string' ? body.id : randomUUID();
      calls.set(id.replace(/-/g, '').toLowerCase(), { ...callOf(id), ...(body as Partial<SimulatedCall>), id });
      return sendJson(res, 200, callOf(id));
    }
    if (path === '/_sim/faults' && method === 'POST') {
      faults.push(body as Fault);
      return sendJson(res, 200, { queued: faults.length });
    }
    if (path === '/_sim/faults' && method === 'DELETE') {
      faults.length = 0;
      return sendJson(res, 200, {});
    }
    if (path === '/_sim/settings' && method === 'POST') {
      Object.assign(settings, body);
      return sendJson(res, 200, settings);
    }
    if (path === '/_sim/token' && method === 'POST') {
      const lifetime = typeof body.lifetimeSeconds === 'number' ? body.lifetimeSeconds : 3600;
      const { lifetimeSeconds: _l, ...overrides } = body;
      return sendJson(res, 200, { token: await keys.sign({ ...claims(), ...overrides } as TokenClaims, lifetime) });
    }
    if (path === '/_sim/rotate-key' && method === 'POST') return sendJson(res, 200, { kid: await keys.rotate() });
    if (path === '/_sim/notify' && method === 'POST') {
      const target = typeof body.url === 'string' ? body.url : callbackUrlOf(String(body.callId ?? ''));
      const status = await deliver(target, body.payload, typeof body.token === 'string' ? body.token : undefined);
      return sendJson(res, 200, { status });
    }
    return sendJson(res, 404, graphError('NotFound', `No route ${method} ${path}.`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`[sim] error ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, graphError('InternalServerError', 'Simulator failure.'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    graphBaseUrl: `${baseUrl}/v1.0`,
    openIdConfigurationUrl: `${baseUrl}/v1.0/.well-known/OpenIdConfiguration`,
    keys,
    requests,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function graphError(code: string, message: string): Json {
  return { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } };
}

function codeFor(status: number): string {
  return (
    { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' }[status] ?? 'UnknownError'
  );
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readText(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
