import { app } from '@azure/functions';

import { lazyHandler } from './lazyHandler';

app.http('invite', {
  route: 'calls/{callId}/participants/invite',
  methods: ['POST'],
  authLevel: 'function',
  handler: lazyHandler(() => import('../src/handlers/invite.js')),
});
