import { randomUUID } from 'node:crypto';

import { TableClient, type TransactionAction } from '@azure/data-tables';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { newOperationRecord } from '../../src/operations/operationRecord';
import { toOperationEntity } from '../../src/storage/operationEntities';
import { call, newCallId, readAllPages, stack } from '../support/api';
import { batch, operationNotification, participant, rosterNotification } from '../support/notifications';
import { signedToken } from '../support/paging';
import { postNotifications } from '../support/simulator';

// One call with more operations and participants than a page holds, stored through the callback route.
const OPERATIONS = 230;
const PARTICIPANTS = 210;
const callId = newCallId();
const operationIds = Array.from({ length: OPERATIONS }, () => randomUUID());

beforeAll(async () => {
  for (let i = 0; i < OPERATIONS; i += 46) {
    const items = operationIds
      .slice(i, i + 46)
      .map((operationId) => operationNotification({ callId, operationId, status: 'completed' }));
    expect((await postNotifications(batch(...items))).status).toBe(202);
  }
  const people = Array.from({ length: PARTICIPANTS }, (_, i) => participant('user', `person-${i}`));
  expect((await postNotifications(rosterNotification(callId, people))).status).toBe(202);
});

const listPath = (list: 'operations' | 'participants', query = '') => `/api/calls/${callId}/${list}${query}`;

