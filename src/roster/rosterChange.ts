import type { RosterEntry } from './rosterRecord';

/**
 * What one notification says about who is in a call (docs/api.md, "The roster as Graph sends it").
 * Graph's `updated` roster lists everyone in the call at that moment, the bot included; `created`
 * adds, `deleted` removes; a delta roster (`deltaParticipants`) lists changes since the last one.
 */
export type RosterChange =
  /** Everyone in the call now: who is not listed has left. */
  | { kind: 'whole'; entries: RosterEntry[]; rosterSequence: bigint | null }
  /** Those listed as `present` are in the call, those `departed` left; nobody else changes. */
  | { kind: 'changes'; present: RosterEntry[]; departed: RosterEntry[] }
  /** Changes since the delta roster numbered one less (`deltaParticipants.sequenceNumber`). */
  | { kind: 'delta'; sequence: bigint; present: RosterEntry[]; departed: RosterEntry[] }
  /** Someone called the bot: the call's `incoming` event, with the caller. */
  | { kind: 'incoming'; caller: Record<string, unknown> | null }
  /** The call is `terminated`: everyone still present left, then the call's `callEnded` event. */
  | { kind: 'ended' };
