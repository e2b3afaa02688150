import { odata, TableClient } from '@azure/data-tables';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningSimulator, startGraphSimulator } from '../../dev/simulator/graphSimulator';
import { type HostProcess, startHostProcess } from '../../dev/stack';
import { canonicalGuid } from '../../src/ids';
import { classifyAddress } from '../../src/net/addresses';
import { parseNotification } from '../../src/notifications/parseNotification';
import { stack } from '../support/api';
import { simulator } from '../support/simulator';

const RUNS = Number(process.env.FUZZ_RUNS || 10_000);
const WIDTH = 8;

// Its own host and a simulator that never calls back, so fuzzed invites don't flood the shared stack.
let host: HostProcess;
let quietGraph: RunningSimulator;
beforeAll(async () => {
  quietGraph = await startGraphSimulator({ appId: stack.appId, tenantId: stack.tenantId });
  await fetch(`${quietGraph.url}/_sim/settings`, { method: 'POST', body: JSON.stringify({ autoCallbacks: false }) });
  host = await startHostProcess({ env: { ...stack.hostEnv, GRAPH_BASE_URL: quietGraph.graphBaseUrl } });
});
afterAll(async () => {
  await host?.stop();
  await quietGraph?.close();
});

// ---- generators -------------------------------------------------------------------------------

// Ill-formed UTF-16 on purpose: any code unit (`binary`), lone halves of surrogate pairs, a pair split.
const illFormed = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\ude00b', '\udbff\udbff', '😀'.slice(1)),
);
// IP literals in every notation that reaches an internal address, and some that do not.
const ipv4 = fc.constantFrom(
  '10.0.0.1',
  '127.0.0.1',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  '192.168.1.1',
  '168.63.129.16',
  '198.18.0.1',
  '240.0.0.1',
  '8.8.8.8',
);
const ipLiteral = fc.oneof(
  ipv4.map((v4) => v4),
  ipv4.map((v4) => `[::ffff:${v4}]`),
  ipv4.map((v4) => `[::${v4}]`),
  ipv4.map((v4) => `[0:0:0:0:0:ffff:${v4}]`),
  ipv4.map((v4) => `[64:ff9b::${v4}]`),
  ipv4.map((v4) => `[::ffff:0:${v4}]`),
  ipv4.map(
    (v4) =>
      `[2002:${v4
        .split('.')
        .map((o, i, a) => (i % 2 ? '' : ((Number(o) << 8) | Number(a[i + 1])).toString(16)))
        .filter(Boolean)
        .join(':')}::1]`,
  ),
  fc.constantFrom(
    '0x7f.1',
    '2130706433',
    '017700000001',
    '[::1]',
    '[fe80::1]',
    '[fd00::1]',
    '[ff02::1]',
    '[2001:db8::1]',
    '[2606:4700::1111]',
  ),
);
const ipUrl = fc
  .tuple(fc.constantFrom('https', 'http'), ipLiteral, fc.constantFrom('', ':8443'))
  .map(([scheme, host, port]) => `${scheme}://${host}${port}/h`);
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  illFormed,
  ipUrl,
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '',
    ' ',
    '\u0000',
    '/\\#?',
    '%2F',
    "',", // Azurite's transaction parser splits an entity URL there
    "a','b",
    '../..',
    '😀',
    'a'.repeat(40_000),
  ),
);
const json = fc.jsonValue({ maxDepth: 4 });
const pollutionKeys = fc.dictionary(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  json,
  { minKeys: 1 },
);

