import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';

import type { Registration } from './functionsCore';
import { newInvocationContext } from './invocations';
import { compileRoute, type RouteTemplate } from './routeTemplate';

export interface HttpFunction {
  name: string;
  route: RouteTemplate;
  methods: string[];
  authLevel: string;
  binding: Record<string, unknown>;
  handler: Registration['handler'];
}

export interface LocalHostOptions {
  registrations: Registration[];
  routePrefix: string;
  functionKey: string;
  port: number;
  host?: string;
  /** The Azure host refuses bodies over 100 MB by default; so does this one. */
  maxBodyBytes?: number;
  /**
   * The app asked for HTTP streaming (`app.setup({ enableHttpStream: true })`, the worker capability
   * `HttpUri`): handlers get the body as a stream and read it themselves, as many bytes as they choose.
   * Otherwise the host reads the whole body before the handler runs.
   */
  streaming?: boolean;
  log?: (line: string) => void;
}

export interface RunningHost {
  url: string;
  functions: HttpFunction[];
  close(): Promise<void>;
}

/** Route prefixes the Functions host keeps for itself: a function whose route starts with one is refused. */
const RESERVED_ROUTES = /^\/?(admin|runtime)(\/|$)/i;

export function httpFunctions(registrations: Registration[]): HttpFunction[] {
  return registrations.flatMap(({ metadata, handler }) => {
    const trigger = Object.values(metadata.bindings).find((b) => b.type.toLowerCase() === 'httptrigger');
    if (!trigger) return [];
    const route = String(trigger.route ?? metadata.name);
    if (RESERVED_ROUTES.test(route))
      throw new Error(
        `The function ${metadata.name}: routes under 'admin' and 'runtime' are the host's own (${route}).`,
      );
    return [
      {
        name: metadata.name,
        route: compileRoute(route),
        methods: ((trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
        authLevel: String(trigger.authLevel ?? 'anonymous').toLowerCase(),
        binding: trigger,
        handler,
      },
    ];
  });
}

/**
 * A new W3C traceparent. Its ids come from randomUUID, which draws on a pooled buffer: two small
 * randomBytes calls per request were two getrandom system calls.
 */
function newTraceParent() {
  const traceId = randomUUID().replaceAll('-', '');
  const spanId = randomUUID().replaceAll('-', '').slice(0, 16);
  return `00-${traceId}-${spanId}-01`;
}

const envelope = (code: string, message: string) => JSON.stringify({ error: { code, message, details: [] } });

function keyMatches(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serves the registered HTTP functions the way the Functions host does, on one port. */
export async function startLocalHost(options: LocalHostOptions): Promise<RunningHost> {
  const functions = httpFunctions(options.registrations);
  const prefix = options.routePrefix.replace(/^\/|\/$/g, '');
  const maxBody = options.maxBodyBytes ?? 100 * 1024 * 1024;
  const log = options.log ?? ((line: string) => console.log(line));

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`[error] host: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `127.0.0.1:${options.port}`}`);
    const segments = url.pathname.split('/').filter(Boolean);
    if (prefix && segments.shift()?.toLowerCase() !== prefix.toLowerCase())
      return send(res, 404, envelope('NotFound', 'No such route.'));

    const matches = functions.flatMap((fn) => {
      const params = fn.route.match(segments);
      return params ? [{ fn, params }] : [];
    });
    if (matches.length === 0) return send(res, 404, envelope('NotFound', 'No such route.'));
    const method = (req.method ?? 'GET').toUpperCase();
    const found = matches.find((m) => m.fn.methods.includes(method));
    if (!found) {
      const allow = [...new Set(matches.flatMap((m) => m.fn.methods))].join(', ');
      return send(res, 405, envelope('MethodNotAllowed', `Use ${allow} on this route.`), { Allow: allow });
    }
    const { fn, params } = found;
    if (fn.authLevel !== 'anonymous') {
      const given = (req.headers['x-functions-key'] as string | undefined) ?? url.searchParams.get('code');
      if (!keyMatches(given, options.functionKey)) return send(res, 401, '');
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let request: HttpRequest;
    if (options.streaming) {
      if (Number(req.headers['content-length'] ?? 0) > maxBody) return send(res, 413, '');
      request = streamedRequest(req, url, method, headers, params);
      // A body the handler left unread is drained for a moment after the answer, then the connection
      // is closed, as Kestrel does, so a sender that never stops costs nothing after that.
      res.once('finish', () => {
        if (!req.complete) setTimeout(() => !req.complete && req.socket.destroy(), 1000).unref();
      });
    } else {
      const body = await readBody(req, maxBody);
      if (body === 'too-large') return send(res, 413, '');
      request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        params,
        query: hostQuery(url.searchParams),
        // The host hands the worker no body for a request without Content-Length (a chunked one).
        body: body.length && req.headers['content-length'] !== undefined ? { bytes: body } : undefined,
      });
    }
    const context = newInvocationContext(
      {
        invocationId: randomUUID(),
        functionName: fn.name,
        // As the host does: the caller's W3C traceparent, or a new trace.
        traceContext: { traceParent: headers.traceparent ?? newTraceParent() },
        options: { trigger: { ...fn.binding, name: String(fn.binding.name), type: 'httpTrigger' } },
      },
      log,
    );
    const result = (await fn.handler(request, context)) as HttpResponseInit | HttpResponse | undefined;
    // `{ status }` alone (every notification's 202) needs no Response to write: nothing else to send.
    if (isStatusOnly(result)) {
      res.writeHead((result as HttpResponseInit).status ?? 200);
      return void res.end();
    }
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(out);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    functions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const isStatusOnly = (result: object | undefined): boolean =>
  typeof result === 'object' &&
  result !== null &&
  !(result instanceof HttpResponse) &&
  Object.keys(result).every((key) => key === 'status');

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, body ? { 'Content-Type': 'application/json; charset=utf-8', ...headers } : headers);
  res.end(body);
}

/**
 * The request as `@azure/functions` makes it from the host's proxied one when streaming
 * (createStreamRequest): the body is the incoming stream, the query is read from the URL.
 */
function streamedRequest(
  req: http.IncomingMessage,
  url: URL,
  method: string,
  headers: Record<string, string>,
  params: Record<string, string>,
): HttpRequest {
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const nativeRequest = new Request(url, {
    method,
    headers,
    body: hasBody ? (req as unknown as ReadableStream) : undefined,
    duplex: 'half',
  } as RequestInit);
  // The library's own init for a streamed request (its public type has no room for it).
  return new HttpRequest({ nativeRequest, params } as unknown as ConstructorParameters<typeof HttpRequest>[0]);
}

/** The query as the host passes it to the worker: one value per key, a repeated key's values joined with `,`. */
export function hostQuery(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(params.keys())) query[key] = params.getAll(key).join(',');
  return query;
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
