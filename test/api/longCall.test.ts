import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { StorageCounter } from '../../bench/storageCounter';
import { seededInvitee, seedOperations } from '../../dev/seedOperations';
import { loadConfig } from '../../src/config';
import { applyNotifications } from '../../src/notifications/applyNotifications';
import { newOperationRecord, type OperationRecord } from '../../src/operations/operationRecord';
import { describeOperation, getOperation, listOperations } from '../../src/operations/readOperations';
import { createServices, notificationDeps, readDeps } from '../../src/services';
import { call, stack } from '../support/api';
import { participant, rosterNotification } from '../support/notifications';

// A call open for days: 10 000 invites in its history, the last 300 invitees in its roster. A page
// of it must cost what a page of a short call costs (the performance table in the README has the
// time; `npm run bench` measures it).
const LONG = 10_000;
const SHORT = 150;
const services = createServices(loadConfig({ ...process.env, ...stack.hostEnv }));
const log = { info() {}, warn() {}, error() {} };
const longCall = randomUUID();
const shortCall = randomUUID();
let longHistory: OperationRecord[];

async function seedCall(callId: string, invites: number) {
  const history = await seedOperations((await services.tables()).operations, callId, invites);
  // The invitees of the last 300 invites are in the call.
  const joined = history.slice(-300).map((_, i) => participant('user', seededInvitee(invites - 300 + i)));
  await applyNotifications(notificationDeps(services, log), rosterNotification(callId, joined));
  return history;
}

beforeAll(async () => {
  [longHistory] = await Promise.all([seedCall(longCall, LONG), seedCall(shortCall, SHORT)]);
}, 120_000);

/** Storage calls made by `read`, per table. */
async function countCalls(read: () => Promise<unknown>) {
  const tables = await services.tables();
  const operations = new StorageCounter();
  const roster = new StorageCounter();
  operations.attach(tables.operations);
  roster.attach(tables.roster);
  try {
    await read();
  } finally {
    tables.operations.pipeline.removePolicy(operations.policy);
    tables.roster.pipeline.removePolicy(roster.policy);
  }
  return { operations: operations.calls, roster: roster.calls };
}

describe('a call with 10 000 operations', () => {
  it('answers its newest 100 first, each invite with its invitee outcome, and pages back to the first', async () => {
    const page = await call('GET', `/api/calls/${longCall}/operations`);
    expect(page.status).toBe(200);
    const newest = longHistory.slice(-100).reverse();
    expect(page.body.operations.map((o: { id: string }) => o.id)).toEqual(newest.map((o) => o.id));
    expect(page.body.operations[0].invitees).toEqual([expect.objectContaining({ outcome: 'joined' })]);
    expect(page.body['@odata.nextLink']).toBeDefined();

    const last = await call('GET', `/api/calls/${longCall}/operations?$top=1000`);
    expect(last.body.operations).toHaveLength(1000);
    expect(last.body.operations.at(-1).id).toBe(longHistory.at(-1000)!.id);
  });

  it('reads a page with as many storage calls as a page of a short call: ⌈100/12⌉ + 2, and one pass of the roster', async () => {
    const page = { top: 100 };
    await listOperations(readDeps(services), shortCall, page); // as the first test did for the long call
    const long = await countCalls(() => listOperations(readDeps(services), longCall, page));
    const short = await countCalls(() => listOperations(readDeps(services), shortCall, page));
    // The row saying the call's order rows are complete, one range query of the order rows, the
    // operations by key in queries of 12; the 100 invitees' presence from one pass over the call's
    // 300 participant rows (past 30 identities that costs less than queries of 10 identities).
    expect(long).toEqual({ operations: 2 + Math.ceil(100 / 12), roster: 1 });
    expect(short).toEqual(long);
  });

  it('reads a page of 1 000 with the roster read once, not in 100 queries of 10 identities', async () => {
    const big = await countCalls(() => listOperations(readDeps(services), longCall, { top: 1000 }));
    // The order rows' 1 001 (the page and the next one's start) come in two answers of at most 1 000.
    expect(big).toEqual({ operations: 3 + Math.ceil(1000 / 12), roster: 1 });
  });

  it('computes an invite’s outcomes with ⌈invitees / 10⌉ roster queries per call it reads', async () => {
    const deps = readDeps(services);
    const outcomes = async (operationId: string) =>
      countCalls(async () => describeOperation(deps, await getOperation(deps.operations, longCall, operationId)));
    expect(await outcomes(longHistory.at(-5)!.id)).toEqual({ operations: 1, roster: 1 });

    // Five invitees, one moved from the short call (replacesCallId): both calls' rosters are read.
    const invitees = [1, 2, 3, 4, 5].map((i) => ({ identity: { user: { id: seededInvitee(LONG - i) } } }));
    invitees[0] = { ...invitees[0]!, replacesCallId: shortCall } as (typeof invitees)[0];
    const id = randomUUID();
    const op = newOperationRecord(
      { callId: longCall, id, graphOperationId: id, type: 'inviteParticipantsOperation', status: 'completed' },
      new Date().toISOString(),
    );
    await services.operations.save({ operation: { value: { ...op, participants: invitees } } });
    expect(await outcomes(id)).toEqual({ operations: 1, roster: 2 * Math.ceil(5 / 10) });
  });
});
