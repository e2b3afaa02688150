import type { InvocationContext, Timer } from '@azure/functions';

import { purgeOldRecords } from '../retention/purgeOldRecords';
import { getResolvedServices, purgeDeps } from '../services';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const { cutoff, ...deps } = purgeDeps(getResolvedServices(), context);
  await purgeOldRecords(deps, cutoff);
}
