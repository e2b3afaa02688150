import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// Anonymous: a connector wizard fetches it without a key.
app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: lazyHandler(() => import('../src/handlers/openapi.js')),
});
