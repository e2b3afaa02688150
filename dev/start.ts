// `npm start`: Azurite (data in .azurite/), the Graph simulator and the local Functions host,
// wired together, with a line to try. Ctrl+C stops all three.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { sampleJoinLink } from './callJourney';
import { projectRoot, startStack } from './stack';

async function main() {
  const location = path.join(projectRoot, '.azurite');
  mkdirSync(location, { recursive: true });
  const verbose = process.argv.includes('--verbose');
  const stack = await startStack({
    hostPort: Number(process.env.PORT || 7071),
    simulatorPort: Number(process.env.SIMULATOR_PORT || 7072),
    azuritePorts: { blob: 10000, queue: 10001, table: 10002 },
    azuriteLocation: location,
    functionKey: process.env.LOCAL_FUNCTION_KEY || 'local-dev-function-key',
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

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
