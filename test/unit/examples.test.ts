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
    expect(webhook.subscribe.uri).toMatch(/\/webhooks\/invite$/);
    expect(webhook.subscribe.body.callbackUrl).toBe('@{listCallbackUrl()}');
    expect(webhook.unsubscribe).toMatchObject({ method: 'DELETE' });
    expect(webhook.unsubscribe.uri).toMatch(
      /\/webhooks\/invite\?clientContext=@\{workflow\(\)\?\['run'\]\?\['name'\]\}$/,
    );
  });

  it('join a bridge, invite, post the outcome and hang up with the call routes, their secrets kept out of run history', () => {
    const actions = read('examples/logic-apps/incident-bridge/workflow.json').definition.actions;
    expect(actions.Join_the_bridge.inputs).toMatchObject({ method: 'POST', body: { joinWebUrl: expect.any(String) } });
    expect(actions.Join_the_bridge.inputs.uri).toMatch(/\/api\/calls\?code=/);
    expect(actions.Invite_the_on_call_engineer.inputs.uri).toMatch(
      /\/api\/calls\/@\{body\('Join_the_bridge'\)\?\['id'\]\}\/participants\/invite\?code=/,
    );
    // The bot leaves whatever happened before (every predecessor in any state), but only a call that
    // started: a join that failed has no call id, and DELETE /api/calls/ would name none.
    const leave = actions.If_the_bridge_was_joined;
    expect(leave.type).toBe('If');
    expect(JSON.stringify(leave.expression)).toContain("body('Join_the_bridge')?['id']");
    for (const statuses of Object.values(leave.runAfter as Record<string, string[]>))
      expect(statuses.sort()).toEqual(['Failed', 'Skipped', 'Succeeded', 'TimedOut']);
    const hangUp = leave.actions.Hang_up;
    expect(hangUp.inputs).toMatchObject({ method: 'DELETE' });
    expect(hangUp.inputs.uri).toMatch(/\/api\/calls\/@\{body\('Join_the_bridge'\)\?\['id'\]\}$/);
    // The outcome is read once it is decided (an invite completes before its invitee's outcome is known).
    expect(actions.Wait_for_the_outcome.expression).toContain("'pending'");
    for (const action of [actions.Join_the_bridge, actions.Invite_the_on_call_engineer, hangUp]) {
      expect(action.runtimeConfiguration.secureData.properties).toContain('inputs');
    }
  });

  it('answer their caller when the invite fails too, not only when it succeeds', () => {
    for (const [sample, action] of [
      ['invite-and-wait', 'Invite_and_wait'],
      ['invite-webhook', 'Invite_and_wait_for_the_callback'],
    ] as const) {
      const actions = read(`examples/logic-apps/${sample}/workflow.json`).definition.actions;
      const failure = Object.values(
        actions as Record<string, { type: string; runAfter?: Record<string, string[]> }>,
      ).find((a) => a.type === 'Response' && a.runAfter?.[action]?.includes('Failed'));
      expect(failure, sample).toBeDefined();
    }
  });
});
