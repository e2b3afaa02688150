// `npm run bench` (add `-- --json` for one JSON object, `-- --smoke` for a seconds-long run):
// starts its own Azurite, Graph simulator and local host and measures the service against the
// floor of what it must do anyway, as ratios taken in the same run.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { TableClient } from '@azure/data-tables';
import autocannon from 'autocannon';

import { operationNotification, participant, rosterNotification } from '../dev/graphPayloads';
import { projectRoot, type Stack, startStack } from '../dev/stack';
import { loadConfig } from '../src/config';
import { applyNotifications } from '../src/notifications/applyNotifications';
import { createServices, notificationDeps } from '../src/services';
import { StorageCounter } from './storageCounter';

const args = new Set(process.argv.slice(2));
const smoke = args.has('--smoke');
const asJson = args.has('--json');
// `--profile`: the host writes a CPU profile (bench-profiles/*.cpuprofile) for a look in DevTools.
const profile = args.has('--profile');
const SIZE = {
  // Ingest and floor alternate this many times and the medians are compared: on two shared cores
  // one round alone swings by ±10 %.
  rounds: smoke ? 1 : 3,
  ingest: smoke ? 200 : 3000,
  connections: smoke ? 8 : 64,
  invites: smoke ? 5 : 40,
  imports: smoke ? 2 : 15,
  roster: smoke ? 100 : 1000,
};

const silentLog = { info() {}, warn() {}, error() {} };
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** One roster notification item: one participant joined. */
const rosterItem = (callId: string, key: string) =>
  rosterNotification(callId, [participant({ user: { id: key, displayName: 'Bench' } })]).value[0]!;

const operationItem = (callId: string, operationId: string, status: string) =>
  operationNotification({ callId, operationId, clientContext: 'bench', status }).value[0]!;

/** The bare rate of `upsertEntity` into the same Azurite, with the same concurrency: the floor. */
async function floorUpserts(stack: Stack): Promise<number> {
  const client = TableClient.fromConnectionString(stack.azurite.connectionString, 'benchfloor', {
    allowInsecureConnection: true,
  });
  await client.createTable(); // no-op once it exists
  const partition = randomUUID();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SIZE.connections }, async () => {
      while (next < SIZE.ingest) {
        const i = next++;
        await client.upsertEntity(
          {
            partitionKey: partition,
            rowKey: `p:user:${i}`,
            participant: JSON.stringify((rosterItem(partition, String(i)).resourceData as unknown[])[0]),
          },
          'Replace',
        );
      }
    }),
  );
  return SIZE.ingest / ((performance.now() - started) / 1000);
}

