import { randomUUID } from 'node:crypto';

import { journey } from './journey';
import type { ScenarioResult } from './scenarioRunner';
import type { ScenarioTarget } from './scenarios';

/** What the journeys read from the service's answers: a call, an operation, a roster or events. */
interface Answer {
  id?: string;
  state?: string | null;
  status?: string;
  startedByService?: boolean;
  startedWith?: { answered?: { caller?: unknown } };
  invitees?: Array<{ outcome: string }>;
  participants?: Array<{ info?: { identity?: Record<string, { id?: string } | undefined> } }>;
  events?: Array<{ type: string; identity?: Record<string, { id?: string } | undefined> }>;
  error?: { details?: Array<{ path: string }> };
}

const simulator = (target: ScenarioTarget) => async (path: string, body: unknown) =>
  (await (await fetch(`${target.simulatorUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as {
    id?: string;
  };

type Steps = ReturnType<typeof journey<Answer>>;

/** Hangs up, and waits until the call says it ended. */
async function hangUp({ api, until, note }: Steps, callId: string): Promise<void> {
  note(`hang up -> ${(await api('DELETE', `/api/calls/${callId}`)).status}`);
  const ended = await until(
    'call terminated',
    () => api('GET', `/api/calls/${callId}`),
    (r) => r.body?.state === 'terminated',
  );
  note(`call ${ended.body?.state}`);
}

const names = (identity: Record<string, { id?: string } | undefined> | undefined, id: string) =>
  Object.values(identity ?? {}).some((i) => i?.id === id);

/**
 * A call to a phone number, as `npm start` configures the service (PSTN_APPLICATION_INSTANCE_ID):
 * it goes out from the resource account, the number answers, the service hangs up.
 */
export async function runPhoneCallJourney(
  target: ScenarioTarget,
  options: { timeoutMs?: number; pollIntervalMs?: number } = {},
): Promise<ScenarioResult> {
  const steps = journey<Answer>(target, options);
  const { timeline, mismatches, note, api, until } = steps;
  const number = '+14255550123';
  const started = await api('POST', '/api/calls', { targets: [{ identity: { phone: { id: number } } }] });
  note(`call ${number} -> ${started.status} ${started.body?.state ?? ''}`);
  if (started.status === 400) {
    mismatches.push('refused: is PSTN_APPLICATION_INSTANCE_ID set (npm start sets it)?');
    return { name: 'call a phone number', ok: false, mismatches, timeline };
  }
  const callId = started.body?.id as string;
  const call = await until(
    'call established',
    () => api('GET', `/api/calls/${callId}`),
    (r) => r.status === 200,
  );
  note(`poll Location -> ${call.status} ${call.body?.state}`);
  const roster = await until(
    'the number in the roster',
    () => api('GET', `/api/calls/${callId}/participants`),
    (r) => (r.body?.participants ?? []).some((p) => names(p.info?.identity, number)),
  );
  note(`roster: ${(roster.body?.participants ?? []).length} in the call, ${number} among them`);
  await hangUp(steps, callId);
  return { name: 'call a phone number from the resource account', ok: mismatches.length === 0, mismatches, timeline };
}

/**
 * The hotline, as examples/logic-apps/hotline does it (INCOMING_CALLS=answer): someone dials the
 * bot's number, the service answers, the on-call person is invited into that call, and when they
 * leave the call is hung up.
 */
export async function runHotlineJourney(
  target: ScenarioTarget,
  options: { timeoutMs?: number; pollIntervalMs?: number; applicationInstanceId?: string } = {},
): Promise<ScenarioResult> {
  const steps = journey<Answer>(target, options);
  const { timeline, mismatches, note, api, until } = steps;
  const sim = simulator(target);
  const caller = '+14255550199';
  const callId = (
    await sim('/_sim/incoming', {
      caller: { phone: { id: caller } },
      applicationInstanceId: options.applicationInstanceId ?? randomUUID(),
    })
  ).id!;
  note(`${caller} dials the bot's number: Graph notifies an incoming call ${callId}`);
  const answered = await until(
    'call answered and established',
    () => api('GET', `/api/calls/${callId}`),
    (r) => r.status === 200 && r.body?.state === 'established',
  );
  note(`the service answered -> ${answered.body?.state}, startedByService ${answered.body?.startedByService}`);
  if (!answered.body?.startedWith?.answered) mismatches.push('the call does not say it was answered');
  const events = await api('GET', `/api/calls/${callId}/events`);
  const incoming = events.body?.events?.find((e) => e.type === 'incoming');
  note(`incoming event: the caller ${names(incoming?.identity, caller) ? caller : 'missing'}`);
  if (!names(incoming?.identity, caller)) mismatches.push('the incoming event does not name the caller');

  const onCall = { user: { id: randomUUID(), displayName: 'On-call engineer' } };
  const invited = await api('POST', `/api/calls/${callId}/participants/invite`, {
    participants: [{ identity: onCall }],
  });
  note(`invite the on-call engineer -> ${invited.status} ${invited.body?.status}`);
  const op = await until(
    'the engineer joined',
    () => api('GET', `/api/calls/${callId}/operations/${invited.body?.id}`),
    (r) => r.body?.invitees?.[0]?.outcome === 'joined',
  );
  note(`invite ${op.body?.status}, engineer ${op.body?.invitees?.[0]?.outcome}`);
  await sim('/_sim/participants', { callId, identity: onCall, action: 'leave' });
  await until(
    'the engineer left',
    () => api('GET', `/api/calls/${callId}/events`),
    (r) => (r.body?.events ?? []).some((e) => e.type === 'left' && names(e.identity, onCall.user.id)),
  );
  note('the engineer leaves: a left event, so the Logic App hangs up');
  await hangUp(steps, callId);
  return {
    name: 'the hotline: answer a call, invite the on-call engineer',
    ok: mismatches.length === 0,
    mismatches,
    timeline,
  };
}
