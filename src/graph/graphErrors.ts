export type GraphStatusClass = 'accepted' | 'throttled' | 'refused' | 'unknown';

/**
 * What a Graph answer's status says about a request that is not idempotent (an invite rings
 * people): 429 and 503 mean Graph did not act, so it may be sent again; any other 4xx is a
 * refusal; everything else (500, 502, 504, 1xx, 3xx) may come after Graph acted.
 */
export function classifyGraphStatus(status: number): GraphStatusClass {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 429 || status === 503) return 'throttled';
  if (status >= 400 && status < 500) return 'refused';
  return 'unknown';
}

/** Graph's `Retry-After` (seconds or an HTTP date) in whole seconds, capped. */
export function retryAfterSeconds(header: string | null | undefined, fallback: number, cap = 30): number {
  if (!header) return fallback;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return fallback;
  return Math.min(cap, Math.max(1, Math.ceil(seconds)));
}
