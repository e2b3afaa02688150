import { invalidField } from '../errors';
import type { InvitationParticipantInfo } from '../schemas/invitationParticipantInfo';
import { graphIdOf, type StartedWith } from './callRecords';
import type { CallStore } from './callStore';
import { namesPhone, PHONE_NEEDS_INSTANCE } from './parseStartCallRequest';

/** A call of the bot and one other party: one it placed to one target, or someone's call to it it answered. */
const isPeerToPeer = (startedWith: StartedWith) =>
  ('targets' in startedWith && startedWith.targets.length === 1) ||
  ('answered' in startedWith && !startedWith.answered.groupCall);

/**
 * The id Graph is called with for an invite into this call: a call the service owns as Graph wrote
 * its id (the answer page's `57DAB8B1...`), any other as the caller did. First, what Graph refuses of
 * an invite into a call the service started is refused here, before Graph is called: a phone number
 * into a call it placed to people without its resource account (application-post-calls, "PSTN"),
 * several people at once into a peer-to-peer call (participant-invite: "Inviting multiple
 * participants in one request is only supported for group calls"). A meeting it joined, a call it
 * answered (call-answer lists the phone numbers Graph takes into those) or one it only observes is
 * Graph's to judge.
 */
export async function graphIdForInvite(
  calls: Pick<CallStore, 'getCall'>,
  call: { callId: string; callIdAsGiven: string },
  participants: readonly InvitationParticipantInfo[],
): Promise<string> {
  const started = (await calls.getCall(call.callId))?.value.started;
  if (started && namesPhone(participants) && !started.applicationInstanceId && 'targets' in started.startedWith) {
    throw invalidField(
      'participants',
      `${PHONE_NEEDS_INSTANCE}, before the call is started (this call was started without it)`,
    );
  }
  if (started && participants.length > 1 && isPeerToPeer(started.startedWith)) {
    throw invalidField(
      'participants',
      'invite one person at a time into a peer-to-peer call: Graph takes several at once only in group calls',
    );
  }
  return graphIdOf(started, call.callIdAsGiven);
}
