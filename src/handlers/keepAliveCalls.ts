import type { InvocationContext, Timer } from '@azure/functions';

import { keepCallsAlive } from '../calls/callUseCases';
import { callDeps, getResolvedServices } from '../services';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getResolvedServices();
  await keepCallsAlive({ ...callDeps(services, context), timing: services.config.keepAlive });
}
