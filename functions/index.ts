// Entry point (package.json "main"): every function registers here. Importing it loads nothing
// but `@azure/functions` and the registrations (each handler loads on its first call), so a
// cold start stays small; the settings are checked when the app starts, so a misconfigured
// app stops then, with a message naming each bad setting.
import './invite';
import './getOperation';
import './listOperations';
import './getRoster';
import './notifications';
import './health';
import './webhooks';
import './deliverWebhook';
import './openapi';
import './purgeOldRecords';
import './sweepWebhooks';

import { app } from '@azure/functions';

app.hook.appStart(async () => {
  const { checkSettings } = await import('../src/checkSettings.js');
  checkSettings();
});
