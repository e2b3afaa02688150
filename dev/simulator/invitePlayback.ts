import type { RosterPath } from '../graphPayloads';
import { type Invitee, inviteeParticipant, inviteOperationNotification, memberKeyOf } from './referencePayloads';

/** What happens to one invitee, as Graph reports it. */
export const OUTCOMES = ['join', 'lobby', 'decline', 'noAnswer', 'reject', 'joinThenLeave'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Ways Graph's deliveries differ from the tidy order, selectable per call. */
export interface DeliveryQuirks {
  /** Every callback delivered twice. */
  duplicate?: boolean;
  /** The final operation notification arrives before the roster update. */
  outOfOrder?: boolean;
  /** A stale `running` notification arrives after the final status. */
  lateRunning?: boolean;
  /** resultInfo codes sent as strings with `subCode`, as some Graph pages show. */
  stringResultCodes?: boolean;
}

export interface PlaybackPlan {
  callId: string;
  operationId: string;
  clientContext: string;
  invitees: Invitee[];
  outcomeOf: (invitee: Invitee) => Outcome;
  stepDelayMs: number;
  /** Graph rings an invitee for about 60 s before giving up. */
  ringTimeoutMs: number;
  leaveAfterMs: number;
  quirks: DeliveryQuirks;
  /**
   * Changes the roster of a call as the simulator keeps it (members by key, the bot among them)
   * and answers Graph's notification of the whole roster after the change.
   */
  updateRoster: (
    callId: string,
    change: { set?: Array<[string, Record<string, unknown>]>; remove?: string[] },
    path: RosterPath,
  ) => unknown;
  send: (payload: unknown) => Promise<unknown>;
}

/** A callback to send after a pause: a payload, or one made when it is due (a roster as it then stands). */
type Step = { waitMs: number; payload: unknown };

const RESULTS = {
  reject: {
    code: 403,
    subcode: 7507,
    message: 'The invitation was rejected: the participant cannot be invited to this call.',
  },
  decline: { code: 603, subcode: 0, message: 'The invited participant declined the call.' },
  noAnswer: { code: 408, subcode: 0, message: 'The invited participant did not answer.' },
} as const;

const joined = (o: Outcome) => o === 'join' || o === 'lobby' || o === 'joinThenLeave';

/**
 * Plays the callbacks that follow an accepted invite, in Graph's order: operation running, the
 * whole roster once those who joined are in it (of the replaced call for replacesCallId), then the
 * operation completed (`changeType: deleted`) — or failed with a resultInfo when nobody joined.
 * Who leaves later is missing from the next whole roster, as Graph sends it.
 */
export async function playInvite(plan: PlaybackPlan): Promise<void> {
  const { callId, operationId, clientContext, invitees } = plan;
  const outcomes = invitees.map((i) => plan.outcomeOf(i));
  const op = (status: 'running' | 'completed' | 'failed', resultInfo?: Record<string, unknown>) =>
    inviteOperationNotification({
      callId,
      operationId,
      clientContext,
      invitees,
      status,
      resultInfo: resultInfo && formatResult(resultInfo, plan.quirks),
    });
  const rosterCall = invitees.length === 1 && invitees[0]?.replacesCallId ? invitees[0].replacesCallId : callId;
  const resourceStyle = rosterCall !== callId ? 'communications' : invitees.length > 1 ? 'operations' : 'app';
  const first = invitees[0];
  const reportedAsApplication = first?.identity.user && !first.replacesCallId ? first : undefined;
  // Built when the step is due, so the roster sent is the call's roster at that moment.
  const arrive =
    (members: Invitee[], inLobby = false): Step['payload'] =>
    () =>
      plan.updateRoster(
        rosterCall,
        {
          set: members.map((p) => [
            memberKeyOf(p),
            inviteeParticipant(p, invitees.indexOf(p), { inLobby, reportedAsApplication }),
          ]),
        },
        resourceStyle,
      );
  const leave =
    (members: Invitee[]): Step['payload'] =>
    () =>
      plan.updateRoster(rosterCall, { remove: members.map(memberKeyOf) }, resourceStyle);

  const steps: Step[] = [{ waitMs: plan.stepDelayMs, payload: op('running') }];
  if (outcomes.includes('reject')) {
    steps.push({ waitMs: plan.stepDelayMs, payload: op('failed', RESULTS.reject) });
  } else {
    const present = invitees.filter((_, i) => joined(outcomes[i]!));
    const lobby = invitees.filter((_, i) => outcomes[i] === 'lobby');
    const rosterSteps: Step[] = [];
    const inCall = present.filter((p) => !lobby.includes(p));
    if (inCall.length) rosterSteps.push({ waitMs: plan.stepDelayMs, payload: arrive(inCall) });
    if (lobby.length) rosterSteps.push({ waitMs: plan.stepDelayMs, payload: arrive(lobby, true) });
    const ringing = outcomes.includes('noAnswer') ? plan.ringTimeoutMs : plan.stepDelayMs;
    const final: Step = present.length
      ? { waitMs: ringing, payload: op('completed') }
      : { waitMs: ringing, payload: op('failed', outcomes.includes('decline') ? RESULTS.decline : RESULTS.noAnswer) };
    steps.push(...(plan.quirks.outOfOrder ? [final, ...rosterSteps] : [...rosterSteps, final]));
    const leaving = invitees.filter((_, i) => outcomes[i] === 'joinThenLeave');
    if (leaving.length) {
      steps.push({ waitMs: plan.leaveAfterMs, payload: leave(leaving) });
    }
  }
  if (plan.quirks.lateRunning) steps.push({ waitMs: plan.stepDelayMs, payload: op('running') });

  for (const step of steps) {
    await new Promise((resolve) => setTimeout(resolve, step.waitMs));
    const payload = typeof step.payload === 'function' ? (step.payload as () => unknown)() : step.payload;
    await plan.send(payload);
    if (plan.quirks.duplicate) await plan.send(payload);
  }
}

function formatResult(result: Record<string, unknown>, quirks: DeliveryQuirks): Record<string, unknown> {
  if (!quirks.stringResultCodes) return result;
  return { code: String(result.code), subCode: String(result.subcode), message: result.message };
}
