import { randomUUID } from 'node:crypto';

import {
  callNotification,
  type Identities,
  incomingCallNotification,
  participant,
  plainUpperGuid,
  rosterNotification,
  type RosterPath,
} from '../graphPayloads';

type Json = Record<string, unknown>;

const namesPhone = (item: Json) => Boolean((item.identity as Json | undefined)?.phone);

/** A call the bot started through Graph (POST /communications/calls), or one someone placed to it. */
export interface LiveCall {
  id: string;
  callbackUri: string;
  state: 'incoming' | 'establishing' | 'established' | 'terminating' | 'terminated';
  direction: 'incoming' | 'outgoing';
  /** Who is in the call, as roster entries by member key (the participant id, or an invitee's identity id). */
  members: Map<string, Json>;
  keepAlives: number;
  lastKeepAliveAt: number;
  rejected?: { reason: string; at: string };
  /** The bot and one other party (one target, or someone who called it): Graph invites one at a time. */
  peerToPeer: boolean;
  /** Placed from, or to, the bot's resource account: Graph takes phone numbers into a call the bot placed to people only then. */
  applicationInstance: boolean;
  /** A meeting the bot joined (not people it called). */
  meeting: boolean;
  /** Who called the bot (an incoming call): in the roster once the bot answers. */
  caller?: Identities;
}

export interface LifecycleSettings {
  stepDelayMs: number;
  /** Graph ends a call that had no keepAlive for 45 minutes; tests make it short. */
  keepAliveTimeoutMs: number;
}

export interface Answer {
  status: number;
  body?: unknown;
}

const graphError = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What Graph's calling API does with calls, as its published pages show it (application-post-calls,
 * call-keepalive, call-delete, call-reject, participant-delete): a created call answers `201` in
 * state `establishing`, then its callbackUri hears `establishing`, `established` and a roster with the
 * bot and whoever is already there; `keepAlive` answers 200 while the call lives and 404 after;
 * `DELETE` ends it (`terminating`, then `terminated` as `deleted`); a call left without keepAlive
 * past the timeout is ended by Graph; `reject` turns away an incoming call; removing a participant
 * sends a roster `deleted` that names only its id.
 */
export class CallLifecycle {
  readonly calls = new Map<string, LiveCall>();
  /** The rosters of calls the simulator did not start (some other tool's, with the bot in them). */
  private readonly observed = new Map<string, Map<string, Json>>();

  constructor(
    private readonly deliver: (url: string, payload: unknown) => Promise<number>,
    private readonly settings: () => LifecycleSettings,
    private readonly bot: { appId: string; displayName: string },
    private readonly log: (line: string) => void,
  ) {}

  get(callId: string): LiveCall | undefined {
    return this.calls.get(callId.replace(/-/g, '').toLowerCase());
  }

  /** POST /communications/calls. */
  create(body: Json, defaultCallbackUri: string): Answer {
    const callbackUri = typeof body.callbackUri === 'string' ? body.callbackUri : defaultCallbackUri;
    const meetingInfo = body.meetingInfo as Json | undefined;
    const targets = Array.isArray(body.targets) ? (body.targets as Json[]) : [];
    const meeting = meetingInfo && (meetingInfo['@odata.type'] as string | undefined);
    if (!callbackUri) return graphError(400, 'BadRequest', 'callbackUri is required.');
    if (!meeting && targets.length === 0)
      return graphError(400, 'BadRequest', 'Either targets or meetingInfo is required.');
    if (meeting === '#microsoft.graph.organizerMeetingInfo' && !(body.chatInfo as Json | undefined)?.threadId) {
      return graphError(400, 'BadRequest', 'chatInfo.threadId is required to join a meeting by its organizer.');
    }
    if (meeting === '#microsoft.graph.joinMeetingIdMeetingInfo' && !meetingInfo?.joinMeetingId) {
      return graphError(400, 'BadRequest', 'joinMeetingId is required.');
    }
    // A phone number is called only from a resource account (application-post-calls, "Create peer-to-peer PSTN call").
    const applicationInstance = Boolean(
      ((body.source as Json | undefined)?.identity as Json | undefined)?.applicationInstance,
    );
    if (targets.some(namesPhone) && !applicationInstance) {
      return graphError(400, 'BadRequest', 'A call to a phone number needs an application instance as its source.');
    }
    const call: LiveCall = {
      id: randomUUID(),
      callbackUri,
      state: 'establishing',
      direction: 'outgoing',
      members: new Map(),
      keepAlives: 0,
      lastKeepAliveAt: Date.now(),
      peerToPeer: !meeting && targets.length === 1,
      applicationInstance,
      meeting: Boolean(meeting),
    };
    const botId = randomUUID();
    call.members.set(
      botId,
      this.member(botId, { application: { id: this.bot.appId, displayName: this.bot.displayName } }),
    );
    // Whoever the meeting already holds: its organizer (or, by meeting ID, one attendee); a peer call's targets answer.
    const organizer = (meetingInfo?.organizer as { user?: { id?: string } } | undefined)?.user?.id;
    const already: Identities[] = meeting
      ? [{ user: { id: organizer ?? randomUUID(), displayName: 'Organizer' } }]
      : targets.map((t) => (t.identity ?? {}) as Identities);
    for (const identity of already) {
      const id = randomUUID();
      call.members.set(id, this.member(id, identity));
    }
    this.calls.set(call.id.replace(/-/g, ''), call);
    void this.establish(call);
    const { callbackUri: _c, ...rest } = body;
    return {
      status: 201,
      body: {
        '@odata.type': '#microsoft.graph.call',
        ...rest,
        state: 'establishing',
        direction: 'outgoing',
        callbackUri,
        callChainId: randomUUID(),
        myParticipantId: botId,
        id: call.id,
        resultInfo: null,
      },
    };
  }

