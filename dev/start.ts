// `npm start`: Azurite (data in .azurite/), the Graph simulator and the local Functions host,
// wired together, with a line to try. Ctrl+C stops all three. `npm run start:deps` starts
// Azurite and the simulator only, for `func start` to be the host on the same port.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { sampleJoinLink } from './callJourney';
import { startGraphSimulator } from './simulator/graphSimulator';
import {
  DEV_APP_ID,
  DEV_PSTN_APPLICATION_INSTANCE_ID,
  DEV_TENANT_ID,
  projectRoot,
  startAzurite,
  startStack,
} from './stack';

const AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 };

async function main() {
  const location = path.join(projectRoot, '.azurite');
  mkdirSync(location, { recursive: true });
  const verbose = process.argv.includes('--verbose');
  if (process.argv.includes('--no-host')) return startWithoutHost(location);
  const stack = await startStack({
    hostPort: Number(process.env.PORT || 7071),
    simulatorPort: Number(process.env.SIMULATOR_PORT || 7072),
    azuritePorts: AZURITE_PORTS,
    azuriteLocation: location,
    functionKey: process.env.LOCAL_FUNCTION_KEY || 'local-dev-function-key',
    // Phone numbers and the bot's line, against the simulator: a made-up resource account, and calls answered.
    env: { PSTN_APPLICATION_INSTANCE_ID: DEV_PSTN_APPLICATION_INSTANCE_ID, INCOMING_CALLS: 'answer' },
    echo: (line) => {
      if (verbose || !line.startsWith('[information]')) console.log(line);
    },
  });
  const callId = 'ab6233a5-20b7-4c5e-bea2-ce56c9776429';
  const api = `${stack.hostUrl}/api`;
  console.log(`
Everything is running:
  Functions host   ${stack.hostUrl}   (function key: ${stack.functionKey})
  Graph simulator  ${stack.simulator.url}   (Graph base URL ${stack.simulator.graphBaseUrl})
  Azurite          tables 127.0.0.1:${stack.azurite.ports.table}, queues ${stack.azurite.ports.queue}, blobs ${stack.azurite.ports.blob}   (data in .azurite/)

Try it:
  curl -i -X POST "${api}/calls/${callId}/participants/invite" \\
    -H "x-functions-key: ${stack.functionKey}" -H "Content-Type: application/json" \\
    -d '{"participants":[{"identity":{"user":{"id":"278405a3-f568-4b3e-b684-009193463064","displayName":"Alex"}}}]}'
  # then follow the Location header, and read the roster:
  curl -s "${api}/calls/${callId}/participants" -H "x-functions-key: ${stack.functionKey}"
  curl -s "${api}/health"
  # a call of the service's own: join a (simulated) Teams meeting, then invite into its id and hang up
  curl -i -X POST "${api}/calls" -H "x-functions-key: ${stack.functionKey}" -H "Content-Type: application/json" \\
    -d '{"joinWebUrl":"${sampleJoinLink()}"}'
  # call a phone number (from the resource account ${DEV_PSTN_APPLICATION_INSTANCE_ID}):
  curl -i -X POST "${api}/calls" -H "x-functions-key: ${stack.functionKey}" -H "Content-Type: application/json" \\
    -d '{"targets":[{"identity":{"phone":{"id":"+14255550123"}}}]}'
  # someone dials the bot's number: the service answers (INCOMING_CALLS=answer), then read the call
  curl -s -X POST "${stack.simulator.url}/_sim/incoming" -d '{"applicationInstanceId":"${DEV_PSTN_APPLICATION_INSTANCE_ID}"}'
  # every scenario, printed as a timeline: npm run demo

Ctrl+C stops everything.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  stack.host.process.once('exit', (code) => {
    if (!stopping) {
      console.error(`The Functions host stopped (${code}).`);
      void stop();
    }
  });
}

/**
 * Azurite and the simulator on the ports local.settings.sample.json names, the simulator calling
 * back the host that will listen on PORT (7071): `func start` there, from local.settings.json.
 */
async function startWithoutHost(location: string) {
  const hostPort = Number(process.env.PORT || 7071);
  const azurite = await startAzurite({ ports: AZURITE_PORTS, location });
  const simulator = await startGraphSimulator({
    port: Number(process.env.SIMULATOR_PORT || 7072),
    appId: DEV_APP_ID,
    tenantId: DEV_TENANT_ID,
    defaultCallbackUrl: `http://127.0.0.1:${hostPort}/api/notifications`,
  });
  console.log(`
Running, without a Functions host:
  Graph simulator  ${simulator.url}   (calls back http://127.0.0.1:${hostPort}/api/notifications)
  Azurite          tables 127.0.0.1:${azurite.ports.table}, queues ${azurite.ports.queue}, blobs ${azurite.ports.blob}   (data in .azurite/)

Now, in another terminal (local.settings.json copied from local.settings.sample.json):
  npm run build && func start --port ${hostPort}

Ctrl+C stops both.`);
  const stop = async () => {
    await simulator.close();
    await azurite.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
