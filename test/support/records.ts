import type { OperationRecord } from '../../src/operations/operationRecord';

/** A running invite operation as stored, for unit tests of the rules that read it. */
export const operationRecord = (overrides: Partial<OperationRecord> = {}): OperationRecord => ({
  callId: 'c',
  id: 'o',
  graphOperationId: 'o',
  type: 'inviteParticipantsOperation',
  clientContext: 'ctx',
  status: 'running',
  resultInfo: null,
  extra: {},
  participants: null,
  createdDateTime: '2026-01-01T00:00:00.000Z',
  lastModifiedDateTime: '2026-01-01T00:00:00.000Z',
  terminalDateTime: null,
  callbackUrl: null,
  webhook: null,
  inviteTraceParent: null,
  ...overrides,
});
