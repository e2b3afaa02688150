import { describe, expect, it } from 'vitest';

import { compileRoute } from '../../dev/host/routeTemplate';
import { retryAfterSeconds } from '../../src/graph/graphErrors';
import { splitGraphBaseUrl } from '../../src/graph/graphGateway';

describe('local host route templates', () => {
  const route = compileRoute('calls/{callId}/operations/{operationId}');
  it('matches literal segments in any case and decodes parameters, but for an encoded / (as ASP.NET Core routing)', () => {
    expect(route.match(['Calls', 'a%20c', 'operations', 'a%2Fb'])).toEqual({ callId: 'a c', operationId: 'a%2Fb' });
    expect(route.match(['calls', 'abc', 'operations', '..%2f..%2Fusers'])).toEqual({
      callId: 'abc',
      operationId: '..%2f..%2Fusers',
    });
  });
  it('does not match shorter, longer or different paths', () => {
    expect(route.match(['calls', 'abc', 'operations'])).toBeUndefined();
    expect(route.match(['calls', 'abc', 'operations', 'x', 'y'])).toBeUndefined();
    expect(route.match(['calls', 'abc', 'participants', 'x'])).toBeUndefined();
  });
  it('supports optional and constrained parameters', () => {
    expect(compileRoute('items/{id?}').match(['items'])).toEqual({});
    expect(compileRoute('items/{id:guid}').match(['items', 'x'])).toEqual({ id: 'x' });
  });
});

describe('Graph settings', () => {
  it('splits GRAPH_BASE_URL into the client base URL and version', () => {
    expect(splitGraphBaseUrl('https://graph.microsoft.com/v1.0')).toEqual({
      baseUrl: 'https://graph.microsoft.com',
      version: 'v1.0',
    });
    expect(splitGraphBaseUrl('http://127.0.0.1:7072/proxy/beta')).toEqual({
      baseUrl: 'http://127.0.0.1:7072/proxy',
      version: 'beta',
    });
  });
  it('reads Retry-After in seconds or as a date, capped at 30 s', () => {
    expect(retryAfterSeconds('7', 5)).toBe(7);
    expect(retryAfterSeconds('120', 5)).toBe(30);
    expect(retryAfterSeconds(null, 5)).toBe(5);
    expect(retryAfterSeconds(new Date(Date.now() + 10_000).toUTCString(), 5)).toBeGreaterThanOrEqual(9);
  });
});
