import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// Finds webhook deliveries whose queue message was lost (WEBHOOK_SWEEP_SCHEDULE, every 5 minutes by default).
app.timer('sweepWebhooks', {
  schedule: '%WEBHOOK_SWEEP_SCHEDULE%',
  handler: lazyHandler(() => import('../src/handlers/sweepWebhooks.js')),
});
