import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

app.http('listOperations', {
  route: 'calls/{callId}/operations',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHandler(() => import('../src/handlers/listOperations.js')),
});
