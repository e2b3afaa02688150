import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { runCallJourney } from '../../dev/callJourney';
import { runRosterJourney } from '../../dev/rosterJourney';
import { runScenario, simulatorApi } from '../../dev/scenarioRunner';
import { SCENARIOS } from '../../dev/scenarios';
import { getOperation, getRoster, invite, stack, userInvitee, waitFor } from '../support/api';

const target = { hostUrl: stack.hostUrl, functionKey: stack.functionKey, simulatorUrl: stack.simulatorUrl };

describe('scenarios end to end: the simulator calls back over HTTP with signed tokens', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const result = await runScenario(target, scenario, { ringTimeoutMs: 500, pollIntervalMs: 100, timeoutMs: 15_000 });
    expect(result.mismatches).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe('a call the service owns, end to end', () => {
  it('joins a meeting, invites someone who joins, removes them and hangs up', async () => {
    const result = await runCallJourney(target, { pollIntervalMs: 100, timeoutMs: 15_000 });
    expect(result.mismatches).toEqual([]);
    expect(result.timeline.map((e) => e.what.split(' ->')[0]!.split(':')[0])).toEqual(
      expect.arrayContaining(['join the meeting', 'invite the on-call engineer', 'remove them', 'hang up']),
    );
  });
});

describe('whole rosters, end to end', () => {
  it('tells who joined, waited, left and when the meeting ended, from the rosters Graph sends', async () => {
    const result = await runRosterJourney(target, { pollIntervalMs: 100, timeoutMs: 15_000 });
    expect(result.mismatches).toEqual([]);
  });
});

describe('Graph delivering again', () => {
  it('redelivers a callback the service answered with 5xx, and the state ends complete', async () => {
    // A gateway in front of the service that fails the first delivery of every callback.
    const seen = new Set<string>();
    const statuses: number[] = [];
    const gateway = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (!seen.has(body)) {
          seen.add(body);
          statuses.push(503);
          res.writeHead(503, { 'Retry-After': '1' }).end();
          return;
        }
        const forwarded = await fetch(`${stack.hostUrl}/api/notifications`, {
          method: 'POST',
          headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
          body,
        });
        statuses.push(forwarded.status);
        res.writeHead(forwarded.status).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const callbackUri = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/api/notifications`;
      const callId = await simulatorApi(target).createCall({ callbackUri });
      const invitee = userInvitee();
      const started = await invite(callId, { participants: [invitee] });
      const done = await waitFor(
        async () => {
          const res = await getOperation(callId, started.body.id);
          return res.status === 200 ? res : undefined;
        },
        15_000,
        'the redelivered completion',
      );
      expect(done.body.status).toBe('completed');
      expect((await getRoster(callId)).body.participants.map((p: { key: string }) => p.key).sort()).toEqual(
        [`application:${invitee.identity.user.id}`, `application:${stack.hostEnv.GRAPH_CLIENT_ID}`].sort(),
      );
      expect(statuses.filter((s) => s === 503)).toHaveLength(3); // running, roster, completed: each failed once
      expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});
