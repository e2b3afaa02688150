import { z } from 'zod';

import { ReportedIdentitySet } from './identitySet';
import { boundedId } from './limits';

// Graph's Int64, as a JSON number or (OData's IEEE754Compatible form) as decimal text.
const Int64 = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/)]);

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
  /** The roster update in which the participant last changed (v1.0 participant). */
  rosterSequenceNumber: Int64.nullish(),
  /** Why it was removed from the roster: a delta roster's departure. */
  removedState: z.looseObject({ reason: z.string().nullish() }).nullish(),
});
export type Participant = z.infer<typeof Participant>;

/** A delta roster (`#microsoft.graph.deltaParticipants`): the participants changed since the last one. */
export const DeltaParticipants = z.looseObject({
  sequenceNumber: Int64,
  participants: z.array(Participant).nullish(),
});
/** An Int64 as a bigint. */
export const int64 = (value: number | string) => BigInt(value);
