import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { type Identities, participant } from '../graphPayloads';
import { CallbackDelivery, type Delivery } from './callbackDelivery';
import { type Answer, CallLifecycle } from './callLifecycle';
import { type DeliveryQuirks, type Outcome, OUTCOMES, playInvite } from './invitePlayback';
import { type Invitee, inviteResponse } from './referencePayloads';
import { SigningKeys, type TokenClaims } from './signingKeys';

export type { Delivery } from './callbackDelivery';
export type { DeliveryQuirks, Outcome } from './invitePlayback';

export interface SimulatorOptions {
  port?: number;
  /** Where callbacks go for calls not created through the simulator (the service's /api/notifications). */
  defaultCallbackUrl?: string;
  /** The bot's app id: the `aud` of callback tokens. */
  appId: string;
  tenantId?: string;
  issuer?: string;
  /** Pause before each callback of an invite. */
  stepDelayMs?: number;
  /** How long an unanswered invitee rings (Graph: about 60 s). */
  ringTimeoutMs?: number;
  log?: (line: string) => void;
}

/** A fault the next invite or create-call request(s) get instead of a normal answer. */
export interface Fault {
  /** Which request gets it: an invite (the default) or `POST /communications/calls`. */
  target?: 'invite' | 'createCall';
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

/** A call the simulator knows: where its callbacks go and how its invites play out. */
export interface SimulatedCall {
  id: string;
  callbackUri?: string;
  /** false: answer invites but send no callbacks (a test sends its own). */
  autoCallbacks?: boolean;
  /** The status the invite answer reports (`Running` unless set, e.g. `Completed`: then no callbacks). */
  inviteStatus?: string;
  /** The operation id the next invite answer reports (a fresh one otherwise), so a test can send its callbacks first. */
  nextOperationId?: string;
  /** Outcome per invitee, by identity id; `defaultOutcome` (join) for the others. */
  outcomes?: Record<string, Outcome>;
  defaultOutcome?: Outcome;
  ringTimeoutMs?: number;
  stepDelayMs?: number;
  leaveAfterMs?: number;
  quirks?: DeliveryQuirks;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  at: string;
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

/** A change of someone in a call (`POST /_sim/participants`), by member key or identity. */
export interface ParticipantChange {
  callId: string;
  key?: string;
  identity?: Identities;
  action: 'join' | 'lobby' | 'leave' | 'mute' | 'unmute';
}

/** What each change other than leaving sets on the participant. */
const CHANGED: Record<Exclude<ParticipantChange['action'], 'leave'>, Json> = {
  join: { isInLobby: false },
  lobby: { isInLobby: true },
  mute: { isMuted: true },
  unmute: { isMuted: false },
};

const plainId = (id: string) => id.replace(/-/g, '').toLowerCase();
const identityIdOf = (invitee: Invitee) => Object.values(invitee.identity ?? {}).find((v) => v?.id)?.id ?? '';

/**
 * A stand-in for Microsoft Graph's calling API, reached through the real Graph client with only
 * the base URL changed. It answers invites as the reference pages show, then delivers the
 * callbacks that follow, each signed with its own key published as OpenID metadata + JWKS.
 * `/_sim/...` routes let tests and the demo shape calls, inject faults, read what happened,
 * and send callbacks of their own.
 */
export async function startGraphSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const keys = await SigningKeys.create();
  const log = options.log ?? (() => undefined);
  const issuer = options.issuer ?? 'https://api.botframework.com';
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const calls = new Map<string, SimulatedCall>();
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const stats = { keyFetches: 0 };
  const settings = {
    autoCallbacks: true,
    stepDelayMs: options.stepDelayMs ?? 100,
    ringTimeoutMs: options.ringTimeoutMs ?? 60_000,
    defaultCallbackUrl: options.defaultCallbackUrl ?? '',
    /** The JWKS endpoint answers 500 (the OpenID metadata still answers). */
    failKeys: false,
    /** Graph ends a created call left without keepAlive this long (45 minutes). */
    keepAliveTimeoutMs: 45 * 60_000,
  };
  const claims = (): TokenClaims => ({ iss: issuer, aud: options.appId, tid: tenantId, appid: options.appId });
  const delivery = new CallbackDelivery(keys, claims, () => settings.stepDelayMs);
  const lifecycle = new CallLifecycle(
    (url, payload) => delivery.deliver(url, payload),
    () => settings,
    { appId: options.appId, displayName: 'Calling Bot' },
    log,
  );
  const expiry = setInterval(() => lifecycle.expireIdle(), 200);
  expiry.unref();
  let baseUrl = '';

  const callOf = (callId: string) => calls.get(plainId(callId));
  const callbackUrlOf = (callId: string) => callOf(callId)?.callbackUri || settings.defaultCallbackUrl;

