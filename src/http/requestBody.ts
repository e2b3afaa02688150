import type { HttpRequest } from '@azure/functions';
import { badRequest, payloadTooLarge } from './apiError';

/**
 * Reads a JSON body, refusing it with 413 before parsing when it is over the limit
 * (by Content-Length when announced, by the bytes read otherwise).
 */
export async function readJsonBody(req: HttpRequest, limitBytes: number): Promise<unknown> {
  const announced = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(announced) && announced > limitBytes) throw payloadTooLarge(limitBytes);
  const bytes = await req.arrayBuffer();
  if (bytes.byteLength > limitBytes) throw payloadTooLarge(limitBytes);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.trim() === '') throw badRequest('The request body is empty; a JSON object is required.', [{ path: '(body)', message: 'required' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'invalid JSON';
    throw badRequest('The request body is not valid JSON.', [{ path: '(body)', message: reason }]);
  }
}
