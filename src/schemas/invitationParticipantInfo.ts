import { z } from 'zod';

import { IdentitySet } from './identitySet';
import { MAX_ID_CHARS } from './limits';

export const InvitationParticipantInfo = z.looseObject({
  identity: IdentitySet,
  replacesCallId: z.string().trim().min(1).max(MAX_ID_CHARS).nullish(),
});
export type InvitationParticipantInfo = z.infer<typeof InvitationParticipantInfo>;
