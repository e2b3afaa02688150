import { randomUUID } from 'node:crypto';

import { journey } from './journey';
import type { ScenarioResult } from './scenarioRunner';
import type { ScenarioTarget } from './scenarios';

/** A Teams join link as Teams shows it, to a meeting the simulator makes up. */
export function sampleJoinLink(): string {
  const thread = `19:meeting_${randomUUID().replace(/-/g, '')}@thread.v2`;
  const context = { Tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', Oid: randomUUID() };
  return `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread)}/0?context=${encodeURIComponent(JSON.stringify(context))}`;
}

/** What the journey reads from the service's answers: a call, an operation or a roster. */
interface Answer {
  id?: string;
  state?: string | null;
  status?: string;
  invitees?: Array<{ outcome: string }>;
  participants?: Array<{ id?: string | null; info?: { identity?: Record<string, { id?: string } | undefined> } }>;
}

interface EventsAnswer {
  events?: Array<{ type: string; key?: string }>;
}

/**
 * The journey a Logic App makes with the service alone, through its public API: join a meeting
 * from its link → invite someone → they join → remove them → hang up. Each step polls as the
 * Logic Apps HTTP action does (Location, Retry-After) and goes into the timeline.
 */
export async function runCallJourney(
  target: ScenarioTarget,
  options: { timeoutMs?: number; pollIntervalMs?: number } = {},
): Promise<ScenarioResult> {
  const { timeline, mismatches, note, api, until } = journey<Answer>(target, options);

  const joined = await api('POST', '/api/calls', {
    joinWebUrl: sampleJoinLink(),
    clientContext: `journey-${randomUUID()}`,
  });
  const callId = joined.body?.id as string;
  note(`join the meeting -> ${joined.status}, call ${callId} (${joined.body?.state ?? 'not reported yet'})`);
  if (joined.status !== 202 && joined.status !== 200)
    return { name: 'own a call', ok: false, mismatches: [`POST /api/calls answered ${joined.status}`], timeline };
  const location = joined.headers.get('location') ?? `/api/calls/${callId}`;
  const call = await until(
    'call established',
    () => api('GET', location),
    (r) => r.status === 200,
  );
  note(`poll Location -> ${call.status} ${call.body?.state}`);

  const person = { identity: { user: { id: randomUUID(), displayName: 'On-call engineer' } } };
  const invited = await api('POST', `/api/calls/${callId}/participants/invite`, { participants: [person] });
  note(`invite the on-call engineer -> ${invited.status} ${invited.body?.status}`);
  const outcome = (op: { body?: { status?: string; invitees?: Array<{ outcome: string }> } }) =>
    op.body?.invitees?.[0]?.outcome;
  const op = await until(
    'invitee joined',
    () => api('GET', `/api/calls/${callId}/operations/${invited.body?.id}`),
    (r) => r.body?.status === 'completed' && outcome(r) === 'joined',
  );
  note(`invite ${op.body?.status}, invitee ${outcome(op)}`);

  const roster = await api('GET', `/api/calls/${callId}/participants`);
  const entry = (roster.body?.participants ?? []).find((p) =>
    Object.values(p.info?.identity ?? {}).some((i) => i?.id === person.identity.user.id),
  );
  note(`roster: ${(roster.body?.participants ?? []).length} in the call, the engineer as participant ${entry?.id}`);
  if (!entry?.id) mismatches.push('the invitee has no participant id in the roster');
  const removed = await api('DELETE', `/api/calls/${callId}/participants/${entry?.id}`);
  note(`remove them -> ${removed.status}`);
  const left = await until(
    'invitee left',
    () => api('GET', `/api/calls/${callId}/operations/${invited.body?.id}`),
    (r) => outcome(r) === 'left',
  );
  note(`invitee ${outcome(left)}`);

  const hungUp = await api('DELETE', `/api/calls/${callId}`);
  note(`hang up -> ${hungUp.status}`);
  const ended = await until(
    'call terminated',
    () => api('GET', `/api/calls/${callId}`),
    (r) => r.body?.state === 'terminated',
  );
  note(`call ${ended.body?.state}`);
  const again = await api('DELETE', `/api/calls/${callId}`);
  if (again.status !== 204) mismatches.push(`hanging up an ended call answered ${again.status}, not 204`);

  // The call's events tell the same story: who joined and left, then the end.
  const events = (
    await until(
      'callEnded event',
      () => api('GET', `/api/calls/${callId}/events`),
      (r) => (r.body as EventsAnswer | undefined)?.events?.at(-1)?.type === 'callEnded',
    )
  ).body as EventsAnswer | undefined;
  const told = (events?.events ?? []).map((e) => (e.key === entry?.id ? `${e.type} (the engineer)` : e.type));
  note(`events: ${told.join(', ')}`);
  for (const wanted of ['joined (the engineer)', 'left (the engineer)', 'callEnded'])
    if (!told.includes(wanted)) mismatches.push(`no "${wanted}" among the call's events`);
  return {
    name: 'own a call: join a meeting, invite, remove, hang up',
    ok: mismatches.length === 0,
    mismatches,
    timeline,
  };
}
