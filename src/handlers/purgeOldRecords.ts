import type { InvocationContext, Timer } from '@azure/functions';

import { purgeOldRecords } from '../retention/purgeOldRecords';
import { getServices, readDeps } from '../services';

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const cutoff = new Date(services.now().getTime() - services.config.retention.days * 86_400_000);
  await purgeOldRecords({ ...readDeps(services), tables: services.tables, log: context }, cutoff);
}