  /** Plays the first queued fault for this kind of request, if any; true when it answered (or hung up). */
  async function playFault(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: 'invite' | 'createCall',
    callId?: string,
  ) {
    const faultIndex = faults.findIndex(
      (f) =>
        (f.target ?? 'invite') === target &&
        (!f.callId || (callId !== undefined && plainId(f.callId) === plainId(callId))),
    );
    const fault = faults[faultIndex];
    if (!fault) return false;
    if (fault.times === undefined || --fault.times <= 0) faults.splice(faultIndex, 1);
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.status === 0) {
      req.socket.destroy();
      return true;
    }
    if (!fault.status || fault.status < 400) return false; // only late
    const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : undefined;
    sendJson(
      res,
      fault.status,
      graphError(fault.code ?? codeFor(fault.status), fault.message ?? 'Simulated failure.'),
      headers,
    );
    return true;
  }

  async function handleInvite(req: http.IncomingMessage, res: http.ServerResponse, callId: string, body: Json) {
    if (await playFault(req, res, 'invite', callId)) return;
    const invitees = Array.isArray(body.participants) ? (body.participants as Invitee[]) : [];
    const clientContext = typeof body.clientContext === 'string' ? body.clientContext : '';
    if (invitees.length < 1 || invitees.length > 5) {
      return sendJson(res, 400, graphError('BadRequest', 'Between 1 and 5 participants can be invited.'));
    }
    if (clientContext.length > 256) return sendJson(res, 400, graphError('BadRequest', 'clientContext is too long.'));
    const refused = lifecycle.refuseInvite(callId, invitees as unknown as Json[]);
    if (refused) return sendJson(res, refused.status, refused.body);
    const call = callOf(callId);
    const operationId = call?.nextOperationId ?? randomUUID();
    if (call) delete call.nextOperationId;
    const answer = inviteResponse(operationId, clientContext, invitees);
    if (call?.inviteStatus) answer.status = call.inviteStatus;
    sendJson(res, 200, answer, {
      Location: `${baseUrl}/v1.0/communications/calls/${callId}/operations/${operationId}`,
    });

    const target = callbackUrlOf(callId);
    if (!target || !settings.autoCallbacks || call?.autoCallbacks === false || call?.inviteStatus) return;
    void playInvite({
      callId,
      operationId,
      clientContext,
      invitees,
      outcomeOf: (invitee) => call?.outcomes?.[identityIdOf(invitee)] ?? call?.defaultOutcome ?? 'join',
      stepDelayMs: call?.stepDelayMs ?? settings.stepDelayMs,
      ringTimeoutMs: call?.ringTimeoutMs ?? settings.ringTimeoutMs,
      leaveAfterMs: call?.leaveAfterMs ?? settings.stepDelayMs * 3,
      quirks: call?.quirks ?? {},
      updateRoster: (id, change, path) => lifecycle.updateRoster(id, change, path),
      send: (payload) => delivery.deliver(target, payload),
    }).catch((err: unknown) => log(`[sim] playback failed: ${String(err)}`));
  }

