import { WriteContention } from '../errors';
import { isConflict, isPreconditionFailed } from '../storage/storageErrors';

const MAX_ATTEMPTS = 8;

/**
 * Runs a read-modify-write until it lands: a 412 (changed since read) or 409 (created
 * meanwhile) means another writer got there first, so read again and re-apply the rule.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(isPreconditionFailed(err) || isConflict(err))) throw err;
      if (i >= MAX_ATTEMPTS) throw new WriteContention(i);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * i));
    }
  }
}
