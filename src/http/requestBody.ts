import type { HttpRequest } from '@azure/functions';

import { InvalidInput, PayloadTooLarge } from '../errors';

/** Graph's payloads nest a dozen levels at most; deeper input only serves to exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value, measured without recursion (or a pair per node: every body is measured). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const nodes: unknown[] = [value];
  const depths: number[] = [1];
  while (nodes.length) {
    const node = nodes.pop() as Record<string, unknown> | unknown[];
    const depth = depths.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest && (deepest = depth) > stopAt) return deepest;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child !== 'object' || child === null) continue;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return deepest;
}

// Used whole-body only (never in streaming mode), so one decoder serves every request; ill-formed bytes become U+FFFD.
const UTF8 = new TextDecoder('utf-8', { fatal: false });

const tooLarge = (limitBytes: number) =>
  new PayloadTooLarge(`The request body is larger than the ${limitBytes}-byte limit.`);

/**
 * The body's bytes, at most `limitBytes` of them: 413 before a byte is read when Content-Length
 * announces more, and as soon as the bytes read pass the limit otherwise (a chunked body). With HTTP
 * streaming (functions/index.ts) nothing beyond is ever read; the rest is left to the host. The stream
 * is not cancelled: that would end the connection before the 413 is sent.
 */
async function readLimited(req: HttpRequest, limitBytes: number): Promise<Buffer> {
  const announced = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(announced) && announced > limitBytes) throw tooLarge(limitBytes);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, total);
      total += value.byteLength;
      if (total > limitBytes) throw tooLarge(limitBytes);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads a JSON body, refusing it with 413 before parsing when it is over the limit (readLimited). */
export async function readJsonBody(req: HttpRequest, limitBytes: number): Promise<unknown> {
  const bytes = await readLimited(req, limitBytes);
  const text = UTF8.decode(bytes);
  if (text.trim() === '')
    throw new InvalidInput('The request body is empty; a JSON object is required.', [
      { path: '(body)', message: 'required' },
    ]);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'invalid JSON';
    throw new InvalidInput('The request body is not valid JSON.', [{ path: '(body)', message: reason }]);
  }
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new InvalidInput(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, [
      { path: '(body)', message: `at most ${MAX_JSON_DEPTH} levels of nesting` },
    ]);
  }
  return value;
}
