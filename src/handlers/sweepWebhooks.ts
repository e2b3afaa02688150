import type { InvocationContext, Timer } from '@azure/functions';

import { getResolvedServices, sweepDeps } from '../services';
import { sweepWebhooks } from '../webhooks/sweepWebhooks';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  await sweepWebhooks(sweepDeps(getResolvedServices(), context));
}
