import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

app.http('getOperation', {
  route: 'calls/{callId}/operations/{operationId}',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHandler(() => import('../src/handlers/getOperation.js')),
});
