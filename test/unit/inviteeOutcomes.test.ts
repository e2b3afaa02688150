import { describe, expect, it } from 'vitest';

import { deriveInviteeOutcomes, inviteesOf, outcomesSettled, rosterCallsOf } from '../../src/invitees/inviteeOutcomes';
import type { OperationRecord } from '../../src/operations/operationRecord';
import type { PresenceEntry } from '../../src/roster/rosterRecord';
import { operationRecord } from '../support/records';

const CALL = 'ab6233a5-20b7-4c5e-bea2-ce56c9776429';
const REPLACED = 'a7ebfb2d-871e-419c-87af-27290b22e8db';
const A = '278405a3-f568-4b3e-b684-009193463064';
const op = (overrides: Partial<OperationRecord> = {}): OperationRecord =>
  operationRecord({ callId: CALL, participants: [{ identity: { user: { id: A, displayName: 'A' } } }], ...overrides });
const seen = (overrides: Partial<PresenceEntry> = {}): PresenceEntry => ({
  callId: CALL,
  identityId: A,
  present: true,
  isInLobby: false,
  lastModifiedDateTime: '2026-01-01T00:00:05.000Z',
  ...overrides,
});
const outcomeOf = (
  record: OperationRecord,
  presence: PresenceEntry[],
  at = '2026-01-01T00:00:10.000Z',
  ring = 60_000,
) =>
  deriveInviteeOutcomes(record, inviteesOf(record), presence, new Date(at), ring).map((v) => [
    v.outcome,
    v.lastChangedDateTime,
  ]);

describe('invitee outcomes', () => {
  it('is pending while the invite runs and nobody is in the roster', () => {
    expect(outcomeOf(op(), [])).toEqual([['pending', '2026-01-01T00:00:00.000Z']]);
  });

  it('is joined when the identity is in the roster under any kind, inLobby while waiting there', () => {
    expect(outcomeOf(op(), [seen()])).toEqual([['joined', '2026-01-01T00:00:05.000Z']]);
    expect(outcomeOf(op(), [seen({ isInLobby: true })])[0]![0]).toBe('inLobby');
  });

  it('is left once the roster removed the participant, but a departure before the invite does not count', () => {
    expect(outcomeOf(op(), [seen({ present: false })])[0]![0]).toBe('left');
    expect(outcomeOf(op(), [seen({ present: false, lastModifiedDateTime: '2025-12-31T23:59:00.000Z' })])[0]![0]).toBe(
      'pending',
    );
  });

  it('takes the latest of several roster entries (left, then rejoined)', () => {
    const presence = [
      seen({ present: false, lastModifiedDateTime: '2026-01-01T00:00:06.000Z' }),
      seen({ lastModifiedDateTime: '2026-01-01T00:00:07.000Z' }),
    ];
    expect(outcomeOf(op(), presence)[0]![0]).toBe('joined');
  });

  it('is notJoined at once when the invite failed, and after the ring timeout when it completed without them', () => {
    const failed = op({ status: 'failed', terminalDateTime: '2026-01-01T00:00:03.000Z' });
    expect(outcomeOf(failed, [])).toEqual([['notJoined', '2026-01-01T00:00:03.000Z']]);
    const completed = op({ status: 'completed', terminalDateTime: '2026-01-01T00:00:03.000Z' });
    expect(outcomeOf(completed, [], '2026-01-01T00:01:02.999Z')[0]![0]).toBe('pending');
    expect(outcomeOf(completed, [], '2026-01-01T00:01:03.000Z')).toEqual([['notJoined', '2026-01-01T00:01:03.000Z']]);
  });

  it('watches the replaced call for a replacesCallId invite, and no other call', () => {
    const replacing = op({
      participants: [{ identity: { user: { id: A } }, replacesCallId: REPLACED.replace(/-/g, '').toUpperCase() }],
    });
    expect(rosterCallsOf(replacing, inviteesOf(replacing))).toEqual([CALL, REPLACED]);
    expect(outcomeOf(replacing, [seen({ callId: REPLACED })])[0]![0]).toBe('joined');
    expect(outcomeOf(op(), [seen({ callId: REPLACED })])[0]![0]).toBe('pending');
  });

  it('keys invitees as the roster does, and only invite operations have invitees', () => {
    const phone = op({ participants: [{ identity: { phone: { id: '+12345678901' } } }, { identity: {} }] });
    expect(inviteesOf(phone).map((i) => i.key)).toEqual(['phone:+12345678901']);
    expect(inviteesOf(op({ type: 'playPromptOperation' }))).toEqual([]);
  });

  it('is settled when no invitee is pending', () => {
    const views = deriveInviteeOutcomes(op(), inviteesOf(op()), [seen()], new Date(), 60_000);
    expect(outcomesSettled(views)).toBe(true);
    expect(outcomesSettled(deriveInviteeOutcomes(op(), inviteesOf(op()), [], new Date(), 60_000))).toBe(false);
  });
});
