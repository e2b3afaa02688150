import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { batch, callNotification, participantOf, rosterNotification, wrap } from '../../dev/graphPayloads';
import { loadInvitees } from '../../src/invitees/loadInvitees';
import { KeyedBatches } from '../../src/keyedBatches';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import type { RosterWrites } from '../../src/roster/applyRosterChange';
import { readEvents } from '../../src/roster/readEvents';
import { readRoster } from '../../src/roster/readRoster';
import { notificationDeps } from '../../src/services';
import { APP_ID, memoryServices, silentLog } from '../support/inProcess';
import { restError } from '../support/memoryStores';

type Json = Record<string, unknown>;

function setup(env: Record<string, string> = {}) {
  const services = memoryServices({ env });
  const notify = (...bodies: Array<{ value: unknown[] }>) =>
    applyNotifications(notificationDeps(services, silentLog), batch(...bodies));
  const roster = async (callId: string) =>
    (await readRoster(services.roster, services.operations, callId, { top: 1000 })).body.participants
      .map((p) => `${p.key}${(p as { isInLobby?: boolean }).isInLobby ? ' (lobby)' : ''}`)
      .sort();
  const events = async (callId: string, after = 0) =>
    (await readEvents(services.roster, services.operations, callId, { top: 1000, after })).body.events.map(
      (e) => `${e.sequence} ${e.type}${e.key ? ` ${e.key}` : ''}`,
    );
  return { services, notify, roster, events };
}

/** The bot's own participant, as Graph lists it in every whole roster (teams4justice's captures). */
const bot = participantOf('application', APP_ID, { id: 'bot-participant' });
const person = (name: string, extra: Json = {}) => participantOf('user', name, extra);
const whole = (callId: string, ...people: Json[]) => rosterNotification(callId, [bot, ...people]);

