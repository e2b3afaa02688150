import { describe, expect, it } from 'vitest';

import { parseNotification } from '../../src/notifications/parseNotification';
import { participantKey } from '../../src/roster/participantKey';
import { CommsOperation } from '../../src/schemas/commsOperation';
import { InviteRequest } from '../../src/schemas/inviteRequest';
import { referenceExample } from '../support/fixtures';

const EXAMPLES = [1, 2, 3, 4] as const;

describe('reference 004 requests', () => {
  it.each([1, 3, 4] as const)('accepts the request of example %i as an invite body', (n) => {
    expect(InviteRequest.safeParse(referenceExample(n, 'request')).success).toBe(true);
  });

  it('refuses example 2 (two invitees with replacesCallId), naming each offending field', () => {
    const result = InviteRequest.safeParse(referenceExample(2, 'request'));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'participants.0.replacesCallId',
      'participants.1.replacesCallId',
    ]);
  });
});

describe('reference 004 invite responses', () => {
  it.each(EXAMPLES)('parses the response of example %i with status Running as running', (n) => {
    const op = CommsOperation.parse(referenceExample(n, 'response'));
    expect(op.status).toBe('running');
    expect(op.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(op.clientContext).toBe('f2fa86af-3c51-4bc2-8fc0-475452d9764f');
  });
});

describe('reference 004 operation-completed notifications', () => {
  it('example 1: completed under /app/calls, matched by its id, though changeType is deleted', () => {
    const parsed = parseNotification(referenceExample(1, 'operation-completed-notification').value[0]);
    expect(parsed).toMatchObject({
      kind: 'operation',
      callId: 'ab6233a5-20b7-4c5e-bea2-ce56c9776429',
      operationId: 'eec3812a-fdc3-4fb4-825c-a06c9f35414e',
      status: 'completed',
      type: 'inviteParticipantsOperation',
    });
  });

  it('example 2: id null at /operations/participants leaves only the clientContext to match', () => {
    const parsed = parseNotification(referenceExample(2, 'operation-completed-notification').value[0]);
    expect(parsed.kind).toBe('operation');
    if (parsed.kind !== 'operation') return;
    expect(parsed.operationId).toBeUndefined();
    expect(parsed.clientContext).toBe('f2fa86af-3c51-4bc2-8fc0-475452d9764f');
    expect(parsed.callId).toBe('7531d31f-d10d-44de-802f-c569dbca451c');
  });

  it.each([3, 4] as const)('example %i: completed with its operation id', (n) => {
    const parsed = parseNotification(referenceExample(n, 'operation-completed-notification').value[0]);
    expect(parsed).toMatchObject({
      kind: 'operation',
      status: 'completed',
      callId: 'ab6233a5-20b7-4c5e-bea2-ce56c9776429',
    });
  });
});

describe('reference 004 roster notifications', () => {
  const rosterOf = (n: 1 | 2 | 3 | 4) => {
    const parsed = parseNotification(referenceExample(n, 'roster-notification').value[0]);
    if (parsed.kind !== 'roster') throw new Error(`expected a roster update, got ${parsed.kind}`);
    return parsed;
  };

  it('example 1: the invited user is reported as an application with id null', () => {
    const roster = rosterOf(1);
    expect(roster.changeType).toBe('updated');
    expect(roster.participants.map(participantKey)).toEqual(['application:278405a3-f568-4b3e-b684-009193463064']);
  });

  it('example 2: a roster sent under /operations/participants is a roster, dispatched on resourceData', () => {
    const roster = rosterOf(2);
    expect(roster.callId).toBe('7531d31f-d10d-44de-802f-c569dbca451c');
    expect(roster.participants.map(participantKey)).toEqual([
      'application:7e1b4346-85a6-4bdd-abe3-d11c5d420efe',
      'user:1e126418-44a0-4a94-a6f8-0efe1ad71acb',
    ]);
  });

  it('example 3: the roster arrives for the replaced call id', () => {
    expect(rosterOf(3).callId).toBe('a7ebfb2d-871e-419c-87af-27290b22e8db');
  });

  it('example 4: a PSTN participant is keyed by its phone number', () => {
    expect(rosterOf(4).participants.map(participantKey)).toEqual(['phone:+12345678901']);
  });
});
