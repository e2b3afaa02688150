import { z } from 'zod';

import { MAX_PATH_CHARS } from './limits';

export const CHANGE_TYPES = ['created', 'updated', 'deleted'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

const ChangeTypeSchema = z.string().transform((v, ctx) => {
  const found = CHANGE_TYPES.find((c) => c === v.trim().toLowerCase());
  if (!found) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${CHANGE_TYPES.join(', ')}` });
    return z.NEVER;
  }
  return found;
});

/**
 * One item of a commsNotifications batch. Its own `@odata.type` is sometimes
 * `#microsoft.graph.commsOperation` rather than `commsNotification`, so it is not checked.
 * `resource` or `resourceUrl` may be missing (one of them is needed for the call id).
 */
export const CommsNotification = z
  .looseObject({
    '@odata.type': z.string().optional(),
    changeType: ChangeTypeSchema,
    resource: z.string().max(MAX_PATH_CHARS).nullish(),
    resourceUrl: z.string().max(MAX_PATH_CHARS).nullish(),
    resourceData: z.unknown().optional(),
  })
  .refine((n) => Boolean(n.resource || n.resourceUrl), {
    message: 'resource or resourceUrl is required',
    path: ['resource'],
  });
export type CommsNotification = z.infer<typeof CommsNotification>;

/** The batch envelope; items are parsed one by one so a malformed item does not sink the batch. */
export const CommsNotifications = z.looseObject({
  value: z.array(z.unknown()),
});
