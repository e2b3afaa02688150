// Graph's call states in the order a call goes through them. Graph notes that `establishing` and
// `established` may arrive out of order (application-post-calls), so a state from an earlier phase
// than the call is in is stale; within a phase (established, hold, transferring, ...) a call moves
// freely; `terminated` is final. `incoming` comes before all: a redelivered incoming notification
// must not take a call the service answered back from `establishing` (call-answer).
const PHASE: Record<string, number> = {
  incoming: -1,
  establishing: 0,
  ringing: 0,
  established: 1,
  hold: 1,
  transferring: 1,
  transferAccepted: 1,
  redirecting: 1,
  terminating: 2,
  terminated: 3,
};
const phaseOf = (state: string) => PHASE[state] ?? 1; // a state Graph adds later: somewhere in the call

/** The call's state after a notification says `next`. */
export function nextCallState(current: string | null, next: string | null): string | null {
  if (next === null || current === null) return next ?? current;
  if (current === 'terminated') return current;
  return phaseOf(next) < phaseOf(current) ? current : next;
}

/** States in which a call is still being set up: GET answers 202 + Retry-After. */
export const isSettingUp = (state: string | null) => state === null || phaseOf(state) <= 0;
