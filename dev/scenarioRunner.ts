import { BOT, type Scenario, type ScenarioExpectation, type ScenarioTarget, type SimulatorApi } from './scenarios';

export interface TimelineEvent {
  atMs: number;
  what: string;
}

export interface ScenarioResult {
  name: string;
  ok: boolean;
  mismatches: string[];
  timeline: TimelineEvent[];
}

export interface RunOptions {
  ringTimeoutMs: number;
  /** Poll this often instead of honouring Retry-After (tests); the demo honours it, as Logic Apps does. */
  pollIntervalMs?: number;
  timeoutMs?: number;
  onEvent?: (event: TimelineEvent) => void;
}

type RosterBody = { participants: Array<{ key: string; isInLobby?: boolean }> };
type EventsBody = { events: Array<{ type: string; key?: string }> };
type DeliveryRecord = {
  url: string;
  status: number;
  at: string;
  payload: { value?: Array<{ changeType?: string; resource?: string; resourceData?: unknown }> };
};

/** `operation completed`, `roster updated (2)`: what one callback said, in the scenario's words. */
export function describeCallback(payload: DeliveryRecord['payload']): string {
  const item = payload.value?.[0];
  const data = item?.resourceData;
  if (Array.isArray(data)) return `roster ${item?.changeType} (${data.length})`;
  const status = (data as { status?: string } | undefined)?.status;
  return status ? `operation ${status}` : `${item?.changeType} ${item?.resource}`;
}

