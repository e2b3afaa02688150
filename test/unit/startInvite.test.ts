import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { operationNotification } from '../../dev/graphPayloads';
import { Conflict, GraphAnswerUnusable, GraphOutcomeUnknown, GraphRefused, InProgress } from '../../src/errors';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { parseInviteRequest } from '../../src/operations/parseInviteRequest';
import { type InviteCommand, startInvite } from '../../src/operations/startInvite';
import { inviteDeps, notificationDeps } from '../../src/services';
import {
  accepts,
  fails,
  type GraphAnswer,
  memoryServices,
  scriptedGraph,
  silentLog,
  TestClock,
} from '../support/inProcess';

const callId = () => randomUUID();
const user = () => ({ identity: { user: { id: randomUUID() } } });

/** The invite use case on in-memory stores, with Graph answering as scripted and a clock of the test's. */
function setup(...script: GraphAnswer[]) {
  const graph = scriptedGraph(...script);
  const clock = new TestClock();
  const services = memoryServices({ graph: graph.gateway, clock });
  const invite = (command: { callId: string; body: Record<string, unknown> }) => {
    const cmd: InviteCommand = {
      callIdAsGiven: command.callId,
      callId: command.callId,
      request: parseInviteRequest(command.body, true),
      rawBody: command.body,
    };
    return startInvite(inviteDeps(services, silentLog), cmd);
  };
  const notify = (body: unknown) => applyNotifications(notificationDeps(services, silentLog), body);
  return { graph, clock, services, invite, notify };
}

const unknown = () => fails(new GraphOutcomeUnknown('Graph answered 504', 504));

describe('starting an invite (in process)', () => {
  it('calls Graph once however many requests race with one clientContext', async () => {
    const { graph, invite } = setup(accepts({ delayMs: 20 }));
    const id = callId();
    const body = { participants: [user()], clientContext: 'race' };
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => invite({ callId: id, body })));
    expect(graph.sent).toHaveLength(1);
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const waiting = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const err of waiting) expect(err).toBeInstanceOf(InProgress);
    expect(new Set(accepted.map((op) => op.id)).size).toBe(1);
    expect((await invite({ callId: id, body })).id).toBe(accepted[0]!.id); // a repeat answers from storage
    expect(graph.sent).toHaveLength(1);
  });

  it('answers a Conflict for the same clientContext with another body, without calling Graph', async () => {
    const { graph, invite } = setup();
    const id = callId();
    await invite({ callId: id, body: { participants: [user()], clientContext: 'taken' } });
    await expect(
      invite({ callId: id, body: { participants: [user()], clientContext: 'taken' } }),
    ).rejects.toBeInstanceOf(Conflict);
    expect(graph.sent).toHaveLength(1);
  });

  it('keeps nothing of a first attempt Graph refused, so a retry calls Graph again', async () => {
    const { graph, services, invite } = setup(fails(new GraphRefused(403, 'Forbidden', 'No.')), accepts());
    const id = callId();
    const body = { participants: [user()], clientContext: 'refused' };
    await expect(invite({ callId: id, body })).rejects.toBeInstanceOf(GraphRefused);
    expect(await services.operations.getInviteContext(id, 'refused')).toBeUndefined();
    expect((await invite({ callId: id, body })).status).toBe('running');
    expect(graph.sent).toHaveLength(2);
  });

  it('keeps the pending invite when the outcome is unknown, and calls Graph again on retry only if nothing showed it started', async () => {
    const { graph, services, invite } = setup(unknown(), accepts());
    const id = callId();
    const body = { participants: [user()], clientContext: 'unknown' };
    await expect(invite({ callId: id, body })).rejects.toBeInstanceOf(GraphOutcomeUnknown);
    const pending = await services.operations.getInviteContext(id, 'unknown');
    expect(pending?.value).toMatchObject({ operationId: null, sendingSince: null });
    expect((await invite({ callId: id, body })).status).toBe('running');
    expect(graph.sent).toHaveLength(2);
  });

  it("answers a retry from id-less callbacks that proved the invite started, under the service's own id", async () => {
    const { graph, invite, notify } = setup(unknown());
    const id = callId();
    const body = { participants: [user(), user()], clientContext: 'proved' };
    await expect(invite({ callId: id, body })).rejects.toBeInstanceOf(GraphOutcomeUnknown);
    await notify(operationNotification({ callId: id, operationId: null, clientContext: 'proved', status: 'running' }));
    const answered = await invite({ callId: id, body });
    expect(answered).toMatchObject({ status: 'running', graphOperationId: null, participants: body.participants });
    expect(graph.sent).toHaveLength(1);
  });

  it('keeps the row an unknown first attempt needs when a retry is refused', async () => {
    const { services, invite, notify } = setup(unknown(), fails(new GraphRefused(403, 'Forbidden', 'No.')));
    const id = callId();
    const body = { participants: [user(), user()], clientContext: 'kept' };
    await expect(invite({ callId: id, body })).rejects.toBeInstanceOf(GraphOutcomeUnknown);
    await expect(invite({ callId: id, body })).rejects.toBeInstanceOf(GraphRefused);
    expect(await services.operations.getInviteContext(id, 'kept')).toBeDefined();
    await notify(operationNotification({ callId: id, operationId: null, clientContext: 'kept', status: 'running' }));
    expect((await invite({ callId: id, body })).status).toBe('running');
  });

  it('keeps the row and answers GraphAnswerUnusable when Graph accepts without an operation id', async () => {
    const { services, invite } = setup(async () => ({ status: 'Running' }));
    const id = callId();
    await expect(
      invite({ callId: id, body: { participants: [user()], clientContext: 'no-id' } }),
    ).rejects.toBeInstanceOf(GraphAnswerUnusable);
    expect((await services.operations.getInviteContext(id, 'no-id'))?.value.sendingSince).toBeNull();
  });

  it('applies callbacks that came before the answer first: the first terminal status wins, with its resultInfo', async () => {
    const operationId = randomUUID();
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const { invite, notify } = setup(async ({ body }) => {
      await answered;
      return { id: operationId, status: 'Running', clientContext: body.clientContext };
    });
    const id = callId();
    const pending = invite({ callId: id, body: { participants: [user()], clientContext: 'early' } });
    await new Promise((r) => setTimeout(r, 10));
    const first = { code: 500, subcode: 7, message: 'first' };
    await notify(
      operationNotification({
        callId: id,
        operationId: null,
        clientContext: 'early',
        status: 'failed',
        resultInfo: first,
      }),
    );
    await notify(
      operationNotification({
        callId: id,
        operationId,
        clientContext: 'early',
        status: 'completed',
        resultInfo: { code: 200, subcode: 0, message: 'later' },
      }),
    );
    release();
    expect(await pending).toMatchObject({ id: operationId, status: 'failed', resultInfo: first });
  });

  it("keeps the request's participants (replacesCallId) over Graph's echo in a callback that came first", async () => {
    const operationId = randomUUID();
    const { invite, notify, services } = setup(accepts({ id: operationId, delayMs: 20 }));
    const id = callId();
    const participant = { ...user(), replacesCallId: randomUUID() };
    const pending = invite({ callId: id, body: { participants: [participant], clientContext: 'echo' } });
    await new Promise((r) => setTimeout(r, 5));
    await notify(
      operationNotification({
        callId: id,
        operationId,
        clientContext: 'echo',
        status: 'running',
        participants: [{ identity: participant.identity }],
      }),
    );
    await pending;
    expect((await services.operations.get(id, operationId))?.value.participants).toEqual([participant]);
  });
});
