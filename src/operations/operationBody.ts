import type { InviteeView } from '../invitees/inviteeOutcomes';
import type { OperationBody } from '../schemas/responses';
import type { OperationRecord } from './operationRecord';

/** The operation as the HTTP contract shows it (never its callbackUrl). */
export function toOperationBody(r: OperationRecord, invitees?: InviteeView[]): OperationBody {
  return {
    // Every other field Graph reported comes first, so the modelled ones below always win.
    ...r.extra,
    '@odata.type': `#microsoft.graph.${r.type}`,
    id: r.id,
    callId: r.callId,
    clientContext: r.clientContext,
    status: r.status,
    resultInfo: r.resultInfo,
    participants: (r.participants ?? []) as Array<Record<string, unknown>>,
    ...(invitees ? { invitees } : {}),
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.lastModifiedDateTime,
  };
}
