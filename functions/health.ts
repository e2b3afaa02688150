import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: lazyHandler(() => import('../src/handlers/health.js')),
});
