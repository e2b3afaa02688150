import { sampleJoinLink } from './callJourney';
import { journey } from './journey';
import type { ScenarioResult } from './scenarioRunner';
import type { ScenarioTarget } from './scenarios';

interface Answer {
  id?: string;
  state?: string;
  participants?: Array<{ key: string }>;
  events?: EventBody[];
}

interface EventBody {
  sequence: number;
  type: string;
  identity?: { user?: { displayName?: string } };
}

/**
 * A meeting as Graph reports it, through the public API: the bot joins, people arrive (one via the
 * lobby), someone mutes (Graph resends everyone: no event), someone leaves (missing from the next
 * whole roster), and the organizer ends the meeting (a roster of the bot alone, then the call
 * ends). The call's events tell it, in order, once each.
 */
export async function runRosterJourney(
  target: ScenarioTarget,
  options: { timeoutMs?: number; pollIntervalMs?: number } = {},
): Promise<ScenarioResult> {
  const { timeline, mismatches, note, api, until } = journey<Answer>(target, { pollIntervalMs: 300, ...options });
  const sim = async (path: string, body: unknown) =>
    (
      await fetch(`${target.simulatorUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).status;
  const events = async (callId: string) => (await api('GET', `/api/calls/${callId}/events`)).body?.events ?? [];
  const joined = await api('POST', '/api/calls', { joinWebUrl: sampleJoinLink() });
  const callId = joined.body?.id as string;
  await until(
    'the bot in the meeting',
    () => api('GET', `/api/calls/${callId}`),
    (r) => r.body?.state === 'established',
  );
  note(`the bot joins the meeting: call ${callId}`);
  const people = {
    dana: { user: { id: 'dana-0001', displayName: 'Dana' } },
    eli: { user: { id: 'eli-0002', displayName: 'Eli' } },
  };
  const says = { join: 'joins', lobby: 'waits in the lobby', mute: 'mutes', leave: 'leaves' } as const;
  const change = async (who: keyof typeof people, action: keyof typeof says) => {
    await sim('/_sim/participants', { callId, identity: people[who], action });
    note(`${people[who].user.displayName} ${says[action]}: Graph sends the whole roster`);
  };
  await change('dana', 'join');
  await change('eli', 'lobby');
  await change('eli', 'join');
  await change('dana', 'mute');
  await change('dana', 'leave');
  const roster = await until(
    'Dana gone from the roster',
    () => api('GET', `/api/calls/${callId}/participants`),
    (r) => (r.body?.participants ?? []).every((p) => p.key !== 'user:dana-0001'),
  );
  note(`roster: ${(roster.body?.participants ?? []).map((p) => p.key).join(', ')}`);
  await sim('/_sim/end-meeting', { callId });
  note('the organizer ends the meeting: a roster of the bot alone, then the call ends');

  const told = await until(
    'callEnded',
    () => events(callId),
    (list) => list.at(-1)?.type === 'callEnded',
  );
  // Graph names the people of a call the bot started by participant id: the events say who by identity.
  const story = told.map((e) => `${e.type}${e.identity?.user?.displayName ? ` ${e.identity.user.displayName}` : ''}`);
  note(`events: ${story.join(', ')}`);
  const wanted = ['joined Dana', 'inLobby Eli', 'joined Eli', 'left Dana', 'left Eli', 'callEnded'];
  // The meeting's organizer is in it from the start (and leaves at its end): only the people above are checked.
  const ours = story.filter((s) => s === 'callEnded' || /Dana|Eli/.test(s));
  if (JSON.stringify(ours) !== JSON.stringify(wanted))
    mismatches.push(`events are [${ours.join(', ')}], expected [${wanted.join(', ')}]`);
  if (told.some((e, i) => e.sequence !== i + 1)) mismatches.push('event sequence numbers are not 1, 2, 3, ...');
  return {
    name: 'whole rosters: people join, mute, leave; the meeting ends',
    ok: mismatches.length === 0,
    mismatches,
    timeline,
  };
}