  /** POST /communications/calls/{id}/keepAlive. */
  keepAlive(callId: string): Answer {
    const call = this.get(callId);
    if (!call || call.state === 'terminated') return graphError(404, 'NotFound', 'The call is gone.');
    call.keepAlives++;
    call.lastKeepAliveAt = Date.now();
    return { status: 200 };
  }

  /** DELETE /communications/calls/{id}. */
  hangUp(callId: string): Answer {
    const call = this.get(callId);
    if (!call || call.state === 'terminated') return graphError(404, 'NotFound', 'The call is gone.');
    void this.terminate(call, { code: 200, subcode: 5001, message: 'The bot hung up.' });
    return { status: 204 };
  }

  /** POST /communications/calls/{id}/reject. */
  reject(callId: string, body: Json): Answer {
    const call = this.get(callId);
    if (!call || call.state !== 'incoming') return graphError(404, 'NotFound', 'No incoming call with this id.');
    call.rejected = { reason: typeof body.reason === 'string' ? body.reason : 'none', at: new Date().toISOString() };
    call.state = 'terminated';
    return { status: 202 };
  }

  /** DELETE /communications/calls/{id}/participants/{participantId}. */
  removeParticipant(callId: string, participantId: string): Answer {
    const call = this.get(callId);
    const member = call && [...call.members].find(([, m]) => m.id === participantId)?.[0];
    if (!call || !member) return graphError(404, 'NotFound', 'No such participant in the call.');
    call.members.delete(member);
    // Graph's roster update for a removal may name the participant by its id alone.
    void this.notify(
      call,
      rosterNotification(
        call.id,
        [{ '@odata.type': '#microsoft.graph.participant', id: participantId }],
        'deleted',
        'communications',
      ),
    );
    return { status: 204 };
  }

  /**
   * Someone calls the bot (/_sim/incoming): an `incoming` call notification to the given callbackUri,
   * the call id written as the answer page writes it (`57DAB8B1...`), placed to the bot or, when
   * `applicationInstanceId` is given, to its resource account's number.
   */
  placeIncoming(
    callbackUri: string,
    options: { id?: string; caller?: Identities; applicationInstanceId?: string } = {},
  ): LiveCall {
    const callId = plainUpperGuid(options.id ?? randomUUID());
    const caller = options.caller ?? { user: { id: randomUUID(), displayName: 'Caller' } };
    const call: LiveCall = {
      id: callId,
      callbackUri,
      state: 'incoming',
      direction: 'incoming',
      members: new Map(),
      keepAlives: 0,
      lastKeepAliveAt: Date.now(),
      peerToPeer: true,
      applicationInstance: Boolean(options.applicationInstanceId),
      meeting: false,
      caller,
    };
    this.calls.set(callId.toLowerCase(), call);
    const called: Identities = options.applicationInstanceId
      ? { applicationInstance: { id: options.applicationInstanceId, displayName: 'Hotline' } }
      : { application: { id: this.bot.appId } };
    void this.notify(call, incomingCallNotification(callId, { caller, called }));
    return call;
  }

  /** POST /communications/calls/{id}/answer: the call goes on as one the bot is in (call-answer: 202). */
  answer(callId: string, body: Json): Answer {
    const call = this.get(callId);
    if (!call || call.state !== 'incoming') return graphError(404, 'NotFound', 'No incoming call with this id.');
    if (typeof body.callbackUri === 'string') call.callbackUri = body.callbackUri;
    call.state = 'establishing';
    const botId = randomUUID();
    call.members.set(
      botId,
      this.member(botId, { application: { id: this.bot.appId, displayName: this.bot.displayName } }),
    );
    const callerId = randomUUID();
    call.members.set(callerId, this.member(callerId, call.caller ?? {}));
    void this.establish(call);
    return { status: 202 };
  }

