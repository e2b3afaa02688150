import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { connectorDefinition, connectorFile } from '../../dev/writeConnector';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('Logic Apps samples', () => {
  it('ship the connector definition the service generates (run npm run connector after an API change)', () => {
    expect(readFileSync(connectorFile, 'utf8')).toBe(connectorDefinition());
  });

  it('call the routes the service has, with the body fields it accepts', () => {
    const polling = read('examples/logic-apps/invite-and-wait/workflow.json').definition.actions.Invite_and_wait.inputs;
    expect(polling.method).toBe('POST');
    expect(polling.uri).toMatch(/\/api\/calls\/@\{triggerBody\(\)\?\['callId'\]\}\/participants\/invite\?code=/);
    expect(Object.keys(polling.body).sort()).toEqual(['clientContext', 'participants']);
    const webhook = read('examples/logic-apps/invite-webhook/workflow.json').definition.actions
      .Invite_and_wait_for_the_callback.inputs;
    expect(webhook.subscribe.uri).toMatch(/\/webhooks\/invite\?code=/);
    expect(webhook.subscribe.body.callbackUrl).toBe('@{listCallbackUrl()}');
    expect(webhook.unsubscribe).toMatchObject({ method: 'DELETE' });
    expect(webhook.unsubscribe.uri).toMatch(
      /\/webhooks\/invite\?clientContext=@\{workflow\(\)\?\['run'\]\?\['name'\]\}&code=/,
    );
  });
});
