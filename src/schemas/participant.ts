import { z } from 'zod';
import { ReportedIdentitySet } from './identitySet';

/** A roster entry as Graph sends it; `id` is null in every reference example. */
export const Participant = z.looseObject({
  id: z.string().nullish(),
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