describe('whole rosters (in process)', () => {
  it('takes an updated roster as the whole roster: who is not listed has left', async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a'), person('b')));
    await notify(whole(callId, person('b'), person('c')));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:b', 'user:c']);
    expect(await events(callId)).toEqual(['1 joined user:a', '2 joined user:b', '3 joined user:c', '4 left user:a']);
  });

  it('makes no event for the service itself, and none for a mute change, which still updates the roster', async () => {
    const { services, notify, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')));
    const writes = services.roster.rosterWrites;
    await notify(whole(callId, person('a', { isMuted: true })));
    expect(services.roster.rosterWrites - writes).toBe(2); // a's row and the head
    expect(await events(callId)).toEqual(['1 joined user:a']);
    const shown = (await readRoster(services.roster, services.operations, callId, { top: 10 })).body.participants;
    expect(shown.find((p) => p.key === 'user:a')).toMatchObject({ isMuted: true });
  });

  it('writes nothing for a roster it already applied', async () => {
    const { services, notify, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a'), person('b')));
    const writes = services.roster.rosterWrites;
    await notify(whole(callId, person('a'), person('b')), whole(callId, person('a'), person('b')));
    expect(services.roster.rosterWrites).toBe(writes);
    expect(await events(callId)).toHaveLength(2);
  });

  it('says inLobby on arrival in the lobby and joined on admission', async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a', { isInLobby: true })));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a (lobby)']);
    await notify(whole(callId, person('a')));
    expect(await events(callId)).toEqual(['1 inLobby user:a', '2 joined user:a']);
  });

  it('lets created add and deleted remove, also a deleted naming only participant ids', async () => {
    const { notify, roster, events, services } = setup();
    const callId = randomUUID();
    await notify(rosterNotification(callId, [person('a', { id: 'p-a' }), person('b', { id: 'p-b' })], 'created'));
    await notify(rosterNotification(callId, [person('c', { id: 'p-c' })], 'created'));
    await notify(rosterNotification(callId, [{ '@odata.type': '#microsoft.graph.participant', id: 'p-b' }], 'deleted'));
    expect(await roster(callId)).toEqual(['p-a', 'p-c']);
    const left = (await readEvents(services.roster, services.operations, callId, { top: 10, after: 3 })).body.events;
    // The identity comes from the row the participant had: the notification named only its id.
    expect(left).toEqual([
      expect.objectContaining({
        sequence: 4,
        type: 'left',
        key: 'p-b',
        identity: expect.objectContaining({ user: expect.objectContaining({ id: 'b' }) }),
      }),
    ]);
    expect(await events(callId)).toHaveLength(4);
  });

  it('leaves everyone and ends the call once when it is terminated, and ignores rosters after that', async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a'), person('b')));
    await notify(callNotification(callId, 'terminated', 'deleted'));
    await notify(callNotification(callId, 'terminated', 'deleted'), whole(callId, person('c')));
    expect(await roster(callId)).toEqual([]);
    expect(await events(callId)).toEqual([
      '1 joined user:a',
      '2 joined user:b',
      '3 left user:a',
      '4 left user:b',
      '5 callEnded',
    ]);
  });

  it("takes a meeting's end as Graph sends it: a roster of the bot alone", async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a'), person('b')));
    await notify(whole(callId));
    expect(await roster(callId)).toEqual(['bot-participant']);
    expect((await events(callId)).slice(2)).toEqual(['3 left user:a', '4 left user:b']);
  });

  it('ignores a roster older than one applied, by rosterSequenceNumber, and orders by arrival without them', async () => {
    const { notify, roster } = setup();
    const callId = randomUUID();
    const numbered = (n: number, ...people: Json[]) =>
      rosterNotification(
        callId,
        [bot, ...people].map((p) => ({ ...p, rosterSequenceNumber: n })),
      );
    await notify(numbered(7, person('a'), person('b')));
    await notify(numbered(5, person('a')));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a', 'user:b']);
    await notify(numbered(7, person('a'), person('b'), person('c'))); // equal: not older, applied
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a', 'user:b', 'user:c']);

    const unnumbered = randomUUID();
    await notify(whole(unnumbered, person('a'), person('b')), whole(unnumbered, person('a')));
    expect(await roster(unnumbered)).toEqual(['bot-participant', 'user:a']);
  });

  it('applies a delta roster as changes in sequenceNumber order, a lower number ignored', async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    const delta = (sequenceNumber: number | string, ...participants: Json[]) =>
      wrap({
        changeType: 'updated',
        resource: `/communications/calls/${callId}/participants`,
        resourceData: { '@odata.type': '#microsoft.graph.deltaParticipants', sequenceNumber, participants },
      });
    await notify(delta(1, bot, person('a'), person('b')));
    await notify(delta('3', { ...person('a'), removedState: { reason: 'left' } }));
    await notify(delta(2, person('c')));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:b']);
    expect(await events(callId)).toEqual(['1 joined user:a', '2 joined user:b', '3 left user:a']);
  });

  it('with ROSTER_UPDATES=changes takes an updated array as changes: nobody leaves by it', async () => {
    const { notify, roster } = setup({ ROSTER_UPDATES: 'changes' });
    const callId = randomUUID();
    await notify(whole(callId, person('a')), rosterNotification(callId, [person('b')]));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a', 'user:b']);
  });

  it('counts a participant listed twice once, as listed last', async () => {
    const { notify, roster, events } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a', { isInLobby: true }), person('a')));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a']);
    expect(await events(callId)).toEqual(['1 joined user:a']);
  });

  it('acknowledges and does not apply a roster larger than a call can list, keeping the one before', async () => {
    const { notify, roster } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')));
    const crowd = Array.from({ length: 1600 }, (_, i) => person(`${'x'.repeat(240)}-${i}`));
    expect(await notify(whole(callId, ...crowd))).toEqual({ applied: 1, skipped: 0 });
    expect(await roster(callId)).toEqual(['bot-participant', 'user:a']);
    expect(silentLog.lines.some((l) => l.includes('more than a call') && l.includes('1601 participants'))).toBe(true);
  });

  it("keeps an event's identity to each kind's id, name and tenant, whatever else the roster carries", async () => {
    const { notify, services } = setup();
    const callId = randomUUID();
    const padded = participantOf('user', 'a', {
      info: { identity: { user: { id: 'a', displayName: 'A', tenantId: 't', note: 'x'.repeat(40_000) } } },
    });
    await notify(whole(callId, padded));
    const page = await readEvents(services.roster, services.operations, callId, { top: 10, after: 0 });
    expect(page.body.events[0]).toMatchObject({ identity: { user: { id: 'a', displayName: 'A', tenantId: 't' } } });
    expect(JSON.stringify(page.body.events[0]).length).toBeLessThan(500);
  });

  it('keys a participant alike in every GUID form of its id', async () => {
    const { notify, roster } = setup();
    const callId = randomUUID();
    const id = randomUUID();
    await notify(whole(callId, person('a', { id })));
    await notify(whole(callId, person('a', { id: id.replace(/-/g, '').toUpperCase() })));
    expect(await roster(callId)).toEqual([id, 'bot-participant'].sort());
  });

  it('makes the incoming event once, with the caller', async () => {
    const { notify, services } = setup({ INCOMING_CALLS: 'ignore' });
    const callId = randomUUID();
    const incoming = wrap({
      changeType: 'created',
      resource: `/app/calls/${callId}`,
      resourceData: {
        '@odata.type': '#microsoft.graph.call',
        state: 'incoming',
        source: { identity: { user: { id: 'caller-1', displayName: 'Caller' } } },
      },
    });
    await notify(incoming, incoming);
    const page = await readEvents(services.roster, services.operations, callId, { top: 10, after: 0 });
    expect(page.body.events).toEqual([
      expect.objectContaining({
        sequence: 1,
        type: 'incoming',
        identity: { user: { id: 'caller-1', displayName: 'Caller' } },
      }),
    ]);
  });

  it('leaves the same state and the same events when storage fails between the read and the write', async () => {
    const { notify, services, events, roster } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')));
    services.roster.failNextCommit = restError(503, 'ServerBusy');
    await expect(notify(whole(callId, person('b')))).rejects.toMatchObject({ statusCode: 503 });
    expect(await events(callId)).toEqual(['1 joined user:a']);
    await notify(whole(callId, person('b'))); // Graph delivers it again
    await notify(whole(callId, person('b')));
    expect(await roster(callId)).toEqual(['bot-participant', 'user:b']);
    expect(await events(callId)).toEqual(['1 joined user:a', '2 joined user:b', '3 left user:a']);
  });

  it('writes a large change in commits that each fit a transaction, numbering its events on', async () => {
    const { notify, services, roster, events } = setup();
    const callId = randomUUID();
    const commits: number[] = [];
    const commit = services.roster.commit.bind(services.roster);
    services.roster.commit = async (id, c, etag) => {
      commits.push(1 + c.participants.length + c.events.length);
      return commit(id, c, etag);
    };
    const people = Array.from({ length: 150 }, (_, i) => person(`p${String(i).padStart(3, '0')}`));
    await notify(whole(callId, ...people));
    expect(commits.length).toBeGreaterThan(2);
    expect(Math.max(...commits)).toBeLessThanOrEqual(100);
    expect(await roster(callId)).toHaveLength(151);
    const numbers = (await events(callId)).map((e) => Number(e.split(' ')[0]));
    expect(numbers).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it('leaves exactly one of two whole rosters applied at once on two instances, never a mix', async () => {
    const services = memoryServices();
    // Two instances: one store, each with its own queue of roster writes.
    const instances = [0, 1]
      .map(() => new KeyedBatches() as RosterWrites)
      .map(
        (rosterWrites) => (body: { value: unknown[] }) =>
          applyNotifications({ ...notificationDeps(services, silentLog), rosterWrites }, body),
      );
    for (let round = 0; round < 20; round++) {
      const callId = randomUUID();
      const first = Array.from({ length: 30 }, (_, i) => person(`first-${i}`));
      const second = Array.from({ length: 30 }, (_, i) => person(`second-${i}`));
      await instances[0]!(whole(callId, ...first.slice(0, 10)));
      await Promise.all([instances[0]!(whole(callId, ...first)), instances[1]!(whole(callId, ...second))]);
      const shown = (await readRoster(services.roster, services.operations, callId, { top: 1000 })).body.participants
        .map((p) => p.key)
        .filter((k) => k !== 'bot-participant');
      const names = new Set(shown.map((k) => k.replace(/-\d+$/, '')));
      expect(names.size, `round ${round}: ${shown.join(', ')}`).toBe(1);
      expect(shown).toHaveLength(30);
    }
  });

  it('gives an invitee who joined and left the outcome left', async () => {
    const { notify, services } = setup();
    const callId = randomUUID();
    await notify(whole(callId, person('a')));
    await notify(whole(callId));
    const op = {
      id: randomUUID(),
      callId,
      type: 'inviteParticipantsOperation',
      status: 'completed' as const,
      participants: [{ identity: { user: { id: 'a' } } }],
      clientContext: 'x',
      resultInfo: null,
      createdDateTime: '2026-11-26T09:00:00.000Z',
      lastModifiedDateTime: '2026-11-26T09:00:01.000Z',
    };
    const invitees = await loadInvitees(services.roster, op as never, services.now(), 60_000);
    expect(invitees?.[0]).toMatchObject({ key: 'user:a', outcome: 'left' });
  });
});