async function callbacksFor(target: ScenarioTarget, callIds: string[]): Promise<DeliveryRecord[]> {
  const res = await fetch(`${target.simulatorUrl}/_sim/deliveries`);
  const { deliveries } = (await res.json()) as { deliveries: DeliveryRecord[] };
  return deliveries.filter(
    (d) => callIds.some((id) => d.payload.value?.[0]?.resource?.includes(id)) && d.status !== 0 && d.status < 500,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function simulatorApi(target: ScenarioTarget): SimulatorApi {
  return {
    /** A call some other tool created with this service as its callbackUri (the service only observes it). */
    async createCall(settings = {}) {
      const res = await fetch(`${target.simulatorUrl}/_sim/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ callbackUri: `${target.hostUrl}/api/notifications`, ...settings }),
      });
      return ((await res.json()) as { id: string }).id;
    },
  };
}

/** The roster key of the bot's own participant, which every roster of a call it is in lists. */
async function botRosterKey(target: ScenarioTarget): Promise<string> {
  const res = await fetch(`${target.simulatorUrl}/_sim/bot`);
  return ((await res.json()) as { rosterKey: string }).rosterKey;
}

function rosterMismatches(expected: ScenarioExpectation, botKey: string, roster: RosterBody | undefined): string[] {
  const actual = (roster?.participants ?? []).map((p) => `${p.key}${p.isInLobby ? ' (lobby)' : ''}`).sort();
  const wanted = expected.roster
    .map((p) => `${p.key === BOT.key ? botKey : p.key}${p.isInLobby ? ' (lobby)' : ''}`)
    .sort();
  return JSON.stringify(actual) === JSON.stringify(wanted)
    ? []
    : [`roster is [${actual.join(', ')}], expected [${wanted.join(', ')}]`];
}

/**
 * Walks one scenario through the service's public API as a caller would: invite, follow
 * Location while it answers 202, then read the roster; compares what it sees with the expectation.
 */
export async function runScenario(
  target: ScenarioTarget,
  scenario: Scenario,
  options: RunOptions,
): Promise<ScenarioResult> {
  const started = Date.now();
  const timeline: TimelineEvent[] = [];
  const note = (what: string) => {
    const event = { atMs: Date.now() - started, what };
    timeline.push(event);
    options.onEvent?.(event);
  };
  const headers = { 'x-functions-key': target.functionKey, 'content-type': 'application/json' };
  const deadline = started + (options.timeoutMs ?? options.ringTimeoutMs + 30_000);
  const mismatches: string[] = [];

  const prepared = await scenario.prepare(simulatorApi(target), { ringTimeoutMs: options.ringTimeoutMs });
  note(`call ${prepared.callId} created in the simulator`);
  const invited = await fetch(`${target.hostUrl}/api/calls/${prepared.callId}/participants/invite`, {
    method: 'POST',
    headers,
    body: JSON.stringify(prepared.invite),
  });
  let body = (await invited.json()) as { id?: string; status?: string; resultInfo?: { code?: number } | null };
  const operationUrl = `${target.hostUrl}/api/calls/${prepared.callId}/operations/${body.id}`;
  note(`invite -> ${invited.status} ${body.status ?? JSON.stringify(body)}`);
  let location = invited.headers.get('location');
  let retryAfter = Number(invited.headers.get('retry-after') ?? 1);
  let status = invited.status;
  while (status === 202 && location && Date.now() < deadline) {
    await sleep(options.pollIntervalMs ?? retryAfter * 1000);
    const polled = await fetch(location, { headers });
    status = polled.status;
    body = (await polled.json()) as typeof body;
    location = polled.headers.get('location') ?? location;
    retryAfter = Number(polled.headers.get('retry-after') ?? retryAfter);
    if (status !== 202)
      note(
        `poll Location -> ${status} ${body.status}${body.resultInfo ? ` (resultInfo ${JSON.stringify(body.resultInfo)})` : ''}`,
      );
  }
  if (status !== 200) mismatches.push(`operation still answers ${status} at the deadline`);
  if (body.status !== prepared.expect.status)
    mismatches.push(`operation is ${body.status}, expected ${prepared.expect.status}`);
  if (prepared.expect.resultCode !== undefined && body.resultInfo?.code !== prepared.expect.resultCode) {
    mismatches.push(`resultInfo.code is ${body.resultInfo?.code}, expected ${prepared.expect.resultCode}`);
  }

  // Graph does not order the roster against the operation: give it until the deadline to settle.
  const botKey = await botRosterKey(target);
  let rosterProblems: string[];
  do {
    const res = await fetch(`${target.hostUrl}/api/calls/${prepared.expect.rosterCallId}/participants`, { headers });
    const roster = res.status === 200 ? ((await res.json()) as RosterBody) : undefined;
    rosterProblems = rosterMismatches(prepared.expect, botKey, roster);
    if (rosterProblems.length === 0) {
      note(`roster of ${prepared.expect.rosterCallId}: [${(roster?.participants ?? []).map((p) => p.key).join(', ')}]`);
      break;
    }
    await sleep(100);
  } while (Date.now() < deadline);
  mismatches.push(...rosterProblems);

  // Who joined and left, as the call's events say (none for the bot itself).
  let events: string[];
  do {
    const res = await fetch(`${target.hostUrl}/api/calls/${prepared.expect.rosterCallId}/events`, { headers });
    const page = res.status === 200 ? ((await res.json()) as EventsBody) : { events: [] };
    events = page.events.map((e) => `${e.type}${e.key ? ` ${e.key}` : ''}`);
    if (JSON.stringify(events) === JSON.stringify(prepared.expect.events)) break;
    await sleep(100);
  } while (Date.now() < deadline);
  note(`events: ${events.join(', ') || 'none'}`);
  if (JSON.stringify(events) !== JSON.stringify(prepared.expect.events))
    mismatches.push(`events are [${events.join(', ')}], expected [${prepared.expect.events.join(', ')}]`);

  // Each invitee's outcome, read from the operation once the roster has settled.
  const inviteesOf = (op: { invitees?: Array<{ key: string; outcome: string }> }) =>
    Object.fromEntries((op.invitees ?? []).map((i) => [i.key, i.outcome]));
  let invitees: Record<string, string>;
  do {
    const res = await fetch(operationUrl, { headers });
    invitees = inviteesOf((await res.json()) as never);
    if (JSON.stringify(invitees) === JSON.stringify(prepared.expect.invitees)) break;
    await sleep(100);
  } while (Date.now() < deadline);
  note(
    `invitees: ${Object.entries(invitees)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (JSON.stringify(invitees) !== JSON.stringify(prepared.expect.invitees)) {
    mismatches.push(`invitees are ${JSON.stringify(invitees)}, expected ${JSON.stringify(prepared.expect.invitees)}`);
  }

  // What the simulator sent (and the service answered), merged into the timeline.
  const callIds = [...new Set([prepared.callId, prepared.expect.rosterCallId])];
  let callbacks = await callbacksFor(target, callIds);
  while (callbacks.length < prepared.expect.callbacks.length && Date.now() < deadline) {
    await sleep(100);
    callbacks = await callbacksFor(target, callIds);
  }
  for (const d of callbacks) {
    timeline.push({
      atMs: Date.parse(d.at) - started,
      what: `Graph -> service: ${describeCallback(d.payload)} (answered ${d.status})`,
    });
  }
  timeline.sort((a, b) => a.atMs - b.atMs);
  const described = callbacks.map((d) => describeCallback(d.payload));
  if (JSON.stringify(described) !== JSON.stringify(prepared.expect.callbacks)) {
    mismatches.push(`callbacks were [${described.join(', ')}], expected [${prepared.expect.callbacks.join(', ')}]`);
  }
  return { name: scenario.name, ok: mismatches.length === 0, mismatches, timeline };
}
