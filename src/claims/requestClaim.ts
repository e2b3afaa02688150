import { Conflict, InProgress } from '../errors';
import type { Versioned } from '../operations/operationStore';
import { retryOnConflict } from '../operations/retryOnConflict';
import { isPreconditionFailed } from '../storage/storageErrors';

// Graph acts on a request once per idempotency key (clientContext) however many retries or
// instances send it: the request's row is written before Graph is called, and whoever writes or
// retakes it holds the right to send. Invites and call requests share this state machine.

/** What every request row holds for its claim. */
export interface ClaimRow {
  /** Digest of the request: the same key with another request is a conflict. */
  requestHash: string;
  /** When the current attempt to call Graph began; null when none is under way. */
  sendingSince: string | null;
  createdDateTime: string;
}

/** One request's row (an invite's, a call request's), found by its idempotency key. */
export interface ClaimRows<R extends ClaimRow> {
  read(): Promise<Versioned<R> | undefined>;
  create(row: R): Promise<string>;
  update(row: R, etag: string): Promise<string>;
  remove(row: R, etag: string): Promise<void>;
  /** Graph's answer is on the row: nothing is left to send for it. */
  isLinked(row: R): boolean;
}

export interface ClaimRules<R extends ClaimRow, A> {
  conflictMessage: string;
  inProgressMessage: string;
  /** The answer a linked row gives a repeat; undefined when what it links to is gone (then it counts as unsent). */
  answerLinked(found: Versioned<R>): Promise<A | undefined>;
  /** After an attempt whose answer never came: an answer from what happened since, instead of sending again. */
  answerUnanswered?(found: Versioned<R>, nowIso: string): Promise<A | undefined>;
}

export interface ClaimTiming {
  now: () => Date;
  graphDeadlineMs: number;
  retryAfterSeconds: { running: number };
}

/** The right to call Graph for a request: its row, and whether an earlier attempt's outcome is unknown. */
export interface SendingClaim<R> {
  context: Versioned<R>;
  /** True when an earlier attempt's answer never came: that attempt may have acted, so the row must stay. */
  retaken: boolean;
}

/** Either the request was answered already (a repeat), or this request may call Graph. */
export type Claim<R, A> = { existing: A } | SendingClaim<R>;

/**
 * Takes the right to call Graph for this request, or finds its answer. A different body under the
 * same key is a Conflict; an attempt still within Graph's deadline (and 2 s to record its answer)
 * makes the request wait (InProgress); an older attempt is over and its row is taken over.
 */
export function claimRequest<R extends ClaimRow, A>(
  timing: ClaimTiming,
  rows: ClaimRows<R>,
  rules: ClaimRules<R, A>,
  wanted: R,
): Promise<Claim<R, A>> {
  return retryOnConflict(async () => {
    const found = await rows.read();
    const now = timing.now();
    const nowIso = now.toISOString();
    if (!found) {
      const fresh = { ...wanted, sendingSince: nowIso, createdDateTime: nowIso };
      return { context: { value: fresh, etag: await rows.create(fresh) }, retaken: false };
    }
    if (found.value.requestHash !== wanted.requestHash) throw new Conflict(rules.conflictMessage);
    if (rows.isLinked(found.value)) {
      const answer = await rules.answerLinked(found);
      if (answer !== undefined) return { existing: answer };
    }
    const sendingFor = found.value.sendingSince ? now.getTime() - Date.parse(found.value.sendingSince) : Infinity;
    if (sendingFor < timing.graphDeadlineMs + 2000) {
      throw new InProgress(rules.inProgressMessage, timing.retryAfterSeconds.running);
    }
    const answer = await rules.answerUnanswered?.(found, nowIso);
    if (answer !== undefined) return { existing: answer };
    const retaken = { ...found.value, sendingSince: nowIso };
    return { context: { value: retaken, etag: await rows.update(retaken, found.etag) }, retaken: true };
  });
}

/** Marks the request as no longer being sent, so a retry may call Graph again; the row stays. */
export async function releaseClaim<R extends ClaimRow>(rows: ClaimRows<R>): Promise<void> {
  await retryOnConflict(async () => {
    const current = await rows.read();
    if (!current || rows.isLinked(current.value)) return;
    await rows.update({ ...current.value, sendingSince: null }, current.etag);
  });
}

/**
 * Graph did not act on this request (refused or throttled): nothing of it is kept. Only a first
 * attempt's row goes, though; after an attempt whose outcome is unknown the row stays (released,
 * so a retry calls Graph again) for that attempt's callbacks to match.
 */
export async function forgetClaim<R extends ClaimRow>(rows: ClaimRows<R>, claim: SendingClaim<R>): Promise<void> {
  if (claim.retaken) return releaseClaim(rows);
  try {
    await rows.remove(claim.context.value, claim.context.etag);
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    await releaseClaim(rows); // written meanwhile (a callback): keep it
  }
}
