import { z } from 'zod';

import { boundedId, MAX_PATH_CHARS } from './limits';
import { OperationStatusSchema } from './operationStatus';
import { ResultInfo } from './resultInfo';

/** Any commsOperation (inviteParticipantsOperation, playPromptOperation, ...) as Graph reports it. */
export const CommsOperation = z.looseObject({
  '@odata.type': boundedId().optional(),
  '@odata.id': z.string().max(MAX_PATH_CHARS).optional(),
  id: boundedId().nullish(),
  status: OperationStatusSchema,
  clientContext: boundedId().nullish(),
  resultInfo: ResultInfo.nullish(),
  participants: z.array(z.unknown()).nullish(),
});
export type CommsOperation = z.infer<typeof CommsOperation>;

/** `#microsoft.graph.inviteParticipantsOperation` -> `inviteParticipantsOperation`. */
export function operationTypeName(odataType: string | undefined): string {
  const name = odataType?.split('.').pop()?.trim();
  return name ? name.replace(/^#/, '') : 'commsOperation';
}

// The fields modelled above; every other field Graph reports (completionReason, recordingLocation, ...) is kept as is.
const MODELLED = new Set([
  '@odata.type',
  '@odata.context',
  'id',
  'status',
  'clientContext',
  'resultInfo',
  'participants',
]);
/** What the other fields may take in all, as JSON: far above what any operation type carries. */
export const MAX_EXTRA_CHARS = 32_000;

/** The fields of an operation beyond the modelled ones, as Graph reported them. */
export function operationExtra(op: CommsOperation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(op).filter(([key]) => !MODELLED.has(key)));
}
