import { app } from '@azure/functions';
import { authenticateCallback } from '../src/http/authenticateCallback';
import { readJsonBody } from '../src/http/requestBody';
import { withErrors } from '../src/http/withErrors';
import { applyNotifications } from '../src/notifications/applyNotifications';
import { notificationDeps } from '../src/services';

// Graph's callbackUri. Anonymous for the Functions host: Graph sends no function key,
// so the bearer token Graph signs is checked instead, before the body is read.
app.http('notifications', {
  route: 'notifications',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: withErrors(async (req, services, context) => {
    await authenticateCallback(req, services.callbackTokens, context);
    const body = await readJsonBody(req, services.config.limits.notificationsBodyBytes);
    const summary = await applyNotifications(notificationDeps(services, context), body);
    context.info(`Notifications applied: ${summary.applied}, skipped: ${summary.skipped}.`);
    return { status: 202 };
  }),
});
