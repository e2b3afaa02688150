import { z } from 'zod';

export const OPERATION_STATUSES = ['notStarted', 'running', 'completed', 'failed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

const byLowerCase = new Map(OPERATION_STATUSES.map((s) => [s.toLowerCase(), s]));

/** Graph writes `running` and `Running` (reference 002 vs 003); both map to the camelCase value. */
export const OperationStatusSchema = z.string().transform((value, ctx) => {
  const status = byLowerCase.get(value.trim().toLowerCase());
  if (!status) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${OPERATION_STATUSES.join(', ')}` });
    return z.NEVER;
  }
  return status;
});

export const isTerminal = (status: OperationStatus) => status === 'completed' || status === 'failed';