/** `[[[[...]]]]` nested `depth` times, as raw JSON text. */
const deepText = fc.integer({ min: 50, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const deepObjectText = fc
  .integer({ min: 50, max: 20_000 })
  .map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

const identityKind = fc.constantFrom(
  'user',
  'application',
  'applicationInstance',
  'phone',
  'guest',
  'device',
  'encrypted',
  'onPremises',
  'acsUser',
  'spoolUser',
  'azureCommunicationServicesUser',
  'bogusKind',
);
const identityId = fc.oneof(fc.uuid(), fc.constantFrom('+12345678901', '+1', '12345678901'), nasty);
const identitySet = fc.oneof(
  fc.dictionary(
    identityKind,
    fc.oneof(fc.record({ id: identityId, displayName: fc.option(nasty) }, { requiredKeys: ['id'] }), json),
    { maxKeys: 3 },
  ),
  json,
);
const invitee = fc.oneof(
  fc.record(
    {
      identity: identitySet,
      replacesCallId: fc.option(fc.oneof(fc.uuid(), nasty)),
      '@odata.type': fc.constant('#microsoft.graph.invitationParticipantInfo'),
      extra: json,
    },
    { requiredKeys: ['identity'] },
  ),
  json,
);
const inviteBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record(
        {
          participants: fc.array(invitee, { maxLength: 7 }),
          clientContext: fc.oneof(fc.uuid(), nasty, json),
          callbackUrl: fc.oneof(fc.webUrl(), nasty, ipUrl),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
  },
  // Valid invites but for one hard string: a lone surrogate somewhere, or a callbackUrl naming an IP literal.
  {
    weight: 2,
    arbitrary: fc
      .record({
        id: fc.oneof(fc.uuid(), illFormed),
        clientContext: fc.oneof(fc.uuid(), illFormed),
        callbackUrl: ipUrl,
        note: fc.oneof(fc.string(), illFormed),
      })
      .map(({ id, clientContext, callbackUrl, note }) =>
        JSON.stringify({
          participants: [{ identity: { user: { id, displayName: note } } }],
          clientContext,
          callbackUrl,
        }),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        participants: fc.array(fc.record({ identity: fc.record({ user: fc.record({ id: fc.uuid() }) }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        clientContext: fc.uuid(),
      })
      .map((b) => JSON.stringify(b)),
  },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: pollutionKeys.map((p) =>
      JSON.stringify({ participants: [{ identity: { user: { id: 'x' } }, ...p }], ...p }).replace(
        /"toString"/g,
        '"__proto__"',
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      deepText,
      deepObjectText,
      deepText.map((t) => `{"participants":[{"identity":{"user":{"id":"x"}},"deep":${t}}]}`),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.string(), fc.constantFrom('{', 'null', '[]', '"x"', '1e999', '{"participants":')),
  },
);

const path = (callId: string) =>
  fc.oneof(
    fc.constantFrom(
      `/app/calls/${callId}/participants`,
      `/communications/calls/${callId}/operations/participants`,
      `communications/calls/${callId}`,
    ),
    fc.oneof(fc.uuid(), nasty).map((op) => `/app/calls/${callId}/operations/${op}`),
    nasty,
  );
const notificationItem = (callId: string) =>
  fc.record(
    {
      '@odata.type': fc.oneof(fc.constant('#microsoft.graph.commsNotification'), nasty),
      changeType: fc.oneof(fc.constantFrom('created', 'updated', 'deleted', 'Deleted'), nasty),
      resource: path(callId),
      resourceUrl: path(callId),
      resourceData: fc.oneof(
        json,
        fc.record(
          {
            '@odata.type': fc.constantFrom(
              '#microsoft.graph.inviteParticipantsOperation',
              '#microsoft.graph.playPromptOperation',
              '#microsoft.graph.call',
              '#x',
            ),
            id: fc.option(fc.oneof(fc.uuid(), nasty)),
            status: fc.oneof(fc.constantFrom('running', 'Completed', 'failed'), nasty),
            clientContext: fc.option(nasty),
            state: fc.option(nasty),
            resultInfo: json,
          },
          { requiredKeys: [] },
        ),
        fc.array(
          fc.record(
            { id: fc.option(nasty), info: fc.record({ identity: identitySet }), isMuted: json, extra: json },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
      ),
    },
    { requiredKeys: [] },
  );
const notificationBody = fc.uuid().chain((callId) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(notificationItem(callId), { maxLength: 4 })
        .map((value) => ({ callId, text: JSON.stringify({ value }) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          json.map((v) => JSON.stringify(v)),
          fc.string(),
          deepText,
          deepObjectText.map((t) => `{"value":[${t}]}`),
        )
        .map((text) => ({ callId, text })),
    },
    {
      weight: 1,
      arbitrary: pollutionKeys.map((p) => ({
        callId,
        text: JSON.stringify({ value: [p], ...p }).replace(/"toString"/g, '"__proto__"'),
      })),
    },
  ),
);

// ---- helpers ----------------------------------------------------------------------------------

async function pool<T>(items: T[], work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: WIDTH }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function expectEnvelope(status: number, text: string, what: string) {
  if (status >= 500) {
    // The host's own account of the failure, so a finding can be fixed from the test output.
    console.error(
      host.lines
        .filter((l) => l.startsWith('[error]'))
        .slice(-2)
        .join('\n')
        .slice(0, 2000),
    );
  }
  expect(status, what).toBeLessThan(500);
  if (status >= 400 && status !== 431) {
    const body = JSON.parse(text);
    expect(typeof body.error.code, what).toBe('string');
    expect(typeof body.error.message, what).toBe('string');
    expect(Array.isArray(body.error.details), what).toBe(true);
    expect(text, what).not.toMatch(/\bat .+:\d+:\d+|RestError|AccountKey/);
  }
}

/** A path segment as a client would send it; a lone surrogate goes as the bytes of its WTF-8 form (%ED%A0%80). */
function encodeSegment(text: string): string {
  return Array.from(text, (ch) => {
    const unit = ch.charCodeAt(0);
    if (ch.length > 1 || unit < 0xd800 || unit > 0xdfff) return encodeURIComponent(ch);
    return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 63), 0x80 | (unit & 63)]
      .map((b) => `%${b.toString(16).toUpperCase()}`)
      .join('');
  }).join('');
}

/** An accepted invite's callbackUrl never names an internal address (the test host allows loopback only). */
function expectNoInternalTarget(text: string) {
  const callbackUrl = (JSON.parse(text) as { callbackUrl?: unknown }).callbackUrl;
  if (typeof callbackUrl !== 'string') return;
  const kind = classifyAddress(new URL(callbackUrl).hostname);
  expect(kind === undefined || kind === 'public' || kind === 'loopback', `accepted callbackUrl ${callbackUrl}`).toBe(
    true,
  );
  acceptedIpTargets += kind === undefined ? 0 : 1;
}
let acceptedIpTargets = 0;

async function partitionsIn(table: string, callIds: Set<string>): Promise<Set<string>> {
  const client = TableClient.fromConnectionString(stack.tablesConnectionString, table, {
    allowInsecureConnection: true,
  });
  const found = new Set<string>();
  for await (const e of client.listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
    if (callIds.has(e.partitionKey!)) found.add(e.partitionKey!);
  }
  return found;
}
void odata;

// ---- properties -------------------------------------------------------------------------------

describe(`fuzzing (${RUNS} generated bodies per POST route)`, () => {
  it('POST invite: never a 5xx, every 4xx in the envelope, and storage holds only accepted invites', async () => {
    const cases = fc.sample(fc.tuple(fc.uuid(), inviteBody), RUNS);
    const accepted = new Set<string>();
    const refused = new Set<string>();
    const statuses = new Map<number, number>();
    await pool(cases, async ([callId, text]) => {
      const res = await fetch(`${host.url}/api/calls/${callId}/participants/invite`, {
        method: 'POST',
        headers: { 'x-functions-key': stack.functionKey, 'content-type': 'application/json' },
        body: text,
      });
      const answer = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expectEnvelope(res.status, answer, `invite ${text.slice(0, 200)}`);
      (res.status < 300 ? accepted : refused).add(canonicalGuid(callId)!);
      if (res.status < 300) expectNoInternalTarget(text);
    });
    const stored = await partitionsIn('operations', new Set([...accepted, ...refused]));
    expect([...stored].filter((id) => refused.has(id) && !accepted.has(id))).toEqual([]);
    expect([...accepted].filter((id) => !stored.has(id))).toEqual([]);
    expect(accepted.size).toBeGreaterThan(RUNS / 20);
    console.info(
      `invite fuzz: ${RUNS} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, 5xx: 0, accepted IP-literal callbackUrls (all public or loopback): ${acceptedIpTargets}`,
    );
  }, 600_000);

  it('POST notifications: never a 5xx, every 4xx in the envelope, and storage holds only what valid items imply', async () => {
    const cases = fc.sample(notificationBody, RUNS);
    const token = await simulator.token();
    const allowed = new Set<string>(); // calls some accepted, well-formed item names
    const all = new Set<string>();
    const statuses = new Map<number, number>();
    await pool(cases, async ({ callId, text }) => {
      const res = await fetch(`${host.url}/api/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: text,
      });
      const answer = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expectEnvelope(res.status, answer, `notifications ${text.slice(0, 200)}`);
      all.add(canonicalGuid(callId)!);
      if (res.status !== 202) return;
      for (const item of (JSON.parse(text) as { value: unknown[] }).value) {
        const parsed = parseNotification(item);
        if (parsed.kind === 'operation' || parsed.kind === 'roster' || parsed.kind === 'call')
          allowed.add(parsed.callId);
      }
    });
    const stored = new Set([...(await partitionsIn('operations', all)), ...(await partitionsIn('roster', all))]);
    expect([...stored].filter((id) => !allowed.has(id))).toEqual([]);
    console.info(
      `notification fuzz: ${RUNS} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, calls stored ${stored.size}, 5xx: 0`,
    );
  }, 600_000);

  it('route parameters: odd call and operation ids never give a 5xx', async () => {
    const odd = fc.oneof(
      nasty,
      fc.uuid(),
      fc.uuid().map((u) => u.replace(/-/g, '').toUpperCase()),
      fc.string({ minLength: 1000, maxLength: 1100 }),
      fc.constantFrom('%00', '%2F', '..', 'a/b', 'a\\b', 'a#b', 'a?b', '\u0001\u001f'),
    );
    const cases = fc.sample(
      fc.tuple(odd, odd, fc.constantFrom('op', 'ops', 'roster', 'invite')),
      Math.max(1000, RUNS / 5),
    );
    await pool(cases, async ([callId, operationId, route]) => {
      const c = encodeSegment(callId);
      const o = encodeSegment(operationId);
      const url = {
        op: `/calls/${c}/operations/${o}`,
        ops: `/calls/${c}/operations`,
        roster: `/calls/${c}/participants`,
        invite: `/calls/${c}/participants/invite`,
      }[route];
      const res = await fetch(`${host.url}/api${url}`, {
        method: route === 'invite' ? 'POST' : 'GET',
        headers: { 'x-functions-key': stack.functionKey },
        body: route === 'invite' ? '{}' : undefined,
      });
      const text = await res.text();
      const what = `${route} ${JSON.stringify([callId, operationId]).slice(0, 200)}`;
      expect(res.status, what).toBeLessThan(500);
      if (res.status === 431) return; // the URL alone is over the host's header limit: refused before any code runs
      // An empty or `..` segment can make the path another route's (POST /api/calls, say): 404 or 405 then.
      if (!canonicalGuid(callId) && res.status !== 404 && res.status !== 405) expect(res.status, what).toBe(400);
      if (res.status >= 400 && text) expect(JSON.parse(text).error.code).toBeTypeOf('string');
    });
  }, 600_000);
});
