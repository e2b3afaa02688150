import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

app.http('getRoster', {
  route: 'calls/{callId}/participants',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHandler(() => import('../src/handlers/getRoster.js')),
});
