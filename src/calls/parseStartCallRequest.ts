import { invalidField } from '../errors';
import { requireFitsOneRecord, requireSafeCallbackUrl, requireWellFormedObject } from '../schemas/requestChecks';
import { PASSCODE_GOES_WITH, StartCallRequest } from '../schemas/startCallRequest';
import { invalidInput } from '../schemas/zodIssues';
import type { StartedWith } from './callRecords';
import { parseJoinLink } from './joinLink';

/** What Graph is asked to join or call, and how the service will tell it later (never the passcode). */
export interface CallPlan {
  request: StartCallRequest;
  /** The part of Graph's call body that says what to join or whom to call, its tenant and its source. */
  graphBody: Record<string, unknown>;
  startedWith: StartedWith;
  /** The Teams resource account the call is placed from (PSTN_APPLICATION_INSTANCE_ID), if any. */
  applicationInstanceId: string | null;
}

export interface StartCallSettings {
  allowLoopbackUrls: boolean;
  /** GRAPH_TENANT_ID: the call's tenant when neither the request nor its link names one. */
  appTenantId: string | undefined;
  /** PSTN_APPLICATION_INSTANCE_ID. */
  applicationInstanceId: string | undefined;
}

const identity = '#microsoft.graph.identity';

/** Whether any of these invitationParticipantInfo items is a phone number. */
export const namesPhone = (items: ReadonlyArray<{ identity?: { phone?: unknown } }>) =>
  items.some((item) => item.identity?.phone != null);

/** Why a phone number cannot be called without the resource account, for the 400. */
export const PHONE_NEEDS_INSTANCE =
  'a phone number can be called only from a Teams resource account with a phone number: set PSTN_APPLICATION_INSTANCE_ID';

/**
 * Validates a start-call body and turns it into what Graph gets (docs/api.md, "Calls the service owns"): a meeting by its
 * organizer (the long join link), by its meeting ID (the short link, or joinMeetingId + passcode),
 * or the people to call. A link that is not a Teams join link, or whose context lacks Tid/Oid, is a
 * 400 naming `joinWebUrl`, before Graph is called. With PSTN_APPLICATION_INSTANCE_ID the calls it
 * places to people go out from that resource account (`source.identity.applicationInstance`), which
 * Graph requires for calling a phone number (application-post-calls, "Create peer-to-peer PSTN
 * call"); without it a phone target is a 400 naming `targets`.
 */
export function parseStartCallRequest(raw: unknown, settings: StartCallSettings): CallPlan {
  requireWellFormedObject(raw, 'with joinWebUrl, joinMeetingId or targets');
  const parsed = StartCallRequest.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error);
  const request = parsed.data;
  requireSafeCallbackUrl(request.callbackUrl, settings.allowLoopbackUrls);
  const tenantOr = (fallback: string | undefined) => {
    const tenantId = request.tenantId ?? fallback;
    if (!tenantId) throw invalidField('tenantId', 'is required: the app has no GRAPH_TENANT_ID to fall back on');
    return tenantId;
  };
  const instanceId = settings.applicationInstanceId ?? null;

  if (request.targets) {
    requireFitsOneRecord(request.targets, 'targets', "call's record");
    if (!instanceId && namesPhone(request.targets)) throw invalidField('targets', PHONE_NEEDS_INSTANCE);
    const tenantId = tenantOr(settings.appTenantId);
    // The resource account lives in the app's own tenant.
    const source = instanceId ? { source: sourceFrom(instanceId, settings.appTenantId ?? tenantId) } : {};
    return {
      request,
      graphBody: { ...source, targets: request.targets, tenantId },
      startedWith: { targets: request.targets },
      applicationInstanceId: instanceId,
    };
  }
  // Meeting joins keep the body Graph's pages show (no source): which phone numbers a meeting takes is Graph's to say.
  const plan = (graphBody: Record<string, unknown>, startedWith: StartedWith): CallPlan => ({
    request,
    graphBody,
    startedWith,
    applicationInstanceId: null,
  });
  const link = request.joinWebUrl === undefined ? undefined : parseJoinLink(request.joinWebUrl);
  if (link && 'problem' in link) throw invalidField('joinWebUrl', link.problem);
  if (link?.kind === 'organizer') {
    if (request.passcode !== undefined) throw invalidField('passcode', PASSCODE_GOES_WITH);
    const tenantId = tenantOr(link.tenantId);
    return plan(
      {
        chatInfo: {
          '@odata.type': '#microsoft.graph.chatInfo',
          threadId: link.threadId,
          messageId: link.messageId,
          ...(link.replyChainMessageId ? { replyChainMessageId: link.replyChainMessageId } : {}),
        },
        meetingInfo: {
          '@odata.type': '#microsoft.graph.organizerMeetingInfo',
          organizer: {
            '@odata.type': '#microsoft.graph.identitySet',
            user: { '@odata.type': identity, id: link.organizerId, tenantId: link.tenantId },
          },
        },
        tenantId,
      },
      { meeting: { joinWebUrl: request.joinWebUrl, threadId: link.threadId, organizerId: link.organizerId, tenantId } },
    );
  }
  const joinMeetingId = link?.joinMeetingId ?? request.joinMeetingId!;
  const passcode = request.passcode;
  const tenantId = tenantOr(settings.appTenantId);
  return plan(
    {
      meetingInfo: {
        '@odata.type': '#microsoft.graph.joinMeetingIdMeetingInfo',
        joinMeetingId,
        ...(passcode ? { passcode } : {}),
      },
      tenantId,
    },
    // The short link is kept without its query (`?p=`).
    {
      meeting: {
        ...(request.joinWebUrl ? { joinWebUrl: request.joinWebUrl.split('?')[0] } : {}),
        joinMeetingId,
        tenantId,
      },
    },
  );
}

/** The resource account as Graph's call `source` (application-post-calls, "Create peer-to-peer PSTN call"). */
function sourceFrom(applicationInstanceId: string, tenantId: string) {
  return {
    '@odata.type': '#microsoft.graph.participantInfo',
    identity: {
      '@odata.type': '#microsoft.graph.identitySet',
      applicationInstance: { '@odata.type': identity, id: applicationInstanceId, tenantId },
    },
  };
}
