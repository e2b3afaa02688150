import { RestError } from '@azure/data-tables';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';

import { toErrorResponse } from '../../src/http/errorResponse';
import { retryOnConflict } from '../../src/operations/retryOnConflict';

const context = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const storageError = (statusCode: number, code: string) => new RestError(`storage says ${code}`, { statusCode, code });
const envelope = (res: ReturnType<typeof toErrorResponse>) =>
  res.jsonBody as { error: { code: string; message: string } };

describe('errors mapped to responses', () => {
  it.each([
    [400, 'PropertyValueTooLarge'],
    [400, 'EntityTooLarge'],
    [413, 'RequestBodyTooLarge'],
  ])('answers 413 when storage refuses a value as too large (%i %s), never 500', (status, code) => {
    const res = toErrorResponse(storageError(status, code), context(), 5);
    expect(res.status).toBe(413);
    expect(envelope(res).error.code).toBe('PayloadTooLarge');
    expect(JSON.stringify(res.jsonBody)).not.toContain(code); // no storage internals
  });

  it.each(['OutOfRangeInput', 'KeyValueTooLarge', 'PropertyNameTooLong', 'TooManyProperties'])(
    'answers 400 when storage refuses an input value (%s)',
    (code) => {
      const res = toErrorResponse(storageError(400, code), context(), 5);
      expect(res.status).toBe(400);
      expect(envelope(res).error.code).toBe('BadRequest');
    },
  );

  it('answers 500 with a correlation id for a storage error that is ours', () => {
    const res = toErrorResponse(storageError(400, 'InvalidDuplicateRow'), context(), 5);
    expect(res.status).toBe(500);
    expect(res.headers).toHaveProperty('x-correlation-id');
  });
});

describe('storage that does not answer', () => {
  it('answers 503 with Retry-After when a storage call is cut off by its time limit', async () => {
    // What the SDK's HTTP client throws when a request's timeout passes.
    const aborted = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const res = toErrorResponse(aborted, context(), 5);
    expect(res.status).toBe(503);
    expect(res.headers).toMatchObject({ 'Retry-After': '5' });
  });
});

describe('write contention', () => {
  it('answers 503 with Retry-After, not 500, when the ETag retries are used up', async () => {
    let attempts = 0;
    const thrown = await retryOnConflict(async () => {
      attempts++;
      throw storageError(412, 'UpdateConditionNotSatisfied');
    }).catch((err: unknown) => err);
    expect(attempts).toBeGreaterThan(1);
    const res = toErrorResponse(thrown, context(), 5);
    expect(res.status).toBe(503);
    expect(res.headers).toMatchObject({ 'Retry-After': '5' });
    expect(envelope(res).error.code).toBe('ServiceUnavailable');
  });
});
