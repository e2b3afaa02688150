import type { Versioned } from '../operations/operationStore';
import type { CallEventBody } from '../schemas/responses';
import type { RosterCommit } from './rosterCommits';
import type { HeadRead } from './rosterHead';
import type { CallRecord, PresenceEntry, RosterPage } from './rosterRecord';

/**
 * Where rosters, their events and call states are kept (Table Storage in
 * src/storage/rosterRepository.ts; in memory in the unit tests). A call's roster changes are
 * committed against its head (rosterHead.ts): one participant changing writes its row, its event
 * and the head, in one transaction.
 */
export interface RosterStore {
  /**
   * The call's head (an empty one, without an ETag, before the call's first change): as this
   * instance last read or wrote it, or `fresh` from storage.
   */
  readHead(callId: string, options?: { fresh?: boolean }): Promise<HeadRead>;
  /**
   * Writes the head, the participants' rows and the events all or nothing; `etag` undefined creates
   * the head (409 if it exists), otherwise the head must be unchanged since read (else 412).
   * Returns the head's new ETag.
   */
  commit(callId: string, commit: RosterCommit, etag: string | undefined): Promise<string>;
  /** The identities the rows of these participants keep (for the events of those who left). */
  identitiesOf(callId: string, keys: string[]): Promise<Map<string, Record<string, unknown>>>;
  /** Who of the given identities is, or was, in the calls' rosters (any identity kind). */
  presence(callIds: string[], identityIds: string[]): Promise<PresenceEntry[]>;
  getCall(callId: string): Promise<Versioned<CallRecord> | undefined>;
  /** Writes the call's state; `etag` undefined creates the row (409 if it appeared meanwhile). */
  saveCall(callId: string, call: CallRecord, etag: string | undefined): Promise<void>;
  /**
   * Up to `top` participants in the call now, in key order from `after` (a page's `next`; a
   * position that is not one gives a page that is empty or starts later), with the call's row and
   * the latest change to the whole roster.
   */
  rosterPage(callId: string, top: number, after?: string): Promise<RosterPage>;
  /** Up to `top` of the call's events after sequence `after`, oldest first; `known`: the call has a roster head. */
  eventsPage(
    callId: string,
    after: number,
    top: number,
  ): Promise<{ events: CallEventBody[]; next?: number; known: boolean }>;
}
