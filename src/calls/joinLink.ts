import { canonicalGuid } from '../ids';

/** A Teams meeting as its join link names it. */
export type MeetingLink =
  /**
   * The long form: the meeting chat's thread and message, and its organizer (`Oid`) in tenant `Tid`;
   * a channel meeting's link also names the channel post it hangs under (`MessageId`).
   */
  | {
      kind: 'organizer';
      threadId: string;
      messageId: string;
      replyChainMessageId?: string;
      organizerId: string;
      tenantId: string;
    }
  /**
   * The short form `https://teams.microsoft.com/meet/{joinMeetingId}?p=...`. Its `p` is not the
   * passcode Teams shows beside the meeting ID (Microsoft describes it as a hashed passcode), so it is
   * not read: the passcode comes only from the request's `passcode`.
   */
  | { kind: 'joinMeetingId'; joinMeetingId: string };

/** Teams' hosts: the public cloud, and the US government clouds. */
const TEAMS_HOSTS = new Set(['teams.microsoft.com', 'gov.teams.microsoft.us', 'dod.teams.microsoft.us']);

/** A meeting ID as Teams shows it ("123 456 789 012"): digits, with spaces between groups. */
export const SPACED_MEETING_ID = /^\d[\d ]*\d$/;
/** A meeting ID without its spaces, as Graph takes it: 6 to 30 digits. */
export const MEETING_ID = /^\d{6,30}$/;

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/**
 * Reads a Teams join link, or says what is wrong with it (one sentence naming the part). Both forms
 * Teams shows are read: `https://teams.microsoft.com/l/meetup-join/{threadId}/{messageId}?context=
 * {"Tid":"...","Oid":"..."}` (each part URL-encoded) and `https://teams.microsoft.com/meet/{id}?p={passcode}`.
 */
export function parseJoinLink(text: string): MeetingLink | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'must be a Teams meeting join link (https://teams.microsoft.com/...)' };
  }
  if (url.protocol !== 'https:' || !TEAMS_HOSTS.has(url.hostname.toLowerCase())) {
    return { problem: 'must be a Teams meeting join link on teams.microsoft.com' };
  }
  // Teams' links carry none; the link is shown back on GET and in webhooks, so credentials would leak.
  if (url.username || url.password) return { problem: 'must not hold a user name or password' };
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0]?.toLowerCase() === 'meet' && segments.length === 2) {
    const joinMeetingId = decode(segments[1]!);
    if (!joinMeetingId || !MEETING_ID.test(joinMeetingId))
      return { problem: 'the meeting ID in the link must be digits' };
    return { kind: 'joinMeetingId', joinMeetingId };
  }
  if (segments[0]?.toLowerCase() !== 'l' || segments[1]?.toLowerCase() !== 'meetup-join' || segments.length !== 4) {
    return { problem: 'must be a Teams meeting join link: /l/meetup-join/{thread}/{message} or /meet/{meeting ID}' };
  }
  const threadId = decode(segments[2]!);
  const messageId = decode(segments[3]!);
  if (!threadId || !/^19:.+@thread\.[a-z0-9]+$/i.test(threadId)) {
    return { problem: "the link's thread must be a meeting chat (19:...@thread.v2)" };
  }
  if (!messageId || !/^\d+$/.test(messageId)) return { problem: "the link's message id must be digits" };
  const contextText = url.searchParams.get('context');
  if (!contextText) return { problem: 'the link has no context with the tenant (Tid) and organizer (Oid)' };
  let context: unknown;
  try {
    context = JSON.parse(contextText);
  } catch {
    return { problem: "the link's context must be JSON with Tid and Oid" };
  }
  const { Tid, Oid, MessageId } = (typeof context === 'object' && context !== null ? context : {}) as {
    Tid?: unknown;
    Oid?: unknown;
    MessageId?: unknown;
  };
  const tenantId = typeof Tid === 'string' ? canonicalGuid(Tid) : undefined;
  const organizerId = typeof Oid === 'string' ? canonicalGuid(Oid) : undefined;
  if (!tenantId || !organizerId)
    return { problem: "the link's context must hold the tenant (Tid) and organizer (Oid) as GUIDs" };
  // A channel meeting's post (Microsoft's calling samples send it as chatInfo.replyChainMessageId).
  const replyChainMessageId = typeof MessageId === 'string' && /^\d+$/.test(MessageId) ? MessageId : undefined;
  return {
    kind: 'organizer',
    threadId,
    messageId,
    ...(replyChainMessageId ? { replyChainMessageId } : {}),
    organizerId,
    tenantId,
  };
}
