import { WriteContention } from '../errors';
import { isConflict, isPreconditionFailed } from '../storage/storageErrors';

export interface ContentionPolicy {
  attempts: number;
  /** The pause before attempt n + 1 is random, up to min(maxDelayMs, baseDelayMs × 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A record a few writers may touch at once (an operation, a call's row). */
const FEW_WRITERS: ContentionPolicy = { attempts: 8, baseDelayMs: 5, maxDelayMs: 80 };

/**
 * Runs a read-modify-write until it lands: a 412 (changed since read) or 409 (created
 * meanwhile) means another writer got there first, so read again and re-apply the rule. The
 * random, growing pauses let writers that keep meeting spread out.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, policy = FEW_WRITERS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(isPreconditionFailed(err) || isConflict(err))) throw err;
      if (i >= policy.attempts) throw new WriteContention(i);
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}
