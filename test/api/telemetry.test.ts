import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { simulatorApi } from '../../dev/scenarioRunner';
import { type HostProcess, startHostProcess } from '../../dev/stack';
import { call, stack, userInvitee, waitFor } from '../support/api';

let host: HostProcess;
beforeAll(async () => {
  host = await startHostProcess({ env: stack.hostEnv });
});
afterAll(() => host?.stop());

/** The structured events the host logged: `[level] function: {"event": ...}`. */
const events = () =>
  host.lines.flatMap((line) => {
    const json = /^\[\w+\] \w+: (\{"event".*)$/.exec(line)?.[1];
    return json ? [JSON.parse(json) as Record<string, any>] : [];
  });

describe('telemetry', () => {
  it("logs structured events a call's whole history can be queried by, linked to the invite's trace", async () => {
    const callId = await simulatorApi({ ...stack, hostUrl: host.url }).createCall();
    const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const started = await call('POST', `/api/calls/${callId}/participants/invite`, {
      baseUrl: host.url,
      headers: { traceparent: traceParent },
      body: { participants: [userInvitee()], clientContext: 'traced' },
    });
    const operationId = started.body.id;
    await waitFor(
      async () =>
        events().some(
          (e) => e.event === 'operation.updated' && e.operationId === operationId && e.status === 'completed',
        )
          ? true
          : undefined,
      15_000,
      'the completion event',
    );

    const accepted = events().find((e) => e.event === 'invite.accepted' && e.operationId === operationId);
    expect(accepted).toMatchObject({
      callId,
      clientContext: 'traced',
      status: 'running',
      inviteTraceParent: traceParent,
    });
    expect(accepted!.graphRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const updates = events().filter((e) => e.event === 'operation.updated' && e.operationId === operationId);
    expect(updates.at(-1)!.status).toBe('completed');
    for (const update of updates)
      expect(update).toMatchObject({ callId, clientContext: 'traced', inviteTraceParent: traceParent });
    const roster = events().find(
      (e) => e.event === 'notifications.applied' && e.items.some((i: { callId: string }) => i.callId === callId),
    );
    // The whole roster: the bot and the invitee, one joined event (none for the bot).
    expect(roster!.items[0]).toMatchObject({
      callId,
      kind: 'roster',
      changeType: 'updated',
      participants: 2,
      events: 1,
    });
    // Graph's support headers of each callback, which Microsoft support asks for, are logged with the call.
    const support = {
      clientRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scenarioId: expect.any(String),
      chainId: expect.any(String),
      messageId: expect.any(String),
    };
    for (const event of [...updates, roster!]) expect(event.graphCallback).toEqual(support);
    expect(new Set(updates.map((u) => u.graphCallback.chainId)).size).toBe(1); // one call chain
    expect(new Set(updates.map((u) => u.graphCallback.messageId)).size).toBe(updates.length);
  });
});
