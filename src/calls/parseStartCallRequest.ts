import { invalidField } from '../errors';
import { requireFitsOneRecord, requireSafeCallbackUrl, requireWellFormedObject } from '../schemas/requestChecks';
import { StartCallRequest } from '../schemas/startCallRequest';
import { invalidInput } from '../schemas/zodIssues';
import type { StartedWith } from './callRecords';
import { parseJoinLink } from './joinLink';

/** What Graph is asked to join or call, and how the service will tell it later (never the passcode). */
export interface CallPlan {
  request: StartCallRequest;
  /** The part of Graph's call body that says what to join or whom to call, and its tenant. */
  graphBody: Record<string, unknown>;
  startedWith: StartedWith;
}

const identity = '#microsoft.graph.identity';

/**
 * Validates a start-call body and turns it into what Graph gets (docs/api.md, "Calls the service owns"): a meeting by its
 * organizer (the long join link), by its meeting ID (the short link, or joinMeetingId + passcode),
 * or the people to call. A link that is not a Teams join link, or whose context lacks Tid/Oid, is a
 * 400 naming `joinWebUrl`, before Graph is called.
 */
export function parseStartCallRequest(
  raw: unknown,
  allowLoopbackUrls: boolean,
  appTenantId: string | undefined,
): CallPlan {
  requireWellFormedObject(raw, 'with joinWebUrl, joinMeetingId or targets');
  const parsed = StartCallRequest.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const request = parsed.data;
  requireSafeCallbackUrl(request.callbackUrl, allowLoopbackUrls);
  const tenantOr = (fallback: string | undefined) => {
    const tenantId = request.tenantId ?? fallback;
    if (!tenantId) throw invalidField('tenantId', 'is required: the app has no GRAPH_TENANT_ID to fall back on');
    return tenantId;
  };

  if (request.targets) {
    requireFitsOneRecord(request.targets, 'targets', "call's record");
    const tenantId = tenantOr(appTenantId);
    return { request, graphBody: { targets: request.targets, tenantId }, startedWith: { targets: request.targets } };
  }
  const link = request.joinWebUrl === undefined ? undefined : parseJoinLink(request.joinWebUrl);
  if (link && 'problem' in link) throw invalidField('joinWebUrl', link.problem);
  if (link?.kind === 'organizer') {
    const tenantId = tenantOr(link.tenantId);
    return {
      request,
      graphBody: {
        chatInfo: { '@odata.type': '#microsoft.graph.chatInfo', threadId: link.threadId, messageId: link.messageId },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: {
            '@odata.type': '#microsoft.graph.identitySet',
            user: { '@odata.type': identity, id: link.organizerId, tenantId: link.tenantId },
          },
        },
        tenantId,
      },
      startedWith: {
        meeting: { joinWebUrl: request.joinWebUrl, threadId: link.threadId, organizerId: link.organizerId, tenantId },
      },
    };
  }
  const joinMeetingId = link?.joinMeetingId ?? request.joinMeetingId!;
  const passcode = link?.passcode ?? request.passcode;
  const tenantId = tenantOr(appTenantId);
  return {
    request,
    graphBody: {
      meetingInfo: {
        '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
        joinMeetingId,
        ...(passcode ? { passcode } : {}),
      },
      tenantId,
    },
    // The short link is kept without its passcode (`?p=`).
    startedWith: {
      meeting: {
        ...(request.joinWebUrl ? { joinWebUrl: request.joinWebUrl.split('?')[0] } : {}),
        joinMeetingId,
        tenantId,
      },
    },
  };
}
