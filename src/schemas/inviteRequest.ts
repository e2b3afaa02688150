import { z } from 'zod';
import { InvitationParticipantInfo } from './invitationParticipantInfo';

export const MAX_INVITEES = 5;

/** Body of POST /api/calls/{callId}/participants/invite: Graph's participant: invite plus callbackUrl. */
export const InviteRequest = z
  .looseObject({
    participants: z
      .array(InvitationParticipantInfo)
      .min(1, 'at least 1 participant is required')
      .max(MAX_INVITEES, `at most ${MAX_INVITEES} participants per invite`),
    clientContext: z.string().min(1).max(256, 'at most 256 characters').optional(),
    callbackUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional(),
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
  });
export type InviteRequest = z.infer<typeof InviteRequest>;
