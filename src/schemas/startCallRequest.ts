import { z } from 'zod';

import { MEETING_ID, SPACED_MEETING_ID } from '../calls/joinLink';
import { canonicalGuid } from '../ids';
import { InvitationParticipantInfo } from './invitationParticipantInfo';
import { MAX_INVITEES } from './inviteRequest';
import { boundedId, MAX_URL_CHARS } from './limits';
import { callbackUrlField, clientContextField, refuseReplacesCallIdAmongSeveral } from './requestFields';

const WAYS = ['joinWebUrl', 'joinMeetingId', 'targets'] as const;
export const PASSCODE_GOES_WITH = 'goes only with joinMeetingId or a short meeting link (/meet/{meeting ID})';

/** Body of POST /api/calls: join a Teams meeting (by its link, or its ID and passcode) or call 1–5 people. */
export const StartCallRequest = z
  .strictObject({
    joinWebUrl: z
      .string()
      .max(MAX_URL_CHARS, `at most ${MAX_URL_CHARS} characters`)
      .optional()
      .meta({ 'x-ms-summary': 'Meeting join link', description: 'The Teams meeting link, as Teams shows it.' }),
    joinMeetingId: z
      .string()
      .regex(SPACED_MEETING_ID, 'must be the digits of a meeting ID')
      .transform((v) => v.replace(/ /g, ''))
      .refine((v) => MEETING_ID.test(v), 'must be 6 to 30 digits')
      .optional()
      .meta({ 'x-ms-summary': 'Meeting ID', description: 'The meeting ID, as Teams shows it with the passcode.' }),
    passcode: boundedId().min(1).optional().meta({
      'x-ms-summary': 'Meeting passcode',
      description:
        "The passcode that goes with the meeting ID or short link, as Teams shows it (a short link's p= is not it).",
    }),
    targets: z
      .array(InvitationParticipantInfo)
      .min(1, 'at least 1 target is required')
      .max(MAX_INVITEES, `at most ${MAX_INVITEES} targets per call`)
      .optional()
      .meta({
        'x-ms-summary': 'People to call',
        description: 'invitationParticipantInfo items: each with an identity.',
      }),
    tenantId: z
      .string()
      .refine((v) => canonicalGuid(v) !== undefined, 'must be a GUID')
      .transform((v) => canonicalGuid(v)!)
      .optional()
      .meta({ 'x-ms-summary': 'Tenant id', description: "The call's tenant, if not the link's or the app's own." }),
    clientContext: clientContextField('Idempotency key of the call request, e.g. the workflow run id.'),
    callbackUrl: callbackUrlField('https URL the call is POSTed to once established or terminated.'),
  })
  .superRefine((body, ctx) => {
    const given = WAYS.filter((way) => body[way] !== undefined);
    if (given.length !== 1) {
      const message = `give exactly one of ${WAYS.join(', ')}${given.length ? ` (not ${given.join(' and ')})` : ''}`;
      for (const path of given.length ? given : WAYS) ctx.addIssue({ code: 'custom', path: [path], message });
    }
    if (body.passcode !== undefined && body.joinMeetingId === undefined && body.joinWebUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['passcode'], message: PASSCODE_GOES_WITH });
    }
    refuseReplacesCallIdAmongSeveral(body.targets, 'targets', 'target', ctx);
  })
  .meta({ id: 'startCallRequest', description: 'Join a Teams meeting, by its link or its ID, or call 1–5 people.' });
export type StartCallRequest = z.output<typeof StartCallRequest>;
