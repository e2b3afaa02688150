import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

// Graph's callbackUri. Anonymous for the Functions host: Graph sends no function key,
// so the bearer token Graph signs is checked instead, before the body is read.
app.http('notifications', {
  route: 'notifications',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: lazyHandler(() => import('../src/handlers/notifications.js')),
});
