import type { InvocationContext, Timer } from '@azure/functions';

import { deliveryDeps, getServices } from '../services';
import { sweepWebhooks } from '../webhooks/sweepWebhooks';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = deliveryDeps(getServices(), context);
  await sweepWebhooks({ ...deps, graceMs: deps.leaseMs });
}
