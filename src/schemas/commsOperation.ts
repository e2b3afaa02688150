import { z } from 'zod';
import { OperationStatusSchema } from './operationStatus';
import { ResultInfo } from './resultInfo';

/** Any commsOperation (inviteParticipantsOperation, playPromptOperation, ...) as Graph reports it. */
export const CommsOperation = z.looseObject({
  '@odata.type': z.string().optional(),
  '@odata.id': z.string().optional(),
  id: z.string().nullish(),
  status: OperationStatusSchema,
  clientContext: z.string().nullish(),
  resultInfo: ResultInfo.nullish(),
  participants: z.array(z.unknown()).nullish(),
});
export type CommsOperation = z.infer<typeof CommsOperation>;

/** `#microsoft.graph.inviteParticipantsOperation` -> `inviteParticipantsOperation`. */
export function operationTypeName(odataType: string | undefined): string {
  const name = odataType?.split('.').pop()?.trim();
  return name ? name.replace(/^#/, '') : 'commsOperation';
}
