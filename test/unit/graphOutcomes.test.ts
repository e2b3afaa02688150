import type { Context } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';

import { DeadlineRetryHandler, GraphRequestOptions } from '../../src/graph/deadlineRetryHandler';
import { classifyGraphStatus } from '../../src/graph/graphErrors';

// One status of every class Graph (or a proxy in front of it) may answer, with what it means for
// a request that is not idempotent: an invite rings people, so it is sent again only when Graph
// surely did not act.
const EXPECTED: Record<number, string> = {
  100: 'unknown',
  200: 'accepted',
  201: 'accepted',
  202: 'accepted',
  204: 'accepted',
  301: 'unknown',
  302: 'unknown',
  303: 'unknown',
  307: 'unknown',
  400: 'refused',
  401: 'refused',
  403: 'refused',
  404: 'refused',
  408: 'refused',
  409: 'refused',
  413: 'refused',
  429: 'throttled',
  431: 'refused',
  500: 'unknown',
  501: 'unknown',
  502: 'unknown',
  503: 'throttled',
  504: 'unknown',
  507: 'unknown',
  599: 'unknown',
};

describe('what a Graph status says about a non-idempotent request', () => {
  it.each(Object.entries(EXPECTED))('classes %s as %s', (status, expected) => {
    expect(classifyGraphStatus(Number(status))).toBe(expected);
  });

  it('sends again only on 429 and 503, over every status from 100 to 599', () => {
    const retried = [];
    for (let status = 100; status < 600; status++)
      if (classifyGraphStatus(status) === 'throttled') retried.push(status);
    expect(retried).toEqual([429, 503]);
  });
});

describe('the Graph deadline middleware', () => {
  /** A DeadlineRetryHandler in front of a stub that answers with the given statuses and counts what is sent. */
  function chain(statuses: number[]) {
    const sent: number[] = [];
    const handler = new DeadlineRetryHandler(2000, 10);
    handler.setNext({
      setNext() {},
      async execute(context: Context) {
        const status = statuses[sent.length] ?? 200;
        sent.push(status);
        context.response = new Response(null, { status });
      },
    });
    const run = (sendBefore?: number) => {
      const options = new GraphRequestOptions(sendBefore);
      const context = {
        request: 'https://graph.example/x',
        options: {},
        middlewareControl: { getMiddlewareOptions: () => options },
      } as unknown as Context;
      return handler.execute(context).then(() => context.response?.status);
    };
    return { sent, run };
  }

  it('sends nothing once the request may no longer be sent (a slow token, a late start)', async () => {
    const { sent, run } = chain([200]);
    await expect(run(Date.now() - 1)).rejects.toMatchObject({ name: 'GraphUnavailable', status: 0 });
    expect(sent).toEqual([]);
  });

  it('sends again on 429 and 503 only', async () => {
    for (const status of [500, 502, 504, 400]) {
      const { sent, run } = chain([status]);
      expect(await run()).toBe(status);
      expect(sent, String(status)).toHaveLength(1);
    }
    const throttled = chain([429, 503, 200]);
    expect(await throttled.run()).toBe(200);
    expect(throttled.sent).toEqual([429, 503, 200]);
  });
});