/** Signed roster notifications over HTTP from a load generator, one participant each. */
async function ingest(stack: Stack) {
  const token = await stack.simulator.keys.sign({
    iss: 'https://api.botframework.com',
    aud: stack.hostEnv.GRAPH_CLIENT_ID!,
    tid: stack.hostEnv.GRAPH_TENANT_ID!,
  });
  const callId = randomUUID();
  let sequence = 0;
  const result = await autocannon({
    url: `${stack.hostUrl}/api/notifications`,
    method: 'POST',
    connections: SIZE.connections,
    amount: SIZE.ingest,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ value: [rosterItem(callId, `participant-${sequence++}`)] }),
        }),
      },
    ],
  });
  const seconds = result.duration;
  return {
    perSecond: result.requests.total / seconds,
    non2xx: result.non2xx + result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Storage calls the use cases make, counted by a policy on the Table clients' HTTP pipeline. */
async function storageCalls(stack: Stack) {
  const services = createServices(loadConfig({ ...process.env, ...stack.hostEnv }));
  const counter = new StorageCounter();
  const tables = await services.tables();
  counter.attach(tables.operations, tables.roster);
  const deps = notificationDeps(services, silentLog);
  const callId = randomUUID();
  const operationId = randomUUID();
  const apply = async (...items: unknown[]) => {
    counter.reset();
    await applyNotifications(deps, { value: items });
    return { calls: counter.calls, writes: counter.entityWrites };
  };
  await apply(operationItem(callId, operationId, 'running'));
  const operation = await apply(operationItem(callId, operationId, 'completed'));
  const duplicate = await apply(operationItem(callId, operationId, 'completed'));
  const roster = await apply(rosterItem(callId, 'someone'));

  // A call whose roster already has many participants: one of them changes.
  const bigCall = randomUUID();
  const everyone = Array.from(
    { length: SIZE.roster },
    (_, i) => (rosterItem(bigCall, `member-${i}`).resourceData as unknown[])[0],
  );
  await apply({ ...rosterItem(bigCall, 'x'), resourceData: everyone });
  const change = await apply({
    ...rosterItem(bigCall, 'member-7'),
    resourceData: [{ ...everyone[7]!, isMuted: true }],
  });
  return { operation, duplicate, roster, change };
}

/** Invite latency through the service minus Graph's (the simulator's) own, medians. */
async function inviteOverhead(stack: Stack) {
  const body = () =>
    JSON.stringify({ participants: [{ identity: { user: { id: randomUUID() } } }], clientContext: randomUUID() });
  const quietCall = async () => {
    const res = await fetch(`${stack.simulator.url}/_sim/calls`, {
      method: 'POST',
      body: JSON.stringify({ autoCallbacks: false }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const time = async (url: string, headers: Record<string, string>) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body(),
    });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`invite answered ${res.status}`);
    return performance.now() - started;
  };
  const service: number[] = [];
  const graph: number[] = [];
  for (let i = 0; i < SIZE.invites + 3; i++) {
    const callId = await quietCall();
    const s = await time(`${stack.hostUrl}/api/calls/${callId}/participants/invite`, {
      'x-functions-key': stack.functionKey,
    });
    const g = await time(`${stack.simulator.graphBaseUrl}/communications/calls/${callId}/participants/invite`, {});
    if (i < 3) continue; // the first ones warm up
    service.push(s);
    graph.push(g);
  }
  return { service: median(service), graph: median(graph) };
}

/** Time to import a module in a fresh Node process, with the Functions worker's core module present. */
function importOnce(modulePath: string, env: Record<string, string>): number {
  const preload = path.join(projectRoot, 'dist/bench/withFunctionsCore.js');
  const out = execFileSync(
    process.execPath,
    [
      '-r',
      preload,
      '-e',
      `const t=performance.now(); require(${JSON.stringify(modulePath)}); process.stdout.write(String(performance.now()-t))`,
    ],
    {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return Number(out);
}

/** App entry vs `@azure/functions` alone, alternating so both see the same machine; medians. */
function importTimes(entry: string, env: Record<string, string>) {
  const app: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < SIZE.imports; i++) {
    app.push(importOnce(entry, env));
    floor.push(importOnce('@azure/functions', {}));
  }
  return { app: median(app), floor: median(floor) };
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

async function main() {
  const profileDir = path.join(projectRoot, 'bench-profiles');
  const stack = await startStack({ hostNodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  try {
    // Warm-up: tables created, keys fetched, code paths loaded.
    await ingestWarmUp(stack);
    const floors: number[] = [];
    const loads: Array<Awaited<ReturnType<typeof ingest>>> = [];
    for (let round = 0; round < SIZE.rounds; round++) {
      floors.push(await floorUpserts(stack));
      loads.push(await ingest(stack));
    }
    const floor = median(floors);
    const load = [...loads].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(loads.length / 2)]!;
    const rss = peakRssMb(stack.host.process.pid);
    const counts = await storageCalls(stack);
    const invite = await inviteOverhead(stack);
    const entry = path.join(
      projectRoot,
      JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).main as string,
    );
    const { app: coldImport, floor: floorImport } = importTimes(entry, stack.hostEnv);

    const figures = {
      ingest_notifications_per_s: round(load.perSecond, 0),
      floor_upserts_per_s: round(floor, 0),
      ingest_ratio: round(load.perSecond / floor),
      ingest_non_2xx: loads.reduce((n, l) => n + l.non2xx, 0),
      storage_calls_per_operation_notification: counts.operation.calls,
      storage_calls_per_duplicate: counts.duplicate.calls,
      storage_calls_per_roster_notification: counts.roster.calls,
      roster_writes_per_change_1000: counts.change.writes,
      p50_ms: load.p50,
      p99_ms: load.p99,
      p99_over_p50: round(load.p99 / Math.max(load.p50, 1)),
      cold_import_ms: round(coldImport, 1),
      floor_import_ms: round(floorImport, 1),
      cold_import_ratio: round(coldImport / floorImport),
      invite_ms: round(invite.service, 1),
      graph_invite_ms: round(invite.graph, 1),
      invite_overhead_ms: round(invite.service - invite.graph, 1),
      peak_rss_mb: round(rss, 1),
      settings: { ...SIZE, smoke },
    };
    const targets = [
      ['ingest_ratio >= 0.7', figures.ingest_ratio >= 0.7],
      ['storage calls per operation notification <= 2', figures.storage_calls_per_operation_notification <= 2],
      ['storage calls per duplicate <= 1', figures.storage_calls_per_duplicate <= 1],
      ['roster writes per change (1000 participants) <= 2', figures.roster_writes_per_change_1000 <= 2],
      ['cold_import_ratio <= 1.5', figures.cold_import_ratio <= 1.5],
      ['p99 <= 20 x p50', figures.p99_ms <= 20 * Math.max(figures.p50_ms, 1)],
    ] as const;
    if (asJson) {
      console.log(JSON.stringify({ ...figures, targets: Object.fromEntries(targets) }));
    } else {
      console.log(`\nGraph call invites: benchmark${smoke ? ' (smoke run)' : ''}\n`);
      for (const [name, value] of Object.entries(figures))
        if (name !== 'settings') console.log(`  ${name.padEnd(44)} ${value}`);
      console.log('\nTargets:');
      for (const [name, met] of targets) console.log(`  ${met ? 'met   ' : 'MISSED'} ${name}`);
    }
  } finally {
    await stack.stop();
  }
}

async function ingestWarmUp(stack: Stack) {
  const token = await stack.simulator.keys.sign({
    iss: 'https://api.botframework.com',
    aud: stack.hostEnv.GRAPH_CLIENT_ID!,
    tid: stack.hostEnv.GRAPH_TENANT_ID!,
  });
  const callId = randomUUID();
  for (let i = 0; i < 50; i++) {
    await fetch(`${stack.hostUrl}/api/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: [rosterItem(callId, `warm-${i}`)] }),
    }).then((r) => r.arrayBuffer());
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
