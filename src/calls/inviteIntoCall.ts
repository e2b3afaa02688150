import { invalidField } from '../errors';
import type { InvitationParticipantInfo } from '../schemas/invitationParticipantInfo';
import type { StartedWith } from './callRecords';
import type { CallStore } from './callStore';
import { namesPhone, PHONE_NEEDS_INSTANCE } from './parseStartCallRequest';

/** A call of the bot and one other party: one it placed to one target, or someone's call to it it answered. */
const isPeerToPeer = (startedWith: StartedWith) =>
  ('targets' in startedWith && startedWith.targets.length === 1) ||
  ('answered' in startedWith && !startedWith.answered.groupCall);

/**
 * Refuses, before Graph is called, an invite Graph refuses into a call the service started: a
 * phone number into a call it placed without its resource account (application-post-calls, "PSTN"),
 * several people at once into a peer-to-peer call (participant-invite: "Inviting multiple
 * participants in one request is only supported for group calls"). A call the service answered
 * (call-answer lists a peer-to-peer call's bot inviting a phone number) or only observes is Graph's
 * to judge. The call is read only when the invite could be refused.
 */
export async function requireInviteFitsCall(
  calls: Pick<CallStore, 'getCall'>,
  callId: string,
  participants: readonly InvitationParticipantInfo[],
): Promise<void> {
  const phone = namesPhone(participants);
  if (!phone && participants.length < 2) return;
  const started = (await calls.getCall(callId))?.value.started;
  if (!started) return;
  if (phone && !started.applicationInstanceId && !('answered' in started.startedWith)) {
    throw invalidField(
      'participants',
      `${PHONE_NEEDS_INSTANCE}, before the call is started (this call was started without it)`,
    );
  }
  if (participants.length > 1 && isPeerToPeer(started.startedWith)) {
    throw invalidField(
      'participants',
      'invite one person at a time into a peer-to-peer call: Graph takes several at once only in group calls',
    );
  }
}
