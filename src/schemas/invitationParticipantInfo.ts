import { z } from 'zod';
import { IdentitySet } from './identitySet';

export const InvitationParticipantInfo = z.looseObject({
  identity: IdentitySet,
  replacesCallId: z.string().trim().min(1).nullish(),
});
export type InvitationParticipantInfo = z.infer<typeof InvitationParticipantInfo>;
