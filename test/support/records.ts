import { newOperationRecord, type OperationRecord } from '../../src/operations/operationRecord';

/** A running invite operation as stored, for unit tests of the rules that read it. */
export const operationRecord = (overrides: Partial<OperationRecord> = {}): OperationRecord =>
  newOperationRecord(
    {
      callId: 'c',
      id: 'o',
      graphOperationId: 'o',
      type: 'inviteParticipantsOperation',
      status: 'running',
      clientContext: 'ctx',
      ...overrides,
    },
    '2026-01-01T00:00:00.000Z',
  );
