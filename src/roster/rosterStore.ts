import type { Versioned } from '../operations/operationStore';
import type { ChangeType } from '../schemas/commsNotification';
import type { CallRecord, PresenceEntry, RosterEntry, RosterPage } from './rosterRecord';

/**
 * Where rosters and call states are kept (Table Storage in src/storage/rosterRepository.ts; in
 * memory in the unit tests). One participant changing writes one row.
 */
export interface RosterStore {
  /** `created`/`updated` store the participants as present; `deleted` keeps them as departed. */
  applyChange(callId: string, changeType: ChangeType, entries: RosterEntry[], now: string): Promise<void>;
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
}
