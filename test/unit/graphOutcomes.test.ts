import { describe, expect, it } from 'vitest';
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
    for (let status = 100; status < 600; status++) if (classifyGraphStatus(status) === 'throttled') retried.push(status);
    expect(retried).toEqual([429, 503]);
  });
});
