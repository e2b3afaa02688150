import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// Retention: daily by default (RETENTION_SCHEDULE), deletes records older than RETENTION_DAYS
// and the rosters of terminated calls.
app.timer('purgeOldRecords', {
  schedule: '%RETENTION_SCHEDULE%',
  handler: lazyHandler(() => import('../src/handlers/purgeOldRecords.js')),
});
