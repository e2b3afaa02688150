import { z } from 'zod';

import { ReportedIdentitySet } from './identitySet';
import { boundedId } from './limits';

/** A roster entry as Graph sends it; `id` is null in every reference example. */
export const Participant = z.looseObject({
  id: boundedId().nullish(),
  info: z
    .looseObject({
      identity: ReportedIdentitySet.nullish(),
      endpointType: z.string().nullish(),
    })
    .nullish(),
  isMuted: z.boolean().nullish(),
  isInLobby: z.boolean().nullish(),
  mediaStreams: z.array(z.unknown()).nullish(),
});
export type Participant = z.infer<typeof Participant>;
