import type { InvocationContext, Timer } from '@azure/functions';

import { keepCallsAlive } from '../calls/callUseCases';
import { callDeps, getServices } from '../services';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  await keepCallsAlive({ ...callDeps(services, context), minIntervalMs: services.config.keepAliveMinIntervalMs });
}
