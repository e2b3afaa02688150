import type { InviteContextRecord, OperationRecord } from './operationRecord';

/** A record as read, with the ETag a conditional write of it needs. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** A row to write in one transaction: `etag` undefined means "create, must not exist". */
export interface RowWrite<T> {
  value: T;
  etag?: string;
}

/**
 * Where operations and invites are kept (Table Storage in src/storage/operationRepository.ts; in
 * memory in the unit tests). Conditional writes fail with a 409 (exists) or 412 (changed since
 * read) error that src/storage/storageErrors.ts recognises; the caller reads again and retries.
 */
export interface OperationStore {
  /** The operation kept under this id, or under the id Graph's id is an alias of. */
  get(callId: string, operationId: string): Promise<Versioned<OperationRecord> | undefined>;
  getInviteContext(callId: string, clientContext: string): Promise<Versioned<InviteContextRecord> | undefined>;
  /**
   * Up to `top` operations of the call, newest first, from `after` (the `next` of the page before,
   * opaque to callers; a position that is not one gives a page that is empty or starts later).
   */
  listPage(callId: string, top: number, after?: string): Promise<{ operations: OperationRecord[]; next?: string }>;
  /** Whether the call has any row at all (a pending invite counts). */
  hasAny(callId: string): Promise<boolean>;
  /** The invites that read the rosters of these calls: made in them, or replacing one of them. */
  invitesReadingRosters(callIds: Iterable<string>): Promise<OperationRecord[]>;
  /** Creates the invite's row (409 if it exists); returns the ETag. */
  createInviteContext(record: InviteContextRecord): Promise<string>;
  /** Replaces the invite's row if unchanged since read (else 412); returns the new ETag. */
  updateInviteContext(record: InviteContextRecord, etag: string): Promise<string>;
  /** Deletes the invite's row if unchanged since read (else 412); gone already is fine. */
  deleteInviteContext(record: InviteContextRecord, etag: string): Promise<void>;
  /**
   * Writes an operation and/or its invite row atomically, with the alias row of Graph's id when
   * the operation is kept under another.
   */
  save(writes: { operation?: RowWrite<OperationRecord>; context?: RowWrite<InviteContextRecord> }): Promise<void>;
  /** The index of unfinished webhook deliveries, which the sweep reads instead of every operation. */
  markWebhookDue(callId: string, operationId: string, now: string): Promise<void>;
  clearWebhookDue(callId: string, operationId: string): Promise<void>;
  webhooksDue(): Promise<Array<{ callId: string; operationId: string; markedAt: string }>>;
}