  /** Graph's refusals of an invite into a call the bot placed or answered, as its pages state them. */
  refuseInvite(callId: string, invitees: Json[]): Answer | undefined {
    const call = this.get(callId);
    if (!call) return undefined;
    if (call.peerToPeer && invitees.length > 1) {
      return graphError(
        400,
        'BadRequest',
        'Inviting multiple participants in one request is only supported for group calls.',
      );
    }
    if (invitees.some(namesPhone) && call.direction === 'outgoing' && !call.meeting && !call.applicationInstance) {
      return graphError(
        400,
        'BadRequest',
        'A phone number can be invited only into a call with an application instance.',
      );
    }
    return undefined;
  }

  /**
   * Who is in a call, by member key: a call the bot started keeps its own; any other call has the
   * bot in it (Graph lets an app invite only into calls it is in), named as the reference examples
   * name everyone, with `id: null`.
   */
  rosterOf(callId: string): Map<string, Json> {
    const live = this.get(callId);
    if (live) return live.members;
    const plain = callId.replace(/-/g, '').toLowerCase();
    let members = this.observed.get(plain);
    if (!members) {
      members = new Map([
        ['bot', participant({ application: { id: this.bot.appId, displayName: this.bot.displayName } })],
      ]);
      this.observed.set(plain, members);
    }
    return members;
  }

  /**
   * Changes a call's roster and answers Graph's notification of it: the whole roster, the bot
   * included, whoever changed (captured traffic: teams4justice's sample-calls-notifications.txt).
   * In a call the bot started, Graph names each participant by an id (application-post-calls).
   */
  updateRoster(
    callId: string,
    change: { set?: Array<[string, Json]>; remove?: string[] },
    path: RosterPath = 'communications',
  ): Json {
    const members = this.rosterOf(callId);
    const live = this.get(callId);
    for (const [key, entry] of change.set ?? []) {
      const id = (members.get(key)?.id as string | null | undefined) ?? (live ? randomUUID() : null);
      members.set(key, { ...entry, id });
    }
    for (const key of change.remove ?? []) members.delete(key);
    return rosterNotification(live?.id ?? callId, [...members.values()], 'updated', path);
  }

  /** The organizer ends a meeting: Graph sends the roster of the bot alone, then the call ends. */
  endMeeting(callId: string): Answer {
    const call = this.get(callId);
    if (!call || call.state === 'terminated') return graphError(404, 'NotFound', 'The call is gone.');
    const others = [...call.members].filter(([, m]) => !this.isBot(m)).map(([key]) => key);
    void this.notify(call, this.updateRoster(callId, { remove: others })).then(() =>
      this.terminate(call, { code: 200, subcode: 4097, message: 'The meeting ended.' }),
    );
    return { status: 204 };
  }

  private isBot(member: Json): boolean {
    return (
      (member.info as { identity?: { application?: { id?: string } } } | undefined)?.identity?.application?.id ===
      this.bot.appId
    );
  }

  /**
   * Ends every call the bot is in (placed or answered) left without keepAlive past the timeout, as
   * Graph does after 45 minutes, with the result its delete page lists for it: 408, 8537.
   */
  expireIdle(now = Date.now()): void {
    for (const call of this.calls.values()) {
      const idle = now - call.lastKeepAliveAt;
      if (call.state === 'established' && idle > this.settings().keepAliveTimeoutMs) {
        this.log(`[sim] call ${call.id} ended: no keepAlive for ${idle} ms`);
        void this.terminate(call, {
          code: 408,
          subcode: 8537,
          message: 'The call was ended: no keepAlive within 45 minutes.',
        });
      }
    }
  }

  private member(id: string, identity: Identities): Json {
    return participant(identity, { extra: { id } });
  }

  private async establish(call: LiveCall): Promise<void> {
    const { stepDelayMs } = this.settings();
    await sleep(stepDelayMs);
    await this.notify(call, callNotification(call.id, 'establishing'));
    await sleep(stepDelayMs);
    if (call.state !== 'establishing') return; // hung up meanwhile
    call.state = 'established';
    call.lastKeepAliveAt = Date.now();
    await this.notify(call, callNotification(call.id, 'established'));
    await this.notify(call, rosterNotification(call.id, [...call.members.values()], 'updated', 'communications'));
  }

  private async terminate(call: LiveCall, resultInfo: Json): Promise<void> {
    call.state = 'terminating';
    await this.notify(call, callNotification(call.id, 'terminating'));
    await sleep(this.settings().stepDelayMs);
    call.state = 'terminated';
    await this.notify(call, callNotification(call.id, 'terminated', 'deleted', resultInfo));
  }

  private async notify(call: LiveCall, payload: unknown): Promise<void> {
    await this.deliver(call.callbackUri, payload).catch((err: unknown) =>
      this.log(`[sim] callback failed: ${String(err)}`),
    );
  }
}
