import { z } from 'zod';

import { boundedId } from './limits';

// Kept on the call's head with the call's other subscriptions: plain text, no control characters.
const printable = () => boundedId().regex(/^[^\p{Cc}]*$/u, 'must hold no control characters');
import { requireSafeCallbackUrl, requireWellFormedObject } from './requestChecks';
import { callbackUrlField, clientContextField } from './requestFields';
import { CALL_EVENT_TYPES } from './responses';
import { invalidInput } from './zodIssues';

const callbackUrl = callbackUrlField(
  'https URL each event is POSTed to (a Logic App trigger or webhook action sets it).',
)
  .unwrap()
  .meta({ 'x-ms-summary': 'Callback URL', 'x-ms-notification-url': true, 'x-ms-visibility': 'internal' });

/** Body of POST /api/calls/{callId}/webhooks/events: the call's later events, or one person's. */
export const CallEventSubscriptionRequest = z
  .looseObject({
    callbackUrl,
    identityId: printable().trim().min(1, 'must be a non-empty string').optional().meta({
      'x-ms-summary': 'Identity id',
      description: "Only this person's events (the id of any identity kind: user, phone, ...), and the call's end.",
    }),
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({
      'x-ms-summary': 'After sequence',
      'x-ms-visibility': 'advanced',
      description: 'Deliver the events after this one (0: from the first); absent: those from now on.',
    }),
    clientContext: clientContextField(
      'Names the subscription within the call: a subscription with the same clientContext replaces it, and DELETE ...?clientContext= ends it (what a Logic Apps HTTP Webhook action can unsubscribe by).',
    )
      .refine((v) => v === undefined || !/\p{Cc}/u.test(v), 'must hold no control characters')
      .meta({ 'x-ms-summary': 'Client context', 'x-ms-visibility': 'advanced' }),
  })
  .meta({ id: 'callEventSubscriptionRequest', description: 'Where to POST the events of the call.' });
export type CallEventSubscriptionRequest = z.infer<typeof CallEventSubscriptionRequest>;

/** Body of POST /api/webhooks/events: events of every call, of the given types. */
export const EventSubscriptionRequest = z
  .looseObject({
    callbackUrl,
    types: z
      .array(z.enum(CALL_EVENT_TYPES))
      .min(1, 'at least one type, or leave types out for all')
      .max(CALL_EVENT_TYPES.length)
      .refine((types) => new Set(types).size === types.length, 'each type once')
      .optional()
      .meta({
        'x-ms-summary': 'Event types',
        description: 'joined, inLobby, left, incoming or callEnded; all when left out.',
      }),
  })
  .meta({ id: 'eventSubscriptionRequest', description: 'Where to POST the events of every call.' });
export type EventSubscriptionRequest = z.infer<typeof EventSubscriptionRequest>;

/**
 * The connector's "When a call arrives" trigger: the same body, its types required and proposing
 * `incoming` (the API itself takes absent types as every type).
 */
export const EventsTriggerRequest = EventSubscriptionRequest.extend({
  // Required here, so that the trigger always says which: a flow that cleared it would otherwise
  // run for every event of every call.
  types: EventSubscriptionRequest.shape.types.unwrap().meta({
    default: ['incoming'],
    'x-ms-summary': 'Event types',
    description: 'incoming (someone called the bot), joined, inLobby, left or callEnded.',
  }),
}).meta({ id: 'eventsTriggerRequest', description: 'Where to POST the events of every call, and which.' });

/** A subscription as the service answers it (the callbackUrl is a secret: never shown). */
export const EventSubscriptionBody = z
  .object({
    id: z.string().meta({ 'x-ms-summary': 'Subscription id' }),
    callId: z.string().optional().meta({ 'x-ms-summary': 'Call id' }),
    identityId: z.string().optional().meta({ 'x-ms-summary': 'Identity id' }),
    types: z.array(z.enum(CALL_EVENT_TYPES)).optional().meta({ 'x-ms-summary': 'Event types' }),
    createdDateTime: z.string().meta({ 'x-ms-summary': 'Created at' }),
  })
  .meta({ id: 'eventSubscription' });
export type EventSubscriptionBody = z.infer<typeof EventSubscriptionBody>;

/** Validates a subscription body: well-formed text, the schema, and where the events may be sent. */
export function parseSubscriptionRequest<T extends { callbackUrl: string }>(
  schema: z.ZodType<T>,
  raw: unknown,
  allowLoopbackUrls: boolean,
): T {
  requireWellFormedObject(raw, 'with a callbackUrl');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  requireSafeCallbackUrl(parsed.data.callbackUrl, allowLoopbackUrls);
  return parsed.data;
}
