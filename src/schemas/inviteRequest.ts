import { z } from 'zod';

import { InvitationParticipantInfo } from './invitationParticipantInfo';
import { callbackUrlField, clientContextField, refuseReplacesCallIdAmongSeveral } from './requestFields';

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
    clientContext: clientContextField('Idempotency key of the invite within the call, e.g. the workflow run id.'),
    callbackUrl: callbackUrlField('https URL the final operation is POSTed to once completed or failed.'),
  })
  .superRefine((body, ctx) => refuseReplacesCallIdAmongSeveral(body.participants, 'participants', 'participant', ctx))
  .meta({ id: 'inviteRequest', description: "Graph's participant: invite body, plus an optional callbackUrl." });
export type InviteRequest = z.infer<typeof InviteRequest>;
