import type { Participant } from '../schemas/participant';
import type { ResultInfo } from '../schemas/resultInfo';

export interface RosterEntry {
  key: string;
  participant: Participant;
}

/** The call-level facts kept beside the roster: last known state and when anything last changed. */
export interface CallRecord {
  state: string | null;
  resultInfo: ResultInfo | null;
  lastModifiedDateTime: string | null;
}

export interface RosterSnapshot {
  call: CallRecord | undefined;
  entries: RosterEntry[];
}
