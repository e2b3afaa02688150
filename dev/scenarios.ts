import { randomUUID } from 'node:crypto';

import type { Outcome, SimulatedCall } from './simulator/graphSimulator';

/** Where the scenarios run: the service's public API and the simulator's. */
export interface ScenarioTarget {
  hostUrl: string;
  functionKey: string;
  simulatorUrl: string;
}

export interface ScenarioExpectation {
  status: 'completed' | 'failed';
  resultCode?: number;
  /** The call whose roster shows the invitees (the replaced call for replacesCallId). */
  rosterCallId: string;
  /** Who is in the call: BOT for the bot itself, listed in every roster Graph sends of a call it is in. */
  roster: Array<{ key: string; isInLobby?: boolean }>;
  /** The call's events, `<type> <key>`, oldest first. */
  events: string[];
  /** The callbacks the simulator sends, in order, as the runner describes them. */
  callbacks: string[];
  /** Each invitee's outcome on the operation, by invitee key. */
  invitees: Record<string, string>;
}

export interface PreparedScenario {
  callId: string;
  invite: Record<string, unknown>;
  expect: ScenarioExpectation;
}

export interface Scenario {
  name: string;
  /** Creates the call(s) in the simulator and says what the service should end up showing. */
  prepare(sim: SimulatorApi, options: { ringTimeoutMs: number }): Promise<PreparedScenario>;
}

export interface SimulatorApi {
  /** Creates a call through the simulator's Graph API, with the service as its callbackUri. */
  createCall(settings?: Partial<SimulatedCall>): Promise<string>;
}

/** The bot's own participant in an expected roster (the runner knows its key). */
export const BOT = { key: '<the bot>' };

const user = (id = randomUUID(), displayName = 'Invitee') => ({ identity: { user: { id, displayName } } });

// Graph's roster notifications list everyone in the call, the bot included.
const JOINED = ['operation running', 'roster updated (2)', 'operation completed'];
const NOBODY_JOINED = ['operation running', 'operation failed'];
const idOf = (p: { identity: { user?: { id: string } } }) => p.identity.user!.id;

/** One user per outcome, invited alone, and what the roster and operation then show. */
function singleOutcome(
  name: string,
  outcome: Outcome,
  inviteeOutcome: string,
  expect: (userId: string) => Omit<ScenarioExpectation, 'rosterCallId' | 'invitees'>,
  extra: Partial<SimulatedCall> = {},
): Scenario {
  return {
    name,
    async prepare(sim, { ringTimeoutMs }) {
      const invitee = user();
      const callId = await sim.createCall({ defaultOutcome: outcome, ringTimeoutMs, ...extra });
      const expected = {
        rosterCallId: callId,
        invitees: { [`user:${idOf(invitee)}`]: inviteeOutcome },
        ...expect(idOf(invitee)),
      };
      return { callId, invite: { participants: [invitee], clientContext: randomUUID() }, expect: expected };
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'reference example 1: one user joins (reported as an application)',
    async prepare(sim) {
      const invitee = user();
      const callId = await sim.createCall();
      return {
        callId,
        invite: { participants: [invitee], clientContext: randomUUID() },
        expect: {
          status: 'completed',
          rosterCallId: callId,
          roster: [BOT, { key: `application:${idOf(invitee)}` }],
          events: [`joined application:${idOf(invitee)}`],
          callbacks: JOINED,
          invitees: { [`user:${idOf(invitee)}`]: 'joined' },
        },
      };
    },
  },
  {
    name: 'reference example 2: two users join (operation reported with id null)',
    async prepare(sim) {
      const [a, b] = [user(), user()];
      const callId = await sim.createCall();
      return {
        callId,
        invite: { participants: [a, b], clientContext: randomUUID() },
        expect: {
          status: 'completed',
          rosterCallId: callId,
          roster: [BOT, { key: `application:${idOf(a)}` }, { key: `user:${idOf(b)}` }],
          events: [`joined application:${idOf(a)}`, `joined user:${idOf(b)}`],
          callbacks: ['operation running', 'roster updated (3)', 'operation completed'],
          invitees: { [`user:${idOf(a)}`]: 'joined', [`user:${idOf(b)}`]: 'joined' },
        },
      };
    },
  },
  {
    name: 'reference example 3: a peer-to-peer call is replaced (roster of the replaced call)',
    async prepare(sim) {
      const invitee = user();
      const callId = await sim.createCall();
      const replacedCallId = await sim.createCall();
      return {
        callId,
        invite: { participants: [{ ...invitee, replacesCallId: replacedCallId }], clientContext: randomUUID() },
        expect: {
          status: 'completed',
          rosterCallId: replacedCallId,
          roster: [BOT, { key: `user:${idOf(invitee)}` }],
          events: [`joined user:${idOf(invitee)}`],
          callbacks: JOINED,
          invitees: { [`user:${idOf(invitee)}`]: 'joined' },
        },
      };
    },
  },
  {
    name: 'reference example 4: a phone number joins',
    async prepare(sim) {
      const phone = `+1${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
      const callId = await sim.createCall();
      return {
        callId,
        invite: { participants: [{ identity: { phone: { id: phone } } }], clientContext: randomUUID() },
        expect: {
          status: 'completed',
          rosterCallId: callId,
          roster: [BOT, { key: `phone:${phone}` }],
          events: [`joined phone:${phone}`],
          callbacks: JOINED,
          invitees: { [`phone:${phone}`]: 'joined' },
        },
      };
    },
  },
  singleOutcome('the invitee declines', 'decline', 'notJoined', () => ({
    status: 'failed',
    resultCode: 603,
    roster: [],
    events: [],
    callbacks: NOBODY_JOINED,
  })),
  singleOutcome(
    'the invitee does not answer (Graph rings, then gives up; codes sent as strings)',
    'noAnswer',
    'notJoined',
    () => ({ status: 'failed', resultCode: 408, roster: [], events: [], callbacks: NOBODY_JOINED }),
    { quirks: { stringResultCodes: true } },
  ),
  singleOutcome('Graph rejects the invite at once', 'reject', 'notJoined', () => ({
    status: 'failed',
    resultCode: 403,
    roster: [],
    events: [],
    callbacks: NOBODY_JOINED,
  })),
  singleOutcome('the invitee waits in the lobby', 'lobby', 'inLobby', (id) => ({
    status: 'completed',
    roster: [BOT, { key: `application:${id}`, isInLobby: true }],
    events: [`inLobby application:${id}`],
    callbacks: JOINED,
  })),
  // Graph says someone left by leaving them out of the next whole roster.
  singleOutcome('the invitee joins, then leaves', 'joinThenLeave', 'left', (id) => ({
    status: 'completed',
    roster: [BOT],
    events: [`joined application:${id}`, `left application:${id}`],
    callbacks: [...JOINED, 'roster updated (1)'],
  })),
  singleOutcome(
    'callbacks arrive twice, out of order, with a late running',
    'join',
    'joined',
    (id) => ({
      status: 'completed',
      roster: [BOT, { key: `application:${id}` }],
      events: [`joined application:${id}`],
      callbacks: [
        'operation running',
        'operation running',
        'operation completed',
        'operation completed',
        'roster updated (2)',
        'roster updated (2)',
        'operation running',
        'operation running',
      ],
    }),
    { quirks: { duplicate: true, outOfOrder: true, lateRunning: true } },
  ),
];