  function configureCall(body: Json): SimulatedCall {
    const id = typeof body.id === 'string' ? body.id : randomUUID();
    for (const outcome of Object.values((body.outcomes as Record<string, string> | undefined) ?? {})) {
      if (!OUTCOMES.includes(outcome as Outcome))
        throw new Error(`unknown outcome ${outcome}; use ${OUTCOMES.join(', ')}`);
    }
    const call = { ...callOf(id), ...(body as Partial<SimulatedCall>), id };
    calls.set(plainId(id), call);
    return call;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const raw = await readText(req);
    let body: Json;
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      return sendJson(res, 400, graphError('BadRequest', 'Body is not JSON.'));
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (method === 'GET' && /^\/(v1\.0\/)?\.well-known\/openidconfiguration$/i.test(path)) {
      return sendJson(res, 200, {
        issuer,
        jwks_uri: `${baseUrl}/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (method === 'GET' && path === '/keys') {
      stats.keyFetches++;
      if (settings.failKeys)
        return sendJson(res, 500, graphError('InternalServerError', 'Simulated key endpoint failure.'));
      return sendJson(res, 200, keys.jwks());
    }

    const graph =
      /^\/(v1\.0|beta)\/communications\/calls(?:\/([^/]+)(?:\/(participants\/invite|participants\/[^/]+|keepAlive|reject|answer))?)?$/i.exec(
        path,
      );
    if (graph) {
      requests.push({ method, path, body, at: new Date().toISOString() });
      log(`[sim] ${method} ${path}`);
      const callId = graph[2] && decodeURIComponent(graph[2]);
      const action = graph[3]?.toLowerCase();
      const reply = (answer: Answer) => sendJson(res, answer.status, answer.body);
      if (method === 'POST' && callId && action === 'participants/invite') return handleInvite(req, res, callId, body);
      if (method === 'POST' && !callId) {
        if (await playFault(req, res, 'createCall')) return;
        const answer = lifecycle.create(body, settings.defaultCallbackUrl);
        const created = answer.body as { id?: string; callbackUri?: string };
        if (created.id) configureCall({ id: created.id, callbackUri: created.callbackUri });
        return reply(answer);
      }
      if (callId && method === 'POST' && action === 'keepalive') return reply(lifecycle.keepAlive(callId));
      if (callId && method === 'POST' && action === 'reject') return reply(lifecycle.reject(callId, body));
      if (callId && method === 'POST' && action === 'answer') return reply(lifecycle.answer(callId, body));
      if (callId && method === 'DELETE' && !action) return reply(lifecycle.hangUp(callId));
      if (callId && method === 'DELETE' && action?.startsWith('participants/')) {
        return reply(lifecycle.removeParticipant(callId, decodeURIComponent(graph[3]!.slice('participants/'.length))));
      }
    }

    // Control routes for tests and the demo.
    switch (`${method} ${path}`) {
      case 'GET /_sim/requests':
        return sendJson(res, 200, { requests });
      case 'GET /_sim/bot':
        // The bot's own participant, as every roster of a call it is in lists it.
        return sendJson(res, 200, { appId: options.appId, rosterKey: `application:${options.appId}` });
      case 'GET /_sim/stats':
        return sendJson(res, 200, stats);
      case 'GET /_sim/deliveries':
        return sendJson(res, 200, { deliveries: delivery.log });
      case 'POST /_sim/calls':
        try {
          return sendJson(res, 200, configureCall(body));
        } catch (err) {
          return sendJson(res, 400, graphError('BadRequest', err instanceof Error ? err.message : 'bad call settings'));
        }
      case 'POST /_sim/incoming': {
        // Someone calls the bot, or its resource account's number (`applicationInstanceId`): Graph notifies an `incoming` call.
        const target = typeof body.callbackUri === 'string' ? body.callbackUri : settings.defaultCallbackUrl;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const call = lifecycle.placeIncoming(target, {
          id: text(body.id),
          caller: body.caller as Identities | undefined,
          applicationInstanceId: text(body.applicationInstanceId),
        });
        return sendJson(res, 200, { id: call.id });
      }
      case 'POST /_sim/participants': {
        // Someone joins, waits in the lobby, (un)mutes or leaves: Graph sends the whole roster.
        const change = body as unknown as ParticipantChange;
        const callId = String(change.callId ?? '');
        const key = String(change.key ?? Object.values(change.identity ?? {})[0]?.id ?? '');
        if (!callId || !key)
          return sendJson(res, 400, graphError('BadRequest', 'callId and key (or identity) are required.'));
        const members = lifecycle.rosterOf(callId);
        const before = members.get(key);
        const entry = (extra: Json) =>
          ({ ...(before ?? participant(change.identity ?? { user: { id: key } })), ...extra }) as Json;
        const payload =
          change.action === 'leave'
            ? lifecycle.updateRoster(callId, { remove: [key] })
            : lifecycle.updateRoster(callId, { set: [[key, entry(CHANGED[change.action] ?? CHANGED.join)]] });
        const status = await delivery.deliver(callbackUrlOf(callId), payload);
        return sendJson(res, 200, { status, participants: [...members.values()] });
      }
      case 'POST /_sim/end-meeting': {
        const answer = lifecycle.endMeeting(String(body.callId ?? ''));
        return sendJson(res, answer.status, answer.body);
      }
      case 'DELETE /_sim/faults':
        faults.splice(0);
        return sendJson(res, 200, { queued: 0 });
      case 'POST /_sim/faults':
        faults.push(body as Fault);
        return sendJson(res, 200, { queued: faults.length });
      case 'POST /_sim/settings':
        Object.assign(settings, body);
        return sendJson(res, 200, settings);
      case 'POST /_sim/token': {
        const { lifetimeSeconds, ...overrides } = body;
        // A claim given as null is left out of the token (a token without `tid`, say).
        const signed = Object.fromEntries(Object.entries({ ...claims(), ...overrides }).filter(([, v]) => v !== null));
        const token = await keys.sign(
          signed as TokenClaims,
          typeof lifetimeSeconds === 'number' ? lifetimeSeconds : 3600,
        );
        return sendJson(res, 200, { token });
      }
      case 'POST /_sim/rotate-key':
        return sendJson(res, 200, { kid: await keys.rotate() });
      case 'POST /_sim/notify': {
        const target = typeof body.url === 'string' ? body.url : callbackUrlOf(String(body.callId ?? ''));
        const status = await delivery.deliver(
          target,
          body.payload,
          typeof body.token === 'string' ? body.token : undefined,
        );
        return sendJson(res, 200, { status });
      }
    }
    const live = /^\/_sim\/live\/([^/]+)$/.exec(path);
    if (method === 'GET' && live) {
      const call = lifecycle.get(decodeURIComponent(live[1]!));
      if (!call) return sendJson(res, 404, graphError('NotFound', 'No such call.'));
      return sendJson(res, 200, { ...call, members: [...call.members.values()] });
    }
    return sendJson(res, 404, graphError('NotFound', `No route ${method} ${path}.`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`[sim] error ${err instanceof Error ? err.stack : String(err)}`);
      sendJson(res, 500, graphError('InternalServerError', 'Simulator failure.'));
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
    deliveries: delivery.log,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(expiry);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function graphError(code: string, message: string): Json {
  return { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } };
}

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};
const codeFor = (status: number) => ERROR_CODES[status] ?? 'UnknownError';

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  // Graph answers every request with a request-id, which support asks for.
  res.writeHead(status, { 'Content-Type': 'application/json', 'request-id': randomUUID(), ...headers });
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
