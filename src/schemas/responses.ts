import { z } from 'zod';

import { CALL_STATES } from './call';
import { OPERATION_STATUSES } from './operationStatus';

// The shapes this service answers with: the single source of the response types and of the
// OpenAPI document's definitions. `x-ms-summary` labels the fields in Logic Apps' designer.

export const INVITEE_OUTCOMES = ['pending', 'joined', 'inLobby', 'notJoined', 'left'] as const;

const summary = (text: string, description?: string) => ({
  'x-ms-summary': text,
  ...(description ? { description } : {}),
});

export const ResultInfoBody = z
  .object({
    code: z.union([z.number(), z.string()]).nullable().meta(summary('Result code')),
    subcode: z.union([z.number(), z.string()]).nullable().meta(summary('Result subcode')),
    message: z.string().nullable().meta(summary('Result message')),
  })
  .meta({ id: 'resultInfo', description: "Graph's resultInfo, with numeric codes." });

export const InviteeBody = z
  .object({
    key: z.string().meta(summary('Invitee key', 'Stable key, formed as the roster key: <kind>:<identity id>.')),
    identity: z.record(z.string(), z.unknown()).meta(summary('Identity', 'The identitySet as invited.')),
    outcome: z.enum(INVITEE_OUTCOMES).meta(summary('Outcome', 'pending, joined, inLobby, notJoined or left.')),
    lastChangedDateTime: z.string().meta(summary('Outcome changed at')),
  })
  .meta({ id: 'invitee' });
export type InviteeBody = z.infer<typeof InviteeBody>;

export const OperationBody = z
  // Loose: every other field Graph reports on the operation (completionReason, ...) is shown too.
  .looseObject({
    '@odata.type': z.string().meta(summary('Operation type')),
    id: z.string().meta(summary('Operation id')),
    callId: z.string().meta(summary('Call id')),
    clientContext: z.string().nullable().meta(summary('Client context')),
    status: z.enum(OPERATION_STATUSES).meta(summary('Status', 'notStarted, running, completed or failed.')),
    resultInfo: ResultInfoBody.nullable(),
    participants: z
      .array(z.record(z.string(), z.unknown()))
      .meta(summary('Participants', 'The invitationParticipantInfo items.')),
    invitees: z
      .array(InviteeBody)
      .optional()
      .meta(summary('Invitees', 'Invite operations only: each invitee with its outcome.')),
    createdDateTime: z.string().meta(summary('Created at')),
    lastModifiedDateTime: z.string().meta(summary('Last modified at')),
  })
  .meta({ id: 'operation' });
export type OperationBody = z.infer<typeof OperationBody>;

const NextLink = z
  .string()
  .optional()
  .meta(summary('Next page', 'Absolute URL of the next page; absent on the last one.'));

export const OperationListBody = z
  .object({
    callId: z.string().meta(summary('Call id')),
    operations: z.array(OperationBody),
    '@odata.nextLink': NextLink,
  })
  .meta({ id: 'operationList' });

export const RosterParticipantBody = z
  .looseObject({
    key: z.string().meta(summary('Participant key')),
    id: z.string().nullable().meta(summary('Participant id')),
    info: z.record(z.string(), z.unknown()).optional().meta(summary('Participant info')),
    isMuted: z.boolean().nullish().meta(summary('Muted')),
    isInLobby: z.boolean().nullish().meta(summary('In lobby')),
    mediaStreams: z.array(z.unknown()).nullish().meta(summary('Media streams')),
  })
  .meta({ id: 'rosterParticipant' });

export const RosterBody = z
  .object({
    callId: z.string().meta(summary('Call id')),
    state: z
      .union([z.enum(CALL_STATES), z.string()])
      .nullable()
      .meta(summary('Call state')),
    resultInfo: ResultInfoBody.nullable(),
    lastModifiedDateTime: z.string().nullable().meta(summary('Last modified at')),
    participants: z.array(RosterParticipantBody),
    '@odata.nextLink': NextLink,
  })
  .meta({ id: 'roster' });
export type RosterBody = z.infer<typeof RosterBody>;

export const CALL_EVENT_TYPES = ['joined', 'inLobby', 'left', 'incoming', 'callEnded'] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** One change of who is in a call (docs/api.md, "Call events"), as GET events lists it and webhooks POST it. */
export const CallEventBody = z
  .object({
    callId: z.string().meta(summary('Call id')),
    sequence: z
      .number()
      .int()
      .meta(summary('Sequence', 'Increases by one with each event of the call; with callId it identifies the event.')),
    type: z
      .enum(CALL_EVENT_TYPES)
      .meta(summary('Event type', 'joined, inLobby, left, incoming (a call to the bot) or callEnded.')),
    key: z.string().optional().meta(summary('Participant key', 'As the roster shows it.')),
    identity: z
      .record(z.string(), z.unknown())
      .optional()
      .meta(summary('Identity', 'The participant (for incoming: the caller) as Graph reported it.')),
    at: z.string().meta(summary('At', 'When the service applied the change (ISO 8601, UTC).')),
  })
  .meta({ id: 'callEvent' });
export type CallEventBody = z.infer<typeof CallEventBody>;

export const CallEventListBody = z
  .object({
    callId: z.string().meta(summary('Call id')),
    events: z.array(CallEventBody),
    '@odata.nextLink': NextLink,
  })
  .meta({ id: 'callEventList' });

export const CallBody = z
  .object({
    id: z.string().meta(summary('Call id')),
    state: z
      .union([z.enum(CALL_STATES), z.string()])
      .nullable()
      .meta(summary('Call state', 'establishing, established, terminated, ... (null until Graph reports one).')),
    resultInfo: ResultInfoBody.nullable(),
    clientContext: z.string().nullable().meta(summary('Client context', 'Of the request that started the call.')),
    startedByService: z.boolean().meta(summary('Started by this service')),
    startedWith: z
      .union([
        z.object({
          meeting: z.object({
            joinWebUrl: z.string().optional(),
            joinMeetingId: z.string().optional(),
            threadId: z.string().optional(),
            organizerId: z.string().optional(),
            tenantId: z.string(),
          }),
        }),
        z.object({ targets: z.array(z.unknown()) }),
        z.object({
          answered: z.object({
            caller: z.record(z.string(), z.unknown()).nullable(),
            groupCall: z.literal(true).optional(),
          }),
        }),
      ])
      .optional()
      .meta(
        summary('Started with', 'The meeting joined, the people called, or the caller of a call the service answered.'),
      ),
    createdDateTime: z.string().nullable().meta(summary('Created at')),
    lastModifiedDateTime: z.string().nullable().meta(summary('Last modified at')),
  })
  .meta({ id: 'call' });
export type CallBody = z.infer<typeof CallBody>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta(summary('Error code')),
      message: z.string().meta(summary('Error message')),
      details: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() })),
    }),
  })
  .meta({ id: 'error' });
