// Entry point (package.json "main"). The settings are checked first, so a misconfigured app
// stops at start-up with a message naming the setting; then every function registers.
import '../src/checkSettings';
import './invite';
import './getOperation';
import './listOperations';
import './getRoster';
import './notifications';
import './health';
import './webhooks';
import './deliverWebhook';
import './openapi';