describe('paging GET /api/calls/{callId}/operations and /participants', () => {
  it('answers 100 operations, newest first, and a nextLink that visits every operation once', async () => {
    const first = await call('GET', listPath('operations'));
    expect(first.status).toBe(200);
    expect(first.body.operations).toHaveLength(100);
    const link = new URL(first.body['@odata.nextLink']);
    expect(link.origin).toBe(stack.hostUrl); // absolute, on this host
    expect(link.searchParams.get('$top')).toBe('100');
    expect(link.searchParams.has('code')).toBe(false); // the caller sent its key in a header

    const all = await readAllPages(listPath('operations'), 'operations');
    expect(all.pages).toBe(3);
    const ids = all.body.operations.map((o: { id: string }) => o.id);
    expect(new Set(ids).size).toBe(OPERATIONS);
    expect([...ids].sort()).toEqual([...operationIds].sort());
    const created = all.body.operations.map((o: { createdDateTime: string }) => o.createdDateTime);
    expect(created).toEqual([...created].sort().reverse());
  });

  it('pages the roster by $top, each page carrying the call, the last without a nextLink', async () => {
    const all = await readAllPages(listPath('participants', '?$top=70'), 'participants');
    expect(all.pages).toBe(3);
    const keys = all.body.participants.map((p: { key: string }) => p.key);
    expect(new Set(keys).size).toBe(PARTICIPANTS);
    expect(keys).toEqual([...keys].sort());

    const last = await call('GET', listPath('participants', '?$top=1000'));
    expect(last.body.participants).toHaveLength(PARTICIPANTS);
    expect(last.body['@odata.nextLink']).toBeUndefined();
    expect(last.body).toMatchObject({ callId, lastModifiedDateTime: all.body.lastModifiedDateTime });
  });

  it('carries code in the nextLink when the caller authenticated with it', async () => {
    const first = await call('GET', listPath('operations', '?$top=5'), {
      key: false,
      query: { code: stack.functionKey },
    });
    const link = new URL(first.body['@odata.nextLink']);
    expect(link.searchParams.get('code')).toBe(stack.functionKey);
    // Followed as given, with no key header, it is the next page.
    const next = await fetch(link);
    expect(next.status).toBe(200);
    const ids = ((await next.json()) as { operations: Array<{ id: string }> }).operations.map((o) => o.id);
    expect(ids).toHaveLength(5);
    expect(ids.some((id) => first.body.operations.some((o: { id: string }) => o.id === id))).toBe(false);
  });

  it('lists the operations a version without paging stored (no order rows), newest first', async () => {
    // Rows as that version wrote them: the operation alone.
    const oldCall = newCallId();
    const client = TableClient.fromConnectionString(stack.tablesConnectionString, 'operations', {
      allowInsecureConnection: true,
    });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await client.submitTransaction(
      ids.map((id, i): TransactionAction => [
        'create',
        toOperationEntity(
          newOperationRecord(
            { callId: oldCall, id, graphOperationId: id, type: 'inviteParticipantsOperation', status: 'completed' },
            new Date(Date.UTC(2026, 10, 1, 10, i)).toISOString(),
          ),
        ),
      ]),
    );
    // One more from this version, with its order row: both kinds are listed, in order.
    const newest = randomUUID();
    await postNotifications(operationNotification({ callId: oldCall, operationId: newest, status: 'running' }));
    for (let i = 0; i < 2; i++) {
      const all = await readAllPages(`/api/calls/${oldCall}/operations?$top=2`, 'operations');
      expect(all.body.operations.map((o: { id: string }) => o.id)).toEqual([newest, ...[...ids].reverse()]);
    }
    // Done once: the call's row saying so, dated as its latest operation (retention takes it with them).
    const indexed = await client.getEntity<{ lastModifiedDateTime: string }>(oldCall, 'order:indexed');
    const latest = await call('GET', `/api/calls/${oldCall}/operations/${newest}`);
    expect(indexed.lastModifiedDateTime).toBe(latest.body.lastModifiedDateTime);
  });

  it('removes an order row whose operation is gone, so the call is unknown again', async () => {
    const goneCall = newCallId();
    const operationId = randomUUID();
    await postNotifications(operationNotification({ callId: goneCall, operationId, status: 'completed' }));
    const client = TableClient.fromConnectionString(stack.tablesConnectionString, 'operations', {
      allowInsecureConnection: true,
    });
    await call('GET', `/api/calls/${goneCall}/operations`); // indexed
    // The operation and the marker go (retention), its order row stays behind (the indexer crossed it).
    await client.deleteEntity(goneCall, operationId);
    await client.deleteEntity(goneCall, 'order:indexed');
    const first = await call('GET', `/api/calls/${goneCall}/operations`);
    expect(first.body.operations ?? []).toEqual([]);
    expect((await call('GET', `/api/calls/${goneCall}/operations`)).status).toBe(404);
  });

  it('answers 404 for a continuation of a call that was never seen', async () => {
    const token = await signedToken(`operations:${callId}`, 't:0');
    const unknown = newCallId();
    const forged = await signedToken(`operations:${unknown}`, 't:0');
    expect((await call('GET', `/api/calls/${unknown}/operations?$skiptoken=${forged}`)).status).toBe(404);
    expect((await call('GET', `/api/calls/${callId}/operations?$skiptoken=${token}`)).status).toBe(200);
  });

  it('answers 400 naming $top for a size outside 1 to 1000', async () => {
    for (const top of ['0', '1001', '-1', '1.5', 'ten', '', '01', '1e2']) {
      const res = await call('GET', listPath('operations', `?$top=${encodeURIComponent(top)}`));
      expect(res.status, top).toBe(400);
      expect(res.body.error.message).toContain('$top');
    }
    expect((await call('GET', listPath('participants', '?$top=1000'))).status).toBe(200);
  });

  it('answers 400 naming $skiptoken for a continuation of another list or call, or one altered', async () => {
    const first = await call('GET', listPath('operations', '?$top=3'));
    const token = new URL(first.body['@odata.nextLink']).searchParams.get('$skiptoken')!;
    const [payload, signature] = token.split('.') as [string, string];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const position = JSON.parse(Buffer.from(payload, 'base64url').toString()).t as string;
    const scope = `operations:${callId}`;
    const bad = [
      ['another list', `/api/calls/${callId}/participants`, token],
      ['another call', `/api/calls/${newCallId()}/operations`, token],
      ['not base64 JSON', listPath('operations'), 'not-a-token'],
      ['unsigned', listPath('operations'), payload],
      [
        'position altered, signature kept',
        listPath('operations'),
        `${encode({ s: scope, t: `${position}0` })}.${signature}`,
      ],
      ['signature altered', listPath('operations'), `${payload}.${signature.slice(1)}A`],
      // Signed with the deployment's key: refused for what they carry.
      ['altered scope', listPath('operations'), await signedToken('operations:x', position)],
      ['lone surrogate', listPath('operations'), await signedToken(scope, 't:\ud800')],
      ['control character', listPath('operations'), await signedToken(scope, 't:\u0000')],
      ['empty position', listPath('operations'), await signedToken(scope, '')],
      ['too long', listPath('operations'), 'A'.repeat(5000)],
    ] as const;
    for (const [why, path, skiptoken] of bad) {
      const res = await call('GET', `${path}?$skiptoken=${encodeURIComponent(skiptoken)}`);
      expect(res.status, why).toBe(400);
      expect(res.body.error.message, why).toContain('$skiptoken');
    }
  });

  it('never answers 5xx whatever $skiptoken and $top hold, and reaches storage with most of them', async () => {
    // Signed here as the service signs them: a position past the signature must not break storage either.
    const sign = (scope: string, t: string) => signedToken(scope, t);
    // Positions a token of the right list could claim: any text, on purpose including lone
    // surrogates, keys' edges, quotes and positions longer than a row key (1 KiB) may be.
    const position = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 500, maxLength: 1500 }),
      fc.constantFrom('t:', 't;', 'p:', 'p;', '~', '\uffff', "p:'", "t:',", 't:\ud800', 'p:\udfff x', 'order:indexed'),
    );
    const list = fc.constantFrom('operations', 'participants');
    const request = list.chain((name) =>
      fc.record({
        list: fc.constant(name),
        skiptoken: fc.oneof(
          {
            weight: 4,
            arbitrary: position.map((t) => ({ scope: `${name}:${callId}`, t })),
          },
          { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
        ),
        top: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1, max: 1000 }).map(String) },
          { weight: 1, arbitrary: fc.string() },
        ),
      }),
    );
    let reachedStorage = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ list: name, skiptoken, top }) => {
        const token = typeof skiptoken === 'string' ? skiptoken : await sign(skiptoken.scope, skiptoken.t);
        const query = new URLSearchParams({ $skiptoken: token, $top: top });
        const res = await call('GET', `/api/calls/${callId}/${name}?${query}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) reachedStorage++;
      }),
      { numRuns: 150 },
    );
    expect(reachedStorage).toBeGreaterThan(60);
  });
});
