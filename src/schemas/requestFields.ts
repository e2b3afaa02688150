import { z } from 'zod';

import { MAX_ID_CHARS, MAX_URL_CHARS } from './limits';

/** The idempotency key of a request (invite, call): 1–256 characters, like Graph's clientContext. */
export const clientContextField = (description: string) =>
  z
    .string()
    .min(1)
    .max(MAX_ID_CHARS, `at most ${MAX_ID_CHARS} characters`)
    .optional()
    .meta({ 'x-ms-summary': 'Client context', description });

/** Where the service POSTs the final body; the address rules are checked later (src/net/addresses.ts). */
export const callbackUrlField = (description: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .max(MAX_URL_CHARS, `at most ${MAX_URL_CHARS} characters`)
    .optional()
    .meta({ 'x-ms-summary': 'Callback URL', description });

/**
 * Graph silently drops every participant after the first when one of them replaces a call
 * (reference 004, example 3), so several with a replacesCallId among them are refused.
 */
export function refuseReplacesCallIdAmongSeveral(
  list: ReadonlyArray<{ replacesCallId?: unknown }> | undefined,
  field: string,
  noun: string,
  ctx: z.RefinementCtx,
): void {
  if (!list || list.length <= 1) return;
  list.forEach((item, i) => {
    if (item.replacesCallId != null) {
      ctx.addIssue({
        code: 'custom',
        path: [field, i, 'replacesCallId'],
        message: `replacesCallId is allowed only with exactly one ${noun}`,
      });
    }
  });
}
