import type { CallRecord } from '../roster/rosterRecord';
import type { CallBody } from '../schemas/responses';

/** The call as the contract shows it (never its callbackUrl). */
export function toCallBody(callId: string, call: CallRecord | undefined): CallBody {
  return {
    id: callId,
    state: call?.state ?? null,
    resultInfo: call?.resultInfo ?? null,
    clientContext: call?.started?.clientContext ?? null,
    startedByService: Boolean(call?.started),
    ...(call?.started ? { startedWith: call.started.startedWith } : {}),
    createdDateTime: call?.started?.createdDateTime ?? null,
    lastModifiedDateTime: call?.lastModifiedDateTime ?? null,
  };
}
