import { describe, expect, it } from 'vitest';

import { simulatorApi } from '../../dev/scenarioRunner';
import { stack, userInvitee } from '../support/api';

/**
 * What Logic Apps' HTTP action does with the asynchronous pattern: send the request; while the
 * answer is 202, wait Retry-After seconds and GET the Location (as given, no key of its own);
 * finish with the first other answer.
 */
async function logicAppsHttpAction(url: string, body: unknown) {
  const polls: Array<{ status: number; waitedMs: number; retryAfter: number }> = [];
  let res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  while (res.status === 202) {
    const location = res.headers.get('location');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(location, 'a 202 carries Location').toBeTruthy();
    expect(Number.isInteger(retryAfter) && retryAfter > 0, 'a 202 carries an integer Retry-After').toBe(true);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    await res.arrayBuffer();
    res = await fetch(location!);
    polls.push({ status: res.status, waitedMs: Date.now() - started, retryAfter });
  }
  return { status: res.status, body: (await res.json()) as any, polls };
}

describe('Logic Apps HTTP action, asynchronous pattern', () => {
  it('follows Location, honours Retry-After and ends with 200 and the final operation', async () => {
    const callId = await simulatorApi(stack).createCall();
    const invitee = userInvitee();
    const url = `${stack.hostUrl}/api/calls/${callId}/participants/invite?code=${encodeURIComponent(stack.functionKey)}`;
    const result = await logicAppsHttpAction(url, { participants: [invitee], clientContext: 'workflow-run-1' });
    expect(result.status).toBe(200);
    expect(result.polls.length).toBeGreaterThanOrEqual(1);
    for (const poll of result.polls) expect(poll.waitedMs).toBeGreaterThanOrEqual(poll.retryAfter * 1000);
    expect(result.body).toMatchObject({
      callId,
      clientContext: 'workflow-run-1',
      status: 'completed',
      invitees: [{ key: `user:${invitee.identity.user.id}`, outcome: 'joined' }],
    });
  });
});
