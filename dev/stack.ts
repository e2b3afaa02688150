import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

import { type RunningSimulator, startGraphSimulator } from './simulator/graphSimulator';

/** Project root, from dist/dev/ or dev/ alike. */
export const projectRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

export const DEV_APP_ID = '11111111-2222-3333-4444-555555555555';
export const DEV_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** The made-up Teams resource account `npm start` places calls from (PSTN_APPLICATION_INSTANCE_ID). */
export const DEV_PSTN_APPLICATION_INSTANCE_ID = '3d913abb-aec0-4964-8fa6-3c6850c4f278';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

export interface ChildService {
  process: ChildProcess;
  /** Everything the process printed, line by line (tests read the host's log from here). */
  lines: string[];
  stop(): Promise<void>;
}

function spawnService(args: string[], env: NodeJS.ProcessEnv, echo?: (line: string) => void): ChildService {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      echo?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    process: child,
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** A connection string for Azurite's published development account, with the given service ports. */
export function azuriteConnection(ports: { table?: number; queue?: number; blob?: number } = {}): string {
  const { table = 10002, queue = 10001, blob = 10000 } = ports;
  return (
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
    'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
    `BlobEndpoint=http://127.0.0.1:${blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${queue}/devstoreaccount1;` +
    `TableEndpoint=http://127.0.0.1:${table}/devstoreaccount1;`
  );
}

export interface AzuritePorts {
  table: number;
  queue: number;
  blob: number;
}

export interface Azurite extends ChildService {
  /** The Table service's port. */
  port: number;
  ports: AzuritePorts;
  /** A connection string naming all three services. */
  connectionString: string;
}

/** Azurite from the npm package (Table, Queue and Blob): in memory, or persisted under `location`. */
export async function startAzurite(
  options: {
    ports?: Partial<AzuritePorts>;
    location?: string;
    /** https with this certificate, and OAuth (bearer tokens) checked as Azurite's `basic` level does. */
    oauth?: { cert: string; key: string };
    echo?: (l: string) => void;
  } = {},
): Promise<Azurite> {
  const ports: AzuritePorts = {
    table: options.ports?.table ?? (await freePort()),
    queue: options.ports?.queue ?? (await freePort()),
    blob: options.ports?.blob ?? (await freePort()),
  };
  const bin = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const args = [bin, '--skipApiVersionCheck', '--disableTelemetry', '--silent'];
  for (const [service, port] of Object.entries(ports))
    args.push(`--${service}Host`, '127.0.0.1', `--${service}Port`, String(port));
  args.push(...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']));
  if (options.oauth) args.push('--oauth', 'basic', '--cert', options.oauth.cert, '--key', options.oauth.key);
  const service = spawnService(args, process.env, options.echo);
  await Promise.all(Object.values(ports).map((port) => waitForPort(port, 20_000)));
  return { ...service, port: ports.table, ports, connectionString: azuriteConnection(ports) };
}

export interface HostProcess extends ChildService {
  url: string;
  port: number;
}

/** The local Functions host (`npm run host`) as a child process with the given settings. */
export async function startHostProcess(options: {
  port?: number;
  env: Record<string, string>;
  nodeArgs?: string[];
  echo?: (l: string) => void;
}): Promise<HostProcess> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, LOAD_LOCAL_SETTINGS: 'false', ...options.env, PORT: String(port) };
  const service = spawnService(
    [...(options.nodeArgs ?? []), path.join(projectRoot, 'dist/dev/host/main.js')],
    env,
    options.echo,
  );
  const exited = new Promise<never>((_, reject) =>
    service.process.once('exit', (code) => reject(new Error(`host exited (${code}): ${service.lines.join('\n')}`))),
  );
  await Promise.race([waitForPort(port, 20_000), exited]);
  return { ...service, port, url: `http://127.0.0.1:${port}` };
}

export interface Stack {
  hostUrl: string;
  functionKey: string;
  simulator: RunningSimulator;
  azurite: Azurite;
  host: HostProcess;
  hostEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** Azurite + Graph simulator + local host, wired to each other: what `npm start` and the tests run. */
export async function startStack(
  options: {
    hostPort?: number;
    simulatorPort?: number;
    azuritePorts?: Partial<AzuritePorts>;
    azuriteLocation?: string;
    functionKey?: string;
    env?: Record<string, string>;
    hostNodeArgs?: string[];
    echo?: (l: string) => void;
  } = {},
): Promise<Stack> {
  const azurite = await startAzurite({
    ports: options.azuritePorts,
    location: options.azuriteLocation,
    echo: options.echo,
  });
  const hostPort = options.hostPort ?? (await freePort());
  const simulator = await startGraphSimulator({
    port: options.simulatorPort,
    appId: DEV_APP_ID,
    tenantId: DEV_TENANT_ID,
    defaultCallbackUrl: `http://127.0.0.1:${hostPort}/api/notifications`,
    log: options.echo,
  });
  const functionKey = options.functionKey ?? 'local-dev-function-key';
  const hostEnv = {
    TABLES_CONNECTION_STRING: azurite.connectionString,
    WEBHOOK_QUEUE: azurite.connectionString,
    RETENTION_SCHEDULE: '0 30 3 * * *',
    WEBHOOK_SWEEP_SCHEDULE: '0 */5 * * * *',
    KEEPALIVE_SCHEDULE: '0 */5 * * * *',
    GRAPH_BASE_URL: simulator.graphBaseUrl,
    GRAPH_CLIENT_ID: DEV_APP_ID,
    GRAPH_TENANT_ID: DEV_TENANT_ID,
    CALLBACK_OPENID_CONFIGURATION_URL: simulator.openIdConfigurationUrl,
    ALLOW_LOOPBACK_URLS: 'true',
    LOCAL_FUNCTION_KEY: functionKey,
    ...options.env,
  };
  let host: HostProcess;
  try {
    host = await startHostProcess({ port: hostPort, env: hostEnv, nodeArgs: options.hostNodeArgs, echo: options.echo });
  } catch (err) {
    await simulator.close();
    await azurite.stop();
    throw err;
  }
  return {
    hostUrl: host.url,
    functionKey,
    simulator,
    azurite,
    host,
    hostEnv,
    stop: async () => {
      await host.stop();
      await simulator.close();
      await azurite.stop();
    },
  };
}
