import { randomBytes, randomUUID } from 'node:crypto';

import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';

import { CallbackTokenError } from '../../src/auth/callbackToken';
import { loadConfig } from '../../src/config';
import type { GraphGateway } from '../../src/graph/graphGateway';
import { KeyedBatches } from '../../src/keyedBatches';
import type { Logger } from '../../src/logger';
import { type HttpRouteName, httpRoutes } from '../../src/routes';
import { callTenantsFor, type Services } from '../../src/services';
import { MemoryOperationStore, MemoryRosterStore, MemoryWebhookQueue } from './memoryStores';

export const APP_ID = '11111111-2222-3333-4444-555555555555';
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const GOOD_TOKEN = 'Bearer in-process-token';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public ms = Date.parse('2026-11-26T10:00:00.000Z')) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

/** What a stand-in Graph does with one invite: answer with an operation, or throw (a domain error). */
export type GraphAnswer = (request: { callId: string; body: Record<string, unknown> }) => Promise<unknown>;

/**
 * Graph answering invites as the script says (the last answer repeats), and its other calls as
 * `answers` says (each a queue; success when empty), recording every request it was sent.
 */
export function scriptedGraph(...script: GraphAnswer[]) {
  const sent: Array<{ callId: string; body: Record<string, unknown> }> = [];
  const requests: Array<{ method: string; callId?: string; body?: unknown }> = [];
  const answers: Record<
    'createCall' | 'deleteCall' | 'keepAlive' | 'answerCall' | 'rejectCall' | 'removeParticipant',
    GraphAnswer[]
  > = {
    createCall: [],
    deleteCall: [],
    keepAlive: [],
    answerCall: [],
    rejectCall: [],
    removeParticipant: [],
  };
  const answer = (method: keyof typeof answers, request: { callId: string; body: Record<string, unknown> }) => {
    requests.push({ method, ...request });
    return (answers[method].shift() ?? (async () => undefined))(request);
  };
  const gateway: GraphGateway = {
    async inviteParticipants(callId, body) {
      sent.push({ callId, body: structuredClone(body) });
      const next = script[Math.min(sent.length - 1, script.length - 1)] ?? accepts();
      return { operation: await next({ callId, body }), requestId: randomUUID() };
    },
    async createCall(body) {
      const call = (await answer('createCall', { callId: '', body })) ?? {
        id: randomUUID(),
        state: 'establishing',
        ...body,
      };
      return { call, requestId: randomUUID() };
    },
    deleteCall: async (callId) => void (await answer('deleteCall', { callId, body: {} })),
    keepAlive: async (callId) => void (await answer('keepAlive', { callId, body: {} })),
    answerCall: async (callId, body) => void (await answer('answerCall', { callId, body })),
    rejectCall: async (callId, reason) => void (await answer('rejectCall', { callId, body: { reason } })),
    removeParticipant: async (callId, participantId) =>
      void (await answer('removeParticipant', { callId, body: { participantId } })),
  };
  return { gateway, sent, requests, answers };
}

/** Graph accepting an invite: `Running` under the given (or a fresh) id, after `delayMs`. */
export const accepts =
  (options: { id?: string; status?: string; delayMs?: number } = {}): GraphAnswer =>
  async ({ body }) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    return {
      id: options.id ?? randomUUID(),
      status: options.status ?? 'Running',
      clientContext: body.clientContext,
      participants: body.participants,
    };
  };

/** Graph failing an invite with the given error. */
export const fails =
  (error: Error): GraphAnswer =>
  async () => {
    throw error;
  };

export const silentLog: Logger & { lines: string[] } = {
  lines: [],
  info(...args) {
    this.lines.push(args.join(' '));
  },
  warn(...args) {
    this.lines.push(args.join(' '));
  },
  error(...args) {
    this.lines.push(args.join(' '));
  },
};

export type MemoryServices = Services & {
  operations: MemoryOperationStore;
  roster: MemoryRosterStore;
  calls: MemoryRosterStore;
  eventSubscriptions: MemoryRosterStore;
  webhooks: MemoryWebhookQueue;
};

const PAGING_KEY = randomBytes(32);

/**
 * The services of the app on in-memory stores, a stand-in Graph, a callback-token check that
 * accepts GOOD_TOKEN, and a clock of the test's: what the handlers and use cases run on in process.
 */
export function memoryServices(
  options: { graph?: GraphGateway; clock?: TestClock; env?: Record<string, string> } = {},
): MemoryServices {
  const config = loadConfig({
    ALLOW_LOOPBACK_URLS: 'true',
    GRAPH_CLIENT_ID: APP_ID,
    GRAPH_TENANT_ID: TENANT_ID,
    GRAPH_TIMEOUT_SECONDS: '2',
    ...options.env,
  });
  const graph = options.graph ?? scriptedGraph().gateway;
  const rosters = new MemoryRosterStore();
  const notInMemory = async () => {
    throw new Error('the in-memory services have no Table clients');
  };
  return {
    config,
    tables: Object.assign(notInMemory, { forget() {} }),
    checkStorage: async () => undefined,
    operations: new MemoryOperationStore(),
    roster: rosters,
    calls: rosters,
    eventSubscriptions: rosters,
    webhooks: new MemoryWebhookQueue(),
    graph: async () => graph,
    pagingKey: Object.assign(async () => PAGING_KEY, { forget() {} }),
    callTenants: callTenantsFor(config, rosters),
    callbackTokens: {
      async validate(authorization) {
        if (authorization !== GOOD_TOKEN) throw new CallbackTokenError('not the test token');
        return { issuer: 'https://api.botframework.com', tenantId: TENANT_ID, appId: APP_ID };
      },
    },
    rosterWrites: new KeyedBatches(),
    now: (options.clock ?? new TestClock()).now,
  };
}

export interface InProcessResponse {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * Calls the handler of a route of the table in process, with a real HttpRequest and
 * InvocationContext, as the Functions host would: the handler's module is loaded by the row.
 */
export async function invoke(
  name: HttpRouteName,
  request: {
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<InProcessResponse> {
  const row = httpRoutes.find((r) => r.name === name)!;
  const params = request.params ?? {};
  const path = row.route.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(params[p] ?? ''));
  const url = new URL(`http://localhost:7071/api/${path}`);
  for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
  const text = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const req = new HttpRequest({
    method: row.methods[0],
    url: url.toString(),
    headers: { 'content-type': 'application/json', ...request.headers },
    params,
    query: Object.fromEntries(url.searchParams),
    body: text === undefined ? undefined : { string: text },
  });
  const context = new InvocationContext({
    functionName: name,
    traceContext: { traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    logHandler: (_level, ...args) => silentLog.lines.push(args.map(String).join(' ')),
  });
  const { handler } = await row.load();
  const response = new HttpResponse(await handler(req, context));
  const body = await response.text();
  return { status: response.status, headers: response.headers, body: body ? JSON.parse(body) : undefined };
}
