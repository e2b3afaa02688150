import { z } from 'zod';

import { InvitationParticipantInfo } from './invitationParticipantInfo';
import { MAX_URL_CHARS } from './limits';

export const MAX_INVITEES = 5;

/** Body of POST /api/calls/{callId}/participants/invite: Graph's participant: invite plus callbackUrl. */
export const InviteRequest = z
  .looseObject({
    participants: z
      .array(InvitationParticipantInfo)
      .min(1, 'at least 1 participant is required')
      .max(MAX_INVITEES, `at most ${MAX_INVITEES} participants per invite`)
      .meta({
        'x-ms-summary': 'Participants',
        description: 'invitationParticipantInfo items: each with an identity (user, phone, ...).',
      }),
    clientContext: z.string().min(1).max(256, 'at most 256 characters').optional().meta({
      'x-ms-summary': 'Client context',
      description: 'Idempotency key of the invite within the call, e.g. the workflow run id.',
    }),
    callbackUrl: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
      .max(MAX_URL_CHARS, `at most ${MAX_URL_CHARS} characters`)
      .optional()
      .meta({
        'x-ms-summary': 'Callback URL',
        description: 'https URL the final operation is POSTed to once completed or failed.',
      }),
  })
  .superRefine((body, ctx) => {
    // Graph silently drops every invitee after the first when replacesCallId is set (reference 004, example 3).
    if (body.participants.length > 1) {
      body.participants.forEach((p, i) => {
        if (p.replacesCallId != null) {
          ctx.addIssue({
            code: 'custom',
            path: ['participants', i, 'replacesCallId'],
            message: 'replacesCallId is allowed only when exactly one participant is invited',
          });
        }
      });
    }
  })
  .meta({ id: 'inviteRequest', description: "Graph's participant: invite body, plus an optional callbackUrl." });
export type InviteRequest = z.infer<typeof InviteRequest>;
