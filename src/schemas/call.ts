import { z } from 'zod';

import { ReportedIdentitySet } from './identitySet';
import { boundedId } from './limits';
import { ResultInfo } from './resultInfo';

export const CALL_STATES = [
  'incoming',
  'establishing',
  'ringing',
  'established',
  'hold',
  'transferring',
  'transferAccepted',
  'redirecting',
  'terminating',
  'terminated',
  'unknownFutureValue',
] as const;

const byLowerCase = new Map<string, string>(CALL_STATES.map((s) => [s.toLowerCase(), s]));

/** `Established` and `established` are the same state; unknown future states are kept, camelCased. */
export const CallState = boundedId()
  .trim()
  .min(1)
  .transform((v) => byLowerCase.get(v.toLowerCase()) ?? v.charAt(0).toLowerCase() + v.slice(1));

export const Call = z.looseObject({
  '@odata.type': z.string().optional(),
  id: boundedId().nullish(),
  state: CallState.nullish(),
  resultInfo: ResultInfo.nullish(),
  /** Who placed the call: an incoming call's caller. */
  source: z.looseObject({ identity: ReportedIdentitySet.nullish() }).nullish(),
  /** Present when the bot is invited into a group call or meeting (call-answer). */
  chatInfo: z.unknown().optional(),
  meetingInfo: z.unknown().optional(),
  /** Whom an incoming call was placed to: the bot, or its resource account (applicationInstance). */
  targets: z
    .array(z.looseObject({ identity: ReportedIdentitySet.nullish() }).nullish())
    .nullish()
    .catch(undefined),
});
export type Call = z.infer<typeof Call>;
